//! A look at the first bytes, before symphonia sees them.
//!
//! Why, when symphonia probes by content anyway: its probe also scans past
//! the start for an MPEG sync word, which random bytes contain often, so a
//! failure after the probe does not say whether the upload was audio at all.
//! A file that *starts* like a known container and then fails is
//! `audio.corrupt`; anything else is `audio.unsupported_format`. And the WAV
//! header is checked here because symphonia 0.5 panics on a zero sample rate
//! instead of returning an error.

/// Whether `bytes` start with the signature of a container we decode.
pub fn starts_like_audio(bytes: &[u8]) -> bool {
    let at = |offset: usize, magic: &[u8]| bytes.get(offset..offset + magic.len()) == Some(magic);
    at(0, b"RIFF")
        || at(0, b"fLaC")
        || at(0, b"OggS")
        || at(0, b"ID3")
        || at(0, &[0x1A, 0x45, 0xDF, 0xA3]) // EBML: webm/mkv
        || at(4, b"ftyp") // mp4/m4a
        || matches!(bytes, [0xFF, b, ..] if b & 0xE0 == 0xE0) // MPEG audio frame sync
}

/// `(channels, sample_rate)` from a RIFF/WAVE `fmt ` chunk, if there is one.
pub fn wav_format(bytes: &[u8]) -> Option<(u16, u32)> {
    if bytes.get(0..4)? != b"RIFF" || bytes.get(8..12)? != b"WAVE" {
        return None;
    }
    let mut pos = 12usize;
    // A handful of chunks (LIST, fact…) may precede `fmt `; don't walk forever.
    for _ in 0..16 {
        let id = bytes.get(pos..pos + 4)?;
        let len = u32::from_le_bytes(bytes.get(pos + 4..pos + 8)?.try_into().ok()?) as usize;
        if id == b"fmt " {
            let body = bytes.get(pos + 8..pos + 16)?;
            let channels = u16::from_le_bytes([body[2], body[3]]);
            let rate = u32::from_le_bytes([body[4], body[5], body[6], body[7]]);
            return Some((channels, rate));
        }
        pos = pos.checked_add(8)?.checked_add(len)?.checked_add(len % 2)?;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_container_starts() {
        assert!(starts_like_audio(b"RIFF\0\0\0\0WAVE"));
        assert!(starts_like_audio(b"\0\0\0\x20ftypM4A "));
        assert!(starts_like_audio(&[0xFF, 0xFB, 0x90, 0x00]));
        assert!(!starts_like_audio(b"hello"));
        assert!(!starts_like_audio(&[]));
    }

    #[test]
    fn reads_the_wav_format_chunk_and_survives_short_headers() {
        let mut h = b"RIFF\0\0\0\0WAVEfmt \x10\0\0\0\x01\0\x02\0\x44\xAC\0\0".to_vec();
        assert_eq!(wav_format(&h), Some((2, 44_100)));
        h.truncate(26);
        assert_eq!(wav_format(&h), None);
        assert_eq!(wav_format(b"RIFF\0\0\0\0WAVEjunk\xff\xff\xff\xff"), None);
    }
}
