//! Mono audio at any rate → 16 kHz, the only rate Whisper takes (and, for
//! the denoiser, 16 kHz ↔ 48 kHz: [`resample`]).
//!
//! Why a band-limited FFT resampler (rubato) and not linear interpolation:
//! uploads are mostly 44.1/48 kHz, and naive decimation folds everything above
//! 8 kHz back into the speech band as noise. Why resample after downmixing:
//! one channel costs a fraction of eight and the result is the same.

use rubato::{FftFixedIn, Resampler};

use super::audio_error::AudioError;

/// The sample rate Whisper expects.
pub const WHISPER_SAMPLE_RATE: u32 = 16_000;

/// Input frames per resampler call: small enough to keep the FFTs cheap,
/// large enough that per-call overhead does not matter.
const CHUNK: usize = 1024;

/// Streaming resampler: decoded packets go in as they come, so a long upload
/// at 384 kHz never sits in memory at its original rate.
pub(crate) struct ToWhisperRate {
    rate: u32,
    /// The output rate ([`WHISPER_SAMPLE_RATE`] for uploads).
    target: u32,
    /// `None` when the input already is at 16 kHz.
    resampler: Option<FftFixedIn<f32>>,
    pending: Vec<f32>,
    input_frames: u64,
    out: Vec<f32>,
}

impl ToWhisperRate {
    pub(crate) fn new(rate: u32) -> Result<Self, AudioError> {
        Self::between(rate, WHISPER_SAMPLE_RATE)
    }

    /// A resampler from `rate` to `target` (both non-zero).
    pub(crate) fn between(rate: u32, target: u32) -> Result<Self, AudioError> {
        let resampler = if rate == target {
            None
        } else {
            let r = FftFixedIn::<f32>::new(rate as usize, target as usize, CHUNK, 2, 1)
                .map_err(|e| AudioError::InvalidParams(format!("cannot resample from {rate} Hz: {e}")))?;
            Some(r)
        };
        Ok(Self { rate, target, resampler, pending: Vec::new(), input_frames: 0, out: Vec::new() })
    }

    /// Feeds mono samples at the input rate.
    pub(crate) fn push(&mut self, mono: &[f32]) -> Result<(), AudioError> {
        self.input_frames += mono.len() as u64;
        let rate = self.rate;
        let Some(r) = self.resampler.as_mut() else {
            self.out.extend_from_slice(mono);
            return Ok(());
        };
        self.pending.extend_from_slice(mono);
        let mut pos = 0;
        while self.pending.len() - pos >= r.input_frames_next() {
            let take = r.input_frames_next();
            let chunk = r.process(&[&self.pending[pos..pos + take]], None).map_err(|e| failed(rate, &e))?;
            pos += take;
            self.out.extend(chunk.iter().flatten());
        }
        self.pending.drain(..pos);
        Ok(())
    }

    /// Flushes the resampler. The result has exactly `ceil(frames * target /
    /// rate)` samples, aligned with the input (the resampler's delay is cut).
    pub(crate) fn finish(mut self) -> Result<Vec<f32>, AudioError> {
        let Some(mut r) = self.resampler.take() else {
            return Ok(self.out);
        };
        let expected = (self.input_frames * u64::from(self.target)).div_ceil(u64::from(self.rate)) as usize;
        let delay = r.output_delay();
        if !self.pending.is_empty() {
            let chunk = r.process_partial(Some(&[&self.pending[..]]), None).map_err(|e| failed(self.rate, &e))?;
            self.out.extend(chunk.iter().flatten());
        }
        // Push the delayed tail out with silence until the whole signal is through.
        while self.out.len() < expected + delay {
            let chunk = r.process_partial::<&[f32]>(None, None).map_err(|e| failed(self.rate, &e))?;
            if chunk.iter().all(Vec::is_empty) {
                break;
            }
            self.out.extend(chunk.iter().flatten());
        }
        Ok(self.out.into_iter().skip(delay).take(expected).collect())
    }
}

/// Resamples a whole mono signal from `from` to `to` Hz in one go.
pub(crate) fn resample(samples: &[f32], from: u32, to: u32) -> Result<Vec<f32>, AudioError> {
    let mut r = ToWhisperRate::between(from, to)?;
    r.push(samples)?;
    r.finish()
}

fn failed(rate: u32, e: &dyn std::fmt::Display) -> AudioError {
    AudioError::Corrupt(format!("resampling from {rate} Hz failed: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Resamples in uneven pushes, as packets arrive.
    fn to_whisper_rate(mono: &[f32], rate: u32) -> Result<Vec<f32>, AudioError> {
        let mut r = ToWhisperRate::new(rate)?;
        for piece in mono.chunks(777) {
            r.push(piece)?;
        }
        r.finish()
    }

    fn sine(freq: f32, rate: u32, seconds: f32) -> Vec<f32> {
        let n = (rate as f32 * seconds) as usize;
        (0..n).map(|i| (2.0 * std::f32::consts::PI * freq * i as f32 / rate as f32).sin() * 0.5).collect()
    }

    #[test]
    fn keeps_length_and_a_tone_below_nyquist() {
        let out = to_whisper_rate(&sine(1000.0, 44_100, 1.0), 44_100).expect("resample");
        assert_eq!(out.len(), 16_000);
        // Compare with the same tone generated at 16 kHz, away from the edges.
        let reference = sine(1000.0, WHISPER_SAMPLE_RATE, 1.0);
        let err =
            out[2000..14_000].iter().zip(&reference[2000..14_000]).map(|(a, b)| (a - b).abs()).fold(0.0, f32::max);
        assert!(err < 0.02, "max error {err}");
    }

    #[test]
    fn removes_content_above_8_khz() {
        let out = to_whisper_rate(&sine(12_000.0, 48_000, 1.0), 48_000).expect("resample");
        let peak = out[2000..14_000].iter().map(|s| s.abs()).fold(0.0, f32::max);
        assert!(peak < 0.01, "aliased peak {peak}");
    }

    #[test]
    fn handles_tiny_inputs_and_odd_rates() {
        assert_eq!(to_whisper_rate(&[0.1, 0.2, 0.3], 8000).expect("3 samples").len(), 6);
        assert_eq!(to_whisper_rate(&vec![0.0; 22_050], 22_050).expect("odd rate").len(), 16_000);
        assert_eq!(to_whisper_rate(&vec![0.0; 1001], 1001).expect("prime-ish rate").len(), 16_000);
    }
}
