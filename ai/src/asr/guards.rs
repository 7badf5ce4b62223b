//! Hallucination guards: rules that drop a decoded segment rather than
//! return text nobody said.
//!
//! Why: on noise Whisper does not fall silent, it writes fluent sentences of
//! its own ("We've read a story for the female sessions…" for white noise at
//! 5 dB). Those segments have tell-tale scores, the same ones OpenAI's
//! reference decoder uses for its fallbacks:
//!
//! * a high no-speech probability (the model itself doubts anyone spoke);
//! * a low mean log-probability of the text tokens (it was guessing);
//! * text that compresses too well (a decoding loop repeating a phrase);
//! * more words than the speech it was given could hold (nobody speaks
//!   faster than ~5 words a second; tiny.en's loops do).
//!
//! An empty transcript is the accepted answer to noise; invented text is not.

use std::io::Write;

use flate2::Compression;
use flate2::write::DeflateEncoder;

/// Why a segment was dropped (for logs and the benchmark).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rejection {
    NoSpeech,
    LowLogProb,
    Repetitive,
    /// The whole transcript had more words than its speech could hold.
    TooManyWords,
}

/// A decoded segment's scores.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SegmentScores {
    pub no_speech_prob: f32,
    /// Mean natural-log probability of its text tokens (0 when it has none).
    pub avg_logprob: f32,
    /// UTF-8 length over deflate-compressed length of its text.
    pub compression_ratio: f32,
}

/// The thresholds in force ([`NoiseRobustness`](super::NoiseRobustness)).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GuardParams {
    pub no_speech_threshold: f32,
    pub logprob_threshold: f32,
    pub compression_ratio_threshold: f32,
}

/// `Some(reason)` when a segment must be dropped.
pub fn judge(s: &SegmentScores, p: &GuardParams) -> Option<Rejection> {
    // OpenAI treats "no speech" as final only together with a low log
    // probability; whisper.cpp's own window gate does the same. Here a very
    // doubtful segment is dropped on its own, since invented text is the
    // worse error for voice input.
    if s.no_speech_prob > p.no_speech_threshold {
        return Some(Rejection::NoSpeech);
    }
    if s.avg_logprob < p.logprob_threshold {
        return Some(Rejection::LowLogProb);
    }
    if s.compression_ratio > p.compression_ratio_threshold {
        return Some(Rejection::Repetitive);
    }
    None
}

/// How well `text` compresses: a repeated phrase scores far above 2.4, normal
/// sentences 0.8–1.6 (short text does not compress at all).
pub fn compression_ratio(text: &str) -> f32 {
    let bytes = text.as_bytes();
    if bytes.is_empty() {
        return 0.0;
    }
    let mut enc = DeflateEncoder::new(Vec::new(), Compression::default());
    // Writing to a Vec cannot fail; if it somehow did, call it incompressible.
    let compressed = enc.write_all(bytes).and_then(|()| enc.finish()).map(|v| v.len()).unwrap_or(bytes.len());
    bytes.len() as f32 / compressed.max(1) as f32
}

/// Whether `words` is more than `speech_s` seconds of speech at
/// `max_per_second` could hold (a second of grace for very short clips).
pub fn too_many_words(words: usize, speech_s: f32, max_per_second: f32) -> bool {
    words as f32 > max_per_second * (speech_s + 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    const P: GuardParams =
        GuardParams { no_speech_threshold: 0.6, logprob_threshold: -1.0, compression_ratio_threshold: 2.4 };

    #[test]
    fn ordinary_sentences_pass_and_loops_do_not() {
        let ok = compression_ratio("Please register me for the keynote session tomorrow morning.");
        assert!(ok < 1.6, "{ok}");
        let looped = compression_ratio(&"Thank you for watching. ".repeat(8));
        assert!(looped > 2.4, "{looped}");
        assert_eq!(compression_ratio(""), 0.0);
    }

    #[test]
    fn each_score_can_reject() {
        let good = SegmentScores { no_speech_prob: 0.1, avg_logprob: -0.3, compression_ratio: 1.2 };
        assert_eq!(judge(&good, &P), None);
        let quiet = SegmentScores { no_speech_prob: 0.8, ..good };
        assert_eq!(judge(&quiet, &P), Some(Rejection::NoSpeech));
        let unsure = SegmentScores { avg_logprob: -1.4, ..good };
        assert_eq!(judge(&unsure, &P), Some(Rejection::LowLogProb));
        let looped = SegmentScores { compression_ratio: 3.0, ..good };
        assert_eq!(judge(&looped, &P), Some(Rejection::Repetitive));
    }

    #[test]
    fn word_rate_bound() {
        assert!(!too_many_words(10, 3.0, 5.0));
        assert!(too_many_words(30, 3.0, 5.0));
        assert!(!too_many_words(4, 0.0, 5.0));
        assert!(!too_many_words(1000, 1.0, f32::INFINITY));
    }
}
