//! Uploaded bytes → 16 kHz mono f32, the input Whisper takes.
//!
//! Why by content: file names and MIME types come from the client and are
//! often wrong (a `.webm` from one browser, an `.m4a` renamed to `.mp3`), so
//! symphonia's probe decides from the bytes.
//!
//! Why the checks: the bytes are hostile until decoded. The container's
//! declared length is checked before any decoding so an hour-long upload is
//! refused at once; the decoded length is checked after every packet so a file
//! that lies about (or omits) its length is stopped at the limit too; rates
//! and channel counts are bounded before they size any buffer; and the whole
//! decode runs under `catch_unwind`, so a decoder bug on a crafted file
//! becomes `audio.corrupt` instead of taking the worker down.

use std::io::Cursor;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::Duration;

use serde::Serialize;
use symphonia::core::audio::{AudioBuffer, AudioBufferRef, Signal};
use symphonia::core::codecs::{CODEC_TYPE_NULL, CODEC_TYPE_OPUS, CodecParameters, DecoderOptions};
use symphonia::core::conv::IntoSample;
use symphonia::core::errors::Error as SymphoniaError;
use symphonia::core::formats::FormatOptions;
use symphonia::core::io::MediaSourceStream;
use symphonia::core::meta::MetadataOptions;
use symphonia::core::probe::Hint;
use symphonia::core::sample::Sample;

use super::audio_error::AudioError;
use super::resample::ToWhisperRate;
use super::sniff::{starts_like_audio, wav_format};

/// The highest input sample rate accepted (the top of common studio rates).
pub const MAX_SAMPLE_RATE: u32 = 384_000;
/// The most channels accepted (7.1).
pub const MAX_CHANNELS: usize = 8;

/// Decoded audio, ready for [`AsrSlot::transcribe`](super::AsrSlot::transcribe).
#[derive(Debug, Clone, Serialize)]
pub struct DecodedAudio {
    /// Mono samples in `[-1, 1]` at 16 kHz.
    #[serde(skip)]
    pub samples: Vec<f32>,
    /// The upload's own sample rate, before resampling.
    pub sample_rate: u32,
    /// The upload's own channel count, before the downmix.
    pub channels: u16,
    /// The decoded length.
    pub duration: Duration,
}

/// Decodes any supported upload (wav, mp3, ogg/vorbis, webm/mkv, m4a/aac,
/// flac), downmixes it to mono and resamples it to 16 kHz. Refuses audio
/// longer than `max_duration`.
pub fn decode_audio(bytes: &[u8], max_duration: Duration) -> Result<DecodedAudio, AudioError> {
    match catch_unwind(AssertUnwindSafe(|| decode(bytes, max_duration))) {
        Ok(result) => result,
        Err(_) => Err(AudioError::Corrupt("the decoder failed on malformed data".into())),
    }
}

fn decode(bytes: &[u8], max_duration: Duration) -> Result<DecodedAudio, AudioError> {
    if bytes.is_empty() {
        return Err(AudioError::Empty);
    }
    if let Some((channels, rate)) = wav_format(bytes) {
        check_rate(rate)?;
        check_channels(usize::from(channels))?;
    }
    super::precheck::check(bytes)?;
    // Failures before any audio came out: corrupt if it looked like audio.
    let early = |msg: String| {
        if starts_like_audio(bytes) { AudioError::Corrupt(msg) } else { AudioError::UnsupportedFormat(msg) }
    };
    // symphonia's source must own its data ('static); one copy of the upload.
    let source = MediaSourceStream::new(Box::new(Cursor::new(bytes.to_vec())), Default::default());
    let probed = symphonia::default::get_probe()
        .format(&Hint::new(), source, &FormatOptions::default(), &MetadataOptions::default())
        .map_err(|e| match e {
            SymphoniaError::Unsupported(_) => AudioError::UnsupportedFormat("not a known audio container".into()),
            // A recognised container whose headers are broken or cut short.
            other => early(other.to_string()),
        })?;
    let mut reader = probed.format;

    let track = reader
        .tracks()
        .iter()
        .find(|t| t.codec_params.codec != CODEC_TYPE_NULL)
        .ok_or_else(|| AudioError::UnsupportedFormat("the file has no audio track".into()))?;
    let (track_id, params) = (track.id, track.codec_params.clone());
    check_declared(&params, bytes.len(), max_duration)?;

    let mut decoder = symphonia::default::get_codecs().make(&params, &DecoderOptions::default()).map_err(|e| {
        if params.codec == CODEC_TYPE_OPUS {
            AudioError::UnsupportedFormat("Opus audio cannot be decoded here".into())
        } else {
            match e {
                SymphoniaError::Unsupported(what) => AudioError::UnsupportedFormat(format!("no decoder: {what}")),
                other => AudioError::Corrupt(other.to_string()),
            }
        }
    })?;

    let mut state = DecodeState::new(max_duration);
    loop {
        let packet = match reader.next_packet() {
            Ok(p) => p,
            Err(SymphoniaError::IoError(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => break,
            // A new logical stream (chained ogg): the first one is the upload.
            Err(SymphoniaError::ResetRequired) => break,
            // Damage after some good audio: keep what decoded (a cut-off upload).
            Err(_) if state.frames > 0 => break,
            Err(e) => return Err(early(e.to_string())),
        };
        if packet.track_id() != track_id {
            continue;
        }
        match decoder.decode(&packet) {
            Ok(buffer) => state.push(buffer)?,
            // One bad packet: skip it, as players do.
            Err(SymphoniaError::DecodeError(_) | SymphoniaError::IoError(_)) => state.bad_packets += 1,
            Err(SymphoniaError::Unsupported(what)) => {
                return Err(AudioError::UnsupportedFormat(format!("unsupported codec feature: {what}")));
            }
            Err(e) => return Err(AudioError::Corrupt(e.to_string())),
        }
    }
    if state.frames == 0 && state.bad_packets > 0 {
        return Err(early(format!("none of {} audio packets could be decoded", state.bad_packets)));
    }
    state.finish()
}

/// Refuses bad parameters and too-long audio from the headers alone.
fn check_declared(params: &CodecParameters, byte_len: usize, max_duration: Duration) -> Result<(), AudioError> {
    if let Some(rate) = params.sample_rate {
        check_rate(rate)?;
        if let Some(frames) = declared_frames(params, byte_len) {
            let seconds = frames as f64 / f64::from(rate);
            if seconds > max_duration.as_secs_f64() {
                return Err(AudioError::TooLong { duration_s: seconds, max_s: max_duration.as_secs_f64() });
            }
        }
    }
    if let Some(channels) = params.channels {
        check_channels(channels.count())?;
    }
    Ok(())
}

/// The container's frame count, where it can be believed. For fixed-size
/// samples (PCM, ADPCM) it is capped by what the file can hold: a WAV piped
/// out of ffmpeg declares 2³²−1 bytes of data, and a cut-off upload declares
/// more than it has; neither is long audio.
fn declared_frames(params: &CodecParameters, byte_len: usize) -> Option<u64> {
    let frames = params.n_frames?;
    match (params.bits_per_coded_sample, params.channels) {
        (Some(bits), Some(channels)) if bits > 0 => {
            let bits_per_frame = u64::from(bits) * channels.count() as u64;
            let room = (byte_len as u64).saturating_mul(8) / bits_per_frame.max(1);
            Some(frames.min(room))
        }
        _ => Some(frames),
    }
}

fn check_rate(rate: u32) -> Result<(), AudioError> {
    if rate == 0 || rate > MAX_SAMPLE_RATE {
        return Err(AudioError::InvalidParams(format!("sample rate {rate} Hz (accepted: 1..={MAX_SAMPLE_RATE})")));
    }
    Ok(())
}

fn check_channels(channels: usize) -> Result<(), AudioError> {
    if channels == 0 || channels > MAX_CHANNELS {
        return Err(AudioError::InvalidParams(format!("{channels} channels (accepted: 1..={MAX_CHANNELS})")));
    }
    Ok(())
}

/// What the decode loop has accumulated so far.
struct DecodeState {
    max_duration: Duration,
    /// Fixed by the first decoded buffer.
    rate: Option<u32>,
    channels: usize,
    frames: u64,
    bad_packets: u64,
    resampler: Option<ToWhisperRate>,
    mono: Vec<f32>,
}

impl DecodeState {
    fn new(max_duration: Duration) -> Self {
        Self { max_duration, rate: None, channels: 0, frames: 0, bad_packets: 0, resampler: None, mono: Vec::new() }
    }

    fn push(&mut self, buffer: AudioBufferRef<'_>) -> Result<(), AudioError> {
        let spec = *buffer.spec();
        let channels = spec.channels.count();
        check_channels(channels)?;
        let rate = match self.rate {
            None => {
                check_rate(spec.rate)?;
                self.resampler = Some(ToWhisperRate::new(spec.rate)?);
                self.rate = Some(spec.rate);
                spec.rate
            }
            Some(rate) if rate == spec.rate => rate,
            Some(rate) => {
                return Err(AudioError::Corrupt(format!("sample rate changes mid-stream ({rate} → {} Hz)", spec.rate)));
            }
        };
        self.channels = self.channels.max(channels);
        self.frames += buffer.frames() as u64;
        let seconds = self.frames as f64 / f64::from(rate);
        if seconds > self.max_duration.as_secs_f64() {
            return Err(AudioError::TooLong { duration_s: seconds, max_s: self.max_duration.as_secs_f64() });
        }
        self.mono.clear();
        downmix_ref(&buffer, &mut self.mono);
        match self.resampler.as_mut() {
            Some(r) => r.push(&self.mono),
            None => Ok(()),
        }
    }

    fn finish(self) -> Result<DecodedAudio, AudioError> {
        let (Some(rate), Some(resampler)) = (self.rate, self.resampler) else {
            return Err(AudioError::Empty);
        };
        if self.frames == 0 {
            return Err(AudioError::Empty);
        }
        let samples = resampler.finish()?;
        Ok(DecodedAudio {
            samples,
            sample_rate: rate,
            channels: u16::try_from(self.channels).unwrap_or(u16::MAX),
            duration: Duration::from_secs_f64(self.frames as f64 / f64::from(rate)),
        })
    }
}

/// Appends the average of all channels of `buffer` to `out`.
fn downmix_ref(buffer: &AudioBufferRef<'_>, out: &mut Vec<f32>) {
    match buffer {
        AudioBufferRef::U8(b) => downmix(b, out),
        AudioBufferRef::U16(b) => downmix(b, out),
        AudioBufferRef::U24(b) => downmix(b, out),
        AudioBufferRef::U32(b) => downmix(b, out),
        AudioBufferRef::S8(b) => downmix(b, out),
        AudioBufferRef::S16(b) => downmix(b, out),
        AudioBufferRef::S24(b) => downmix(b, out),
        AudioBufferRef::S32(b) => downmix(b, out),
        AudioBufferRef::F32(b) => downmix(b, out),
        AudioBufferRef::F64(b) => downmix(b, out),
    }
}

fn downmix<S: Sample + IntoSample<f32>>(buffer: &AudioBuffer<S>, out: &mut Vec<f32>) {
    let channels = buffer.spec().channels.count();
    let start = out.len();
    out.resize(start + buffer.frames(), 0.0);
    for ch in 0..channels {
        for (acc, s) in out[start..].iter_mut().zip(buffer.chan(ch)) {
            *acc += (*s).into_sample();
        }
    }
    let scale = 1.0 / channels.max(1) as f32;
    for acc in &mut out[start..] {
        // Decoders may emit NaN/inf on crafted input; Whisper must never see them.
        *acc = if acc.is_finite() { (*acc * scale).clamp(-1.0, 1.0) } else { 0.0 };
    }
}
