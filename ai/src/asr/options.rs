//! Per-request transcription settings and the automatic encoder window.
//!
//! Why shrink the encoder window: Whisper always encodes 30 s of audio (1500
//! frames), even for a 3 s voice note. whisper.cpp can encode fewer frames
//! (`audio_ctx`); on tiny.en a 768-frame window keeps the text of clips up to
//! ~10 s unchanged for ~2.2× less CPU, while ≤ 512 starts changing words and
//! stretching timestamps (measured with espeak-ng clips, see
//! `tools/whisper/README.md`). Longer clips get a window grown in proportion,
//! up to the full 1500.

/// The model's full encoder window (30 s at 50 frames/s).
pub const FULL_AUDIO_CTX: i32 = 1500;
/// The window used for clips up to [`SHORT_CLIP_S`].
pub const SHORT_CLIP_AUDIO_CTX: i32 = 768;
/// The longest clip that gets the fixed short window.
pub const SHORT_CLIP_S: f32 = 10.0;

/// Settings for one [`AsrSlot::transcribe`](super::AsrSlot::transcribe) call.
#[derive(Debug, Clone, PartialEq)]
pub struct TranscribeOptions {
    /// An ISO 639-1 code such as `"en"`; `None` = detect (always `"en"` on
    /// the English-only `.en` models).
    pub language: Option<String>,
    /// Text that primes the decoder (names, jargon) without being transcribed.
    pub prompt: Option<String>,
    /// Sampling temperature; 0 = greedy, deterministic.
    pub temperature: f32,
    /// CPU threads for this call (at least 1).
    pub threads: usize,
    /// Encoder window in frames (50 per second); `None` = [`auto_audio_ctx`].
    pub audio_ctx: Option<i32>,
}

impl Default for TranscribeOptions {
    fn default() -> Self {
        Self { language: None, prompt: None, temperature: 0.0, threads: 1, audio_ctx: None }
    }
}

/// The encoder window for a clip of `duration_s` seconds: 768 frames up to
/// 10 s, then the same frames-per-second ratio (rounded up to a multiple of
/// 32), capped at 1500.
pub fn auto_audio_ctx(duration_s: f32) -> i32 {
    if !duration_s.is_finite() || duration_s <= SHORT_CLIP_S {
        return if duration_s.is_finite() { SHORT_CLIP_AUDIO_CTX } else { FULL_AUDIO_CTX };
    }
    let scaled = (f64::from(SHORT_CLIP_AUDIO_CTX) * f64::from(duration_s) / f64::from(SHORT_CLIP_S)).ceil();
    if scaled >= f64::from(FULL_AUDIO_CTX) {
        return FULL_AUDIO_CTX;
    }
    let frames = scaled as u32;
    (frames.div_ceil(32) * 32).min(FULL_AUDIO_CTX as u32) as i32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_clips_get_the_short_window_and_long_ones_the_full_one() {
        assert_eq!(auto_audio_ctx(0.5), 768);
        assert_eq!(auto_audio_ctx(10.0), 768);
        assert_eq!(auto_audio_ctx(12.0), 928); // 921.6 → next multiple of 32
        assert_eq!(auto_audio_ctx(19.0), 1472);
        assert_eq!(auto_audio_ctx(20.0), 1500);
        assert_eq!(auto_audio_ctx(600.0), 1500);
        assert_eq!(auto_audio_ctx(f32::NAN), 1500);
    }
}
