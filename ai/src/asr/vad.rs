//! The voice-activity gate: which stretches of a clip Whisper gets to see.
//!
//! Why: Whisper was trained on subtitled audio and writes *something* for
//! almost any sound, so noise between and around the words is where invented
//! sentences come from; and every second it does not see is encoder time
//! saved. The gate takes RNNoise's per-10 ms voice probability
//! ([`super::denoise`]), keeps the frames above a threshold with some padding
//! either side (onsets and final consonants score low), merges stretches that
//! the padding joins, and ignores stretches with too little speech in them
//! (clicks, a cough). What is left is cut out, joined with a short silence
//! between stretches, and [`SpeechMap::source_time`] maps Whisper's
//! timestamps back onto the original clip. No speech at all means Whisper is
//! not run.

use super::denoise::FRAME_16K;
use super::resample::WHISPER_SAMPLE_RATE;

/// Silence put between two kept stretches, in 16 kHz samples (100 ms): enough
/// for Whisper to hear a pause, short enough not to look like the end.
const JOIN_SILENCE: usize = WHISPER_SAMPLE_RATE as usize / 10;

/// One kept stretch: `len` samples from `source` in the clip, placed at
/// `gathered` in what Whisper sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Span {
    source: usize,
    gathered: usize,
    len: usize,
}

/// The stretches of one clip that hold speech.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpeechMap {
    spans: Vec<Span>,
}

/// How frames become stretches.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GateParams {
    pub threshold: f32,
    pub padding_ms: u32,
    pub min_speech_ms: u32,
}

impl SpeechMap {
    /// The speech stretches of a clip of `len` samples, from per-frame
    /// voice probabilities (frame `i` = samples `160·i..160·(i+1)`).
    pub fn detect(voice_prob: &[f32], len: usize, p: GateParams) -> Self {
        let ms_to_frames = |ms: u32| (ms as usize).div_ceil(10);
        let pad = ms_to_frames(p.padding_ms);
        let min_voiced = ms_to_frames(p.min_speech_ms).max(1);
        // (first frame, end frame, voiced frames) of padded, merged runs.
        let mut runs: Vec<(usize, usize, usize)> = Vec::new();
        for (i, &prob) in voice_prob.iter().enumerate() {
            if prob < p.threshold {
                continue;
            }
            let (start, end) = (i.saturating_sub(pad), (i + 1 + pad).min(voice_prob.len()));
            match runs.last_mut() {
                Some(last) if start <= last.1 => {
                    last.1 = last.1.max(end);
                    last.2 += 1;
                }
                _ => runs.push((start, end, 1)),
            }
        }
        let mut spans = Vec::new();
        let mut gathered = 0;
        for (start, end, voiced) in runs {
            if voiced < min_voiced {
                continue;
            }
            let source = (start * FRAME_16K).min(len);
            let span_len = (end * FRAME_16K).min(len) - source;
            if span_len == 0 {
                continue;
            }
            if !spans.is_empty() {
                gathered += JOIN_SILENCE;
            }
            spans.push(Span { source, gathered, len: span_len });
            gathered += span_len;
        }
        Self { spans }
    }

    /// A map keeping the whole clip (the gate switched off).
    pub fn whole(len: usize) -> Self {
        let spans = if len == 0 { Vec::new() } else { vec![Span { source: 0, gathered: 0, len }] };
        Self { spans }
    }

    /// `true` when nobody spoke.
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// Samples of speech kept (without the joining silences).
    #[cfg(test)]
    pub fn speech_samples(&self) -> usize {
        self.spans.iter().map(|s| s.len).sum()
    }

    /// The kept stretches of `audio`, joined by short silences.
    pub fn gather(&self, audio: &[f32]) -> Vec<f32> {
        let mut out = Vec::with_capacity(self.spans.last().map_or(0, |s| s.gathered + s.len));
        for s in &self.spans {
            out.resize(s.gathered, 0.0);
            out.extend_from_slice(audio.get(s.source..s.source + s.len).unwrap_or(&[]));
        }
        out
    }

    /// A time in the gathered audio (seconds) as a time in the clip.
    pub fn source_time(&self, t: f32) -> f32 {
        let rate = WHISPER_SAMPLE_RATE as f32;
        let at = (t.max(0.0) * rate) as usize;
        // The last span starting at or before `at`; a time inside a joining
        // silence belongs to the end of the span before it.
        let span = self.spans.iter().take_while(|s| s.gathered <= at).last().or(self.spans.first());
        match span {
            Some(s) => (s.source + (at.saturating_sub(s.gathered)).min(s.len)) as f32 / rate,
            None => t,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const P: GateParams = GateParams { threshold: 0.5, padding_ms: 20, min_speech_ms: 30 };

    fn probs(pattern: &str) -> Vec<f32> {
        pattern.chars().map(|c| if c == '#' { 0.9 } else { 0.1 }).collect()
    }

    #[test]
    fn pads_merges_and_drops_clicks() {
        // Speech at frames 10..15 and 17..20 (merged by the padding), a
        // one-frame click at 30, speech at 40..45.
        let p = probs("..........#####..###..........#.........#####.....");
        let len = p.len() * FRAME_16K;
        let map = SpeechMap::detect(&p, len, P);
        let got: Vec<(usize, usize)> = map.spans.iter().map(|s| (s.source / FRAME_16K, s.len / FRAME_16K)).collect();
        assert_eq!(got, vec![(8, 14), (38, 9)]);
        assert_eq!(map.spans[1].gathered, 14 * FRAME_16K + JOIN_SILENCE);
        assert_eq!(map.speech_samples(), 23 * FRAME_16K);
        let audio: Vec<f32> = (0..len).map(|i| i as f32).collect();
        let g = map.gather(&audio);
        assert_eq!(g.len(), 23 * FRAME_16K + JOIN_SILENCE);
        assert_eq!(g[0], (8 * FRAME_16K) as f32);
        assert_eq!(g[14 * FRAME_16K + JOIN_SILENCE], (38 * FRAME_16K) as f32);
    }

    #[test]
    fn maps_times_back_to_the_clip() {
        let p = probs("..........#####..###..........#.........#####.....");
        let map = SpeechMap::detect(&p, p.len() * FRAME_16K, P);
        assert!((map.source_time(0.0) - 0.08).abs() < 1e-3);
        assert!((map.source_time(0.05) - 0.13).abs() < 1e-3);
        // Inside the joining silence: the end of the first span.
        assert!((map.source_time(0.145) - 0.22).abs() < 1e-3);
        // Second span: starts at 0.14 + 0.1 in gathered time, 0.38 in the clip.
        assert!((map.source_time(0.26) - 0.40).abs() < 1e-3);
        // Past the end: clamped to the end of the last span.
        assert!((map.source_time(9.0) - 0.47).abs() < 1e-3);
    }

    #[test]
    fn silence_is_empty_and_whole_keeps_everything() {
        let map = SpeechMap::detect(&probs(".........."), 1600, P);
        assert!(map.is_empty());
        assert!(map.gather(&[0.0; 1600]).is_empty());
        let whole = SpeechMap::whole(1600);
        assert_eq!(whole.gather(&[0.5; 1600]).len(), 1600);
        assert!((whole.source_time(0.05) - 0.05).abs() < 1e-6);
        // Probabilities for a clip shorter than the frames claim: clamped.
        let map = SpeechMap::detect(&probs("#####"), 500, P);
        assert_eq!(map.speech_samples(), 500);
    }
}
