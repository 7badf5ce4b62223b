//! Declared sizes checked before symphonia reads them.
//!
//! Why: fuzzing (`scripts/fuzz.sh`, findings in `fuzz/findings/`) found
//! symphonia 0.5.5 allocating whatever a header declares: a Vorbis comment
//! length in a FLAC file (`vec![0; len]`, up to 4 GiB from a 90-byte file),
//! picture blocks likewise, and ADPCM WAV headers whose frames-per-block
//! arithmetic overflows `u16` or that have more than two channels (the
//! decoder's `unreachable!()`). In a worker these run inside the parser
//! sandbox, which contains any allocation; these checks refuse the files
//! up front with a clear `audio.corrupt` instead of a child killed at its
//! memory limit. Every length is compared with the bytes that are actually
//! there.

use super::audio_error::AudioError;

/// Refuses files whose headers declare sizes they do not hold.
pub fn check(bytes: &[u8]) -> Result<(), AudioError> {
    if bytes.starts_with(b"fLaC") {
        return flac_metadata(bytes);
    }
    if let Some(fmt) = wav_fmt(bytes) {
        return adpcm_block(fmt);
    }
    Ok(())
}

fn corrupt(what: &str) -> AudioError {
    AudioError::Corrupt(format!("{what} declares more data than the file holds"))
}

fn u32_be(b: &[u8], at: usize) -> Option<usize> {
    Some(u32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?) as usize)
}

fn u32_le(b: &[u8], at: usize) -> Option<usize> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?) as usize)
}

/// Walks the FLAC metadata blocks; checks every length inside the Vorbis
/// comment (type 4) and picture (type 6) blocks against the block.
fn flac_metadata(bytes: &[u8]) -> Result<(), AudioError> {
    let mut pos = 4usize;
    loop {
        let Some(&head) = bytes.get(pos) else { return Ok(()) }; // truncated: symphonia says so
        let len = bytes.get(pos + 1..pos + 4).map(|b| (b[0] as usize) << 16 | (b[1] as usize) << 8 | b[2] as usize);
        let Some(len) = len else { return Ok(()) };
        let start = pos + 4;
        let block = bytes.get(start..start.saturating_add(len)).unwrap_or(bytes.get(start..).unwrap_or(&[]));
        match head & 0x7F {
            4 => vorbis_comment(block).ok_or_else(|| corrupt("a FLAC comment block"))?,
            6 => picture(block).ok_or_else(|| corrupt("a FLAC picture block"))?,
            _ => {}
        }
        if head & 0x80 != 0 {
            return Ok(());
        }
        pos = start.saturating_add(len);
    }
}

/// `None` when a length runs past the block.
fn vorbis_comment(b: &[u8]) -> Option<()> {
    let vendor = u32_le(b, 0)?;
    let mut pos = 4usize.checked_add(vendor).filter(|&p| p <= b.len())?;
    let count = u32_le(b, pos)?;
    pos += 4;
    for _ in 0..count {
        let len = u32_le(b, pos)?;
        pos = pos.checked_add(4)?.checked_add(len).filter(|&p| p <= b.len())?;
    }
    Some(())
}

fn picture(b: &[u8]) -> Option<()> {
    let mime = u32_be(b, 4)?;
    let mut pos = 8usize.checked_add(mime).filter(|&p| p <= b.len())?;
    let desc = u32_be(b, pos)?;
    pos = pos.checked_add(4)?.checked_add(desc).filter(|&p| p <= b.len())?;
    let data = u32_be(b, pos + 16)?;
    pos.checked_add(20)?.checked_add(data).filter(|&p| p <= b.len()).map(|_| ())
}

/// `(format tag, channels, block align)` from a RIFF/WAVE `fmt ` chunk.
fn wav_fmt(bytes: &[u8]) -> Option<(u16, u16, u16)> {
    if bytes.get(0..4)? != b"RIFF" || bytes.get(8..12)? != b"WAVE" {
        return None;
    }
    let mut pos = 12usize;
    for _ in 0..16 {
        let id = bytes.get(pos..pos + 4)?;
        let len = u32_le(bytes, pos + 4)?;
        if id == b"fmt " {
            let body = bytes.get(pos + 8..pos + 22)?;
            let word = |i: usize| u16::from_le_bytes([body[i], body[i + 1]]);
            return Some((word(0), word(2), word(12)));
        }
        pos = pos.checked_add(8)?.checked_add(len)?.checked_add(len % 2)?;
    }
    None
}

/// ADPCM frames per block are computed in `u16` from the block alignment:
/// refuse alignments that underflow or overflow that arithmetic.
fn adpcm_block((tag, channels, align): (u16, u16, u16)) -> Result<(), AudioError> {
    let header: u32 = match tag {
        0x0002 => 7, // Microsoft ADPCM
        0x0011 => 4, // IMA ADPCM
        _ => return Ok(()),
    };
    if channels > 2 {
        // symphonia's ADPCM decoder reaches `unreachable!()` beyond stereo.
        return Err(AudioError::InvalidParams(format!("ADPCM with {channels} channels (at most 2)")));
    }
    let need = header * u32::from(channels.max(1));
    let ok = u32::from(align) >= need && (u32::from(align) - need) * 8 <= u32::from(u16::MAX);
    if ok {
        Ok(())
    } else {
        Err(AudioError::Corrupt(format!("ADPCM block alignment {align} is invalid for {channels} channels")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(name: &str) -> Vec<u8> {
        let path = format!("{}/tests/fixtures/fuzz/{name}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    #[test]
    fn the_fuzzers_findings_are_refused_up_front() {
        for name in ["audio_decode-flac-comment-alloc.bin", "audio_decode-wav-adpcm-overflow.bin"] {
            assert!(matches!(check(&finding(name)), Err(AudioError::Corrupt(_))), "{name}");
        }
        let multi = finding("audio_decode-adpcm-block-range.bin");
        assert!(matches!(check(&multi), Err(AudioError::InvalidParams(_))), "ADPCM beyond stereo");
    }

    #[test]
    fn sound_headers_pass() {
        // A comment block holding exactly what it declares.
        let mut c = Vec::new();
        c.extend_from_slice(&3u32.to_le_bytes());
        c.extend_from_slice(b"abc");
        c.extend_from_slice(&1u32.to_le_bytes());
        c.extend_from_slice(&5u32.to_le_bytes());
        c.extend_from_slice(b"A=bcd");
        let mut flac = b"fLaC".to_vec();
        flac.push(0x84);
        flac.extend_from_slice(&(c.len() as u32).to_be_bytes()[1..]);
        flac.extend_from_slice(&c);
        assert!(check(&flac).is_ok());
        // One byte short is refused.
        let mut short = flac.clone();
        let n = short.len();
        short[n - 6] = 6;
        assert!(check(&short).is_err());
        // IMA ADPCM, mono, a 256-byte block: fine.
        assert!(adpcm_block((0x11, 1, 256)).is_ok());
        assert!(adpcm_block((0x11, 2, 4)).is_err(), "smaller than its headers");
        assert!(adpcm_block((0x01, 2, 4)).is_ok(), "PCM is not ADPCM");
    }
}
