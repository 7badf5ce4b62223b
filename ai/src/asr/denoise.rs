//! The denoising front end: RNNoise (nnnoiseless, pure Rust, weights built
//! in) over the 16 kHz clip, which also yields a voice probability per 10 ms.
//!
//! Why RNNoise: it removes stationary and slowly varying noise (fans, hiss,
//! pink/white noise) with a small recurrent network, costs a few percent of
//! Whisper's time, needs no model file and no native build. Why one pass for
//! two jobs: the same network scores each frame's voice probability, which
//! the voice-activity gate ([`super::vad`]) uses, so the gate costs nothing
//! extra.
//!
//! RNNoise only works at 48 kHz on 480-sample (10 ms) frames with 16-bit
//! sample values, so the clip goes 16 kHz → 48 kHz → RNNoise → 16 kHz through
//! the same band-limited resampler as uploads; 10 ms is exactly 160 samples at
//! 16 kHz, so frame `i` of the probabilities covers samples `160·i..160·(i+1)`.
//! The network's output lags its input by one frame; that frame is cut.

use std::sync::OnceLock;

use nnnoiseless::{DenoiseState, RnnModel};

use super::error::AsrError;
use super::resample::{WHISPER_SAMPLE_RATE, resample};

/// RNNoise's sample rate.
const RNNOISE_RATE: u32 = 48_000;
/// RNNoise's frame (10 ms at 48 kHz).
const FRAME: usize = DenoiseState::FRAME_SIZE;
/// One RNNoise frame in 16 kHz samples.
pub const FRAME_16K: usize = FRAME * WHISPER_SAMPLE_RATE as usize / RNNOISE_RATE as usize;
/// RNNoise expects 16-bit sample values in f32.
const PCM_SCALE: f32 = 32_767.0;

/// The front end's output for one clip.
#[derive(Debug, Clone, PartialEq)]
pub struct FrontEnd {
    /// The denoised clip at 16 kHz, as long as the input.
    pub samples: Vec<f32>,
    /// RNNoise's voice probability per 10 ms frame ([`FRAME_16K`] samples).
    pub voice_prob: Vec<f32>,
}

/// The network weights, parsed once per process and shared by every call.
fn model() -> &'static RnnModel {
    static MODEL: OnceLock<RnnModel> = OnceLock::new();
    MODEL.get_or_init(RnnModel::default)
}

/// Denoises 16 kHz mono samples in `[-1, 1]` and scores every 10 ms frame.
pub fn denoise(audio: &[f32]) -> Result<FrontEnd, AsrError> {
    let resampled = |e: super::AudioError| AsrError::InvalidAudio(format!("denoiser resampling: {e}"));
    let mut up = resample(audio, WHISPER_SAMPLE_RATE, RNNOISE_RATE).map_err(resampled)?;
    let frames = up.len().div_ceil(FRAME);
    // One frame more than the input holds: the network lags by one frame.
    up.resize((frames + 1) * FRAME, 0.0);
    for s in &mut up {
        *s *= PCM_SCALE;
    }
    let mut state = DenoiseState::with_model(model());
    let mut cleaned = Vec::with_capacity(frames * FRAME);
    let mut voice_prob = Vec::with_capacity(frames + 1);
    let mut out = [0.0f32; FRAME];
    for (i, chunk) in up.chunks_exact(FRAME).enumerate() {
        let p = state.process_frame(&mut out, chunk);
        voice_prob.push(if p.is_finite() { p.clamp(0.0, 1.0) } else { 0.0 });
        if i > 0 {
            cleaned.extend(out.iter().map(|s| if s.is_finite() { (s / PCM_SCALE).clamp(-1.0, 1.0) } else { 0.0 }));
        }
    }
    // The probability of frame i comes with the output of frame i, i.e. it
    // scores input frame i (the lag is in the audio path only).
    voice_prob.truncate(frames);
    let mut samples = resample(&cleaned, RNNOISE_RATE, WHISPER_SAMPLE_RATE).map_err(resampled)?;
    samples.resize(audio.len(), 0.0);
    Ok(FrontEnd { samples, voice_prob })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tone(n: usize) -> Vec<f32> {
        (0..n).map(|i| (i as f32 * 0.07).sin() * 0.3).collect()
    }

    #[test]
    fn keeps_length_and_scores_every_frame() {
        for n in [1, 159, 160, 16_000, 16_037] {
            let fe = denoise(&tone(n)).expect("denoise");
            assert_eq!(fe.samples.len(), n);
            assert_eq!(fe.voice_prob.len(), n.div_ceil(FRAME_16K), "{n}");
            assert!(fe.voice_prob.iter().all(|p| (0.0..=1.0).contains(p)));
        }
    }

    #[test]
    fn silence_stays_silent_and_is_not_voice() {
        let fe = denoise(&vec![0.0; 16_000]).expect("denoise");
        assert!(fe.samples.iter().all(|s| s.abs() < 1e-4));
        assert!(fe.voice_prob.iter().all(|p| *p < 0.1));
    }

    #[test]
    fn attenuates_white_noise() {
        // A deterministic LCG: white noise at about -28 dBFS (a noisy room).
        let mut x = 12_345u32;
        let noise: Vec<f32> = (0..32_000)
            .map(|_| {
                x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                ((x >> 8) as f32 / (1u32 << 24) as f32 - 0.5) * 0.14
            })
            .collect();
        let rms = |s: &[f32]| (s.iter().map(|v| v * v).sum::<f32>() / s.len() as f32).sqrt();
        let fe = denoise(&noise).expect("denoise");
        // Skip the first half second while the network adapts.
        let (after, before) = (rms(&fe.samples[8000..]), rms(&noise[8000..]));
        assert!(after < before * 0.5, "{after} vs {before}");
    }
}
