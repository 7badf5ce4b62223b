//! A high-pass filter for the speech band's low edge.
//!
//! Why: hall rumble, air conditioning and pink noise put most of their energy
//! below a few hundred hertz, where speech carries little that Whisper needs
//! (it reads telephone-band audio, 300–3400 Hz, as well as full-band). Cutting
//! there raises the SNR Whisper sees for almost nothing: a second-order
//! Butterworth biquad, one pass, a few multiplications per sample.

use std::f32::consts::PI;

use super::resample::WHISPER_SAMPLE_RATE;

/// Filters 16 kHz samples in place; `cutoff_hz <= 0` leaves them alone.
pub fn high_pass(samples: &mut [f32], cutoff_hz: f32) {
    if !(cutoff_hz > 0.0 && cutoff_hz < WHISPER_SAMPLE_RATE as f32 / 2.0) {
        return;
    }
    // RBJ audio-EQ cookbook high-pass, Q = 1/√2 (Butterworth).
    let w0 = 2.0 * PI * cutoff_hz / WHISPER_SAMPLE_RATE as f32;
    let alpha = w0.sin() / (2.0 * std::f32::consts::FRAC_1_SQRT_2);
    let cos = w0.cos();
    let a0 = 1.0 + alpha;
    let b0 = (1.0 + cos) / 2.0 / a0;
    let b1 = -(1.0 + cos) / a0;
    let b2 = b0;
    let a1 = -2.0 * cos / a0;
    let a2 = (1.0 - alpha) / a0;
    let (mut x1, mut x2, mut y1, mut y2) = (0.0f32, 0.0f32, 0.0f32, 0.0f32);
    for s in samples.iter_mut() {
        let x = *s;
        let y = b0 * x + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2;
        (x2, x1, y2, y1) = (x1, x, y1, y);
        *s = y;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sine(freq: f32) -> Vec<f32> {
        (0..16_000).map(|i| (2.0 * PI * freq * i as f32 / 16_000.0).sin()).collect()
    }

    fn peak(s: &[f32]) -> f32 {
        s[4000..].iter().map(|v| v.abs()).fold(0.0, f32::max)
    }

    #[test]
    fn cuts_rumble_and_keeps_speech_frequencies() {
        let mut low = sine(50.0);
        high_pass(&mut low, 200.0);
        assert!(peak(&low) < 0.1, "{}", peak(&low));
        let mut mid = sine(1000.0);
        high_pass(&mut mid, 200.0);
        assert!((peak(&mid) - 1.0).abs() < 0.05, "{}", peak(&mid));
        let mut off = sine(50.0);
        high_pass(&mut off, 0.0);
        assert_eq!(off, sine(50.0));
    }
}
