//! Why an upload could not become audio, as stable codes.
//!
//! Why codes and not just messages: the API returns them to clients and job
//! records store them, so they must not change when a message is reworded or
//! when the decoding library changes its own error texts.

/// Errors produced by [`decode_audio`](super::decode_audio).
#[derive(Debug, thiserror::Error)]
pub enum AudioError {
    /// Not audio, an unknown container, or a codec with no decoder here (Opus).
    #[error("unsupported audio format: {0}")]
    UnsupportedFormat(String),
    /// The container was recognised but its data could not be decoded.
    #[error("corrupt audio: {0}")]
    Corrupt(String),
    /// The file decoded to zero samples.
    #[error("the audio holds no samples")]
    Empty,
    /// Longer than the caller's limit; `duration_s` is what was seen so far
    /// (the declared length, or the decoded length when the limit was hit).
    #[error("audio is longer than {max_s:.1} s (at least {duration_s:.1} s)")]
    TooLong { duration_s: f64, max_s: f64 },
    /// A sample rate or channel count outside what the engine accepts.
    #[error("invalid audio parameters: {0}")]
    InvalidParams(String),
}

impl AudioError {
    /// The stable code for clients and job records.
    pub fn code(&self) -> &'static str {
        match self {
            AudioError::UnsupportedFormat(_) => "audio.unsupported_format",
            AudioError::Corrupt(_) => "audio.corrupt",
            AudioError::Empty => "audio.empty",
            AudioError::TooLong { .. } => "audio.too_long",
            AudioError::InvalidParams(_) => "audio.invalid_params",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_variant_has_its_own_code() {
        let codes = [
            AudioError::UnsupportedFormat(String::new()).code(),
            AudioError::Corrupt(String::new()).code(),
            AudioError::Empty.code(),
            AudioError::TooLong { duration_s: 2.0, max_s: 1.0 }.code(),
            AudioError::InvalidParams(String::new()).code(),
        ];
        let mut unique = codes.to_vec();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), codes.len(), "{codes:?}");
        assert!(codes.iter().all(|c| c.starts_with("audio.")));
    }
}
