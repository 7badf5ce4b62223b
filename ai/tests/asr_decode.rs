//! Audio decoding on generated files: formats, rates, limits and hostile
//! input. Needs no model, so it runs everywhere; the clips built by espeak-ng
//! and the other containers are covered in `asr_models.rs`.

use std::time::{Duration, Instant};

use meeteasy_ai::asr::{AudioError, decode_audio};

const MAX: Duration = Duration::from_secs(120);

/// A 16-bit PCM WAV file. `data_len` overrides the data chunk's length field
/// (`u32::MAX` is what streaming encoders write).
fn wav_with_len(rate: u32, channels: u16, frames: &[i16], data_len: Option<u32>) -> Vec<u8> {
    let data_bytes = (frames.len() * 2) as u32;
    let mut out = Vec::with_capacity(44 + frames.len() * 2);
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&data_len.map_or(36 + data_bytes, |l| l).to_le_bytes());
    out.extend_from_slice(b"WAVEfmt ");
    out.extend_from_slice(&16u32.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes()); // PCM
    out.extend_from_slice(&channels.to_le_bytes());
    out.extend_from_slice(&rate.to_le_bytes());
    out.extend_from_slice(&(rate * u32::from(channels) * 2).to_le_bytes());
    out.extend_from_slice(&(channels * 2).to_le_bytes());
    out.extend_from_slice(&16u16.to_le_bytes());
    out.extend_from_slice(b"data");
    out.extend_from_slice(&data_len.unwrap_or(data_bytes).to_le_bytes());
    for s in frames {
        out.extend_from_slice(&s.to_le_bytes());
    }
    out
}

fn wav(rate: u32, channels: u16, samples: &[i16]) -> Vec<u8> {
    wav_with_len(rate, channels, samples, None)
}

/// Interleaved tone, `channels` copies of a 440 Hz sine.
fn tone(rate: u32, channels: u16, seconds: f32) -> Vec<i16> {
    let n = (rate as f32 * seconds) as usize;
    (0..n)
        .flat_map(|i| {
            let v = ((2.0 * std::f32::consts::PI * 440.0 * i as f32 / rate as f32).sin() * 8000.0) as i16;
            std::iter::repeat_n(v, usize::from(channels))
        })
        .collect()
}

fn code(result: Result<meeteasy_ai::asr::DecodedAudio, AudioError>) -> &'static str {
    match result {
        Ok(_) => "ok",
        Err(e) => e.code(),
    }
}

#[test]
fn a_16khz_mono_wav_passes_through() {
    let audio = decode_audio(&wav(16_000, 1, &tone(16_000, 1, 1.0)), MAX).expect("decode");
    assert_eq!((audio.sample_rate, audio.channels, audio.samples.len()), (16_000, 1, 16_000));
    assert!((audio.duration.as_secs_f32() - 1.0).abs() < 1e-3);
    let peak = audio.samples.iter().fold(0.0f32, |m, s| m.max(s.abs()));
    assert!((peak - 8000.0 / 32768.0).abs() < 0.01, "peak {peak}");
}

#[test]
fn a_44khz_stereo_wav_is_downmixed_and_resampled() {
    let audio = decode_audio(&wav(44_100, 2, &tone(44_100, 2, 1.5)), MAX).expect("decode");
    assert_eq!((audio.sample_rate, audio.channels, audio.samples.len()), (44_100, 2, 24_000));
    // Both channels carry the same tone, so the mono mix keeps its level.
    let peak = audio.samples[1000..23_000].iter().fold(0.0f32, |m, s| m.max(s.abs()));
    assert!((peak - 8000.0 / 32768.0).abs() < 0.01, "peak {peak}");
}

#[test]
fn opposite_channels_cancel_in_the_downmix() {
    let frames: Vec<i16> = tone(48_000, 1, 0.5).into_iter().flat_map(|s| [s, -s]).collect();
    let audio = decode_audio(&wav(48_000, 2, &frames), MAX).expect("decode");
    assert!(audio.samples.iter().all(|s| s.abs() < 1e-3));
}

#[test]
fn garbage_is_an_unsupported_format() {
    let mut x: u32 = 12345;
    let garbage: Vec<u8> = (0..8192)
        .map(|_| {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
            (x >> 16) as u8
        })
        .collect();
    assert_eq!(code(decode_audio(&garbage, MAX)), "audio.unsupported_format");
    assert_eq!(code(decode_audio(b"hello, this is a text file, not audio\n", MAX)), "audio.unsupported_format");
    assert_eq!(code(decode_audio(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", MAX)), "audio.unsupported_format");
}

#[test]
fn no_bytes_or_no_frames_is_empty() {
    assert_eq!(code(decode_audio(&[], MAX)), "audio.empty");
    assert_eq!(code(decode_audio(&wav(16_000, 1, &[]), MAX)), "audio.empty");
}

#[test]
fn a_truncated_wav_decodes_what_is_there_or_is_corrupt_and_never_panics() {
    let full = wav(22_050, 2, &tone(22_050, 2, 1.0));
    // Cut mid-data: the first half-second is still good audio.
    let half = decode_audio(&full[..44 + 22_050 * 2], MAX).expect("partial decode");
    assert!((half.duration.as_secs_f32() - 0.5).abs() < 0.01, "{:?}", half.duration);
    // Every other cut, inside the header too: a clean result or a clean error.
    for cut in (0..200).chain((200..full.len()).step_by(997)) {
        let c = code(decode_audio(&full[..cut], MAX));
        assert!(["ok", "audio.corrupt", "audio.empty", "audio.unsupported_format"].contains(&c), "cut at {cut}: {c}");
    }
}

#[test]
fn flipped_bytes_never_panic() {
    let full = wav(8_000, 1, &tone(8_000, 1, 0.5));
    let mut x: u32 = 7;
    for _ in 0..300 {
        let mut bytes = full.clone();
        for _ in 0..4 {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
            let i = (x >> 8) as usize % 64; // the header, where parsing decisions are made
            bytes[i] ^= (x >> 24) as u8 | 1;
        }
        let _ = code(decode_audio(&bytes, MAX));
    }
}

#[test]
fn a_130s_clip_is_refused_from_its_header_without_decoding() {
    let bytes = wav(16_000, 1, &vec![0i16; 16_000 * 130]);
    let started = Instant::now();
    match decode_audio(&bytes, MAX) {
        Err(e @ AudioError::TooLong { .. }) => assert_eq!(e.code(), "audio.too_long"),
        other => panic!("expected audio.too_long, got {:?}", other.map(|a| a.duration)),
    }
    // Only the copy and the probe: far less than decoding 130 s would take.
    assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
}

#[test]
fn a_stream_without_a_length_is_stopped_at_the_limit_while_decoding() {
    // The length fields say 2^32-1 bytes (a streamed WAV); the real data is 3 s.
    let streamed = wav_with_len(16_000, 1, &vec![0i16; 16_000 * 3], Some(u32::MAX));
    let err = decode_audio(&streamed, Duration::from_secs(2)).err().map(|e| e.code());
    assert_eq!(err, Some("audio.too_long"));
    // The same stream under the limit decodes: its huge declared length is not believed.
    let audio = decode_audio(&streamed, MAX).expect("streamed wav");
    assert!((audio.duration.as_secs_f32() - 3.0).abs() < 1e-3, "{:?}", audio.duration);
}

#[test]
fn absurd_rates_and_channel_counts_are_invalid_params() {
    assert_eq!(code(decode_audio(&wav(768_000, 1, &[0; 100]), MAX)), "audio.invalid_params");
    assert_eq!(code(decode_audio(&wav(0, 1, &[0; 100]), MAX)), "audio.invalid_params");
    assert_eq!(code(decode_audio(&wav(16_000, 9, &[0; 900]), MAX)), "audio.invalid_params");
    assert_eq!(code(decode_audio(&wav(16_000, 0, &[0; 9]), MAX)), "audio.invalid_params");
}

/// Every input the fuzzer found (fuzz/findings, copied to
/// tests/fixtures/fuzz) decodes to a classified error: refused up front by
/// the size checks, or a dependency panic caught and reported as corrupt.
#[test]
fn every_fuzz_finding_is_an_error_not_a_crash() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fuzz");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).expect("fixtures/fuzz") {
        let path = entry.expect("entry").path();
        let bytes = std::fs::read(&path).expect("read");
        let got = meeteasy_ai::asr::decode_audio(&bytes, std::time::Duration::from_secs(30));
        let code = got.as_ref().err().map(|e| e.code());
        assert!(
            matches!(code, Some("audio.corrupt" | "audio.invalid_params" | "audio.unsupported_format" | "audio.empty")),
            "{}: {code:?}",
            path.display()
        );
        seen += 1;
    }
    assert!(seen >= 6, "only {seen} findings");
}
