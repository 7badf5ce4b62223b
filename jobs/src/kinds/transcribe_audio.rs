//! `transcribe_audio`: decode an uploaded clip and transcribe it with the
//! warm Whisper model. Decoding runs in the parser sandbox (a limited child
//! process: demuxers size buffers from what the file declares); inference
//! runs on a blocking thread, never on the async runtime.

use std::time::{Duration, Instant};

use meeteasy_ai::asr::TranscribeOptions;
use meeteasy_models::JobKind;
use serde::{Deserialize, Serialize};

use crate::runtime::JobContext;
use crate::store::BlobId;
use crate::{JobFailure, JobSpec};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TranscribeAudio {
    pub blob_id: BlobId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prompt: Option<String>,
    #[serde(default)]
    pub temperature: f32,
    /// Longer clips are refused (`audio.too_long`).
    pub max_duration_secs: u64,
}

impl JobSpec for TranscribeAudio {
    const KIND: JobKind = JobKind::TranscribeAudio;

    async fn run(self, ctx: JobContext) -> Result<serde_json::Value, JobFailure> {
        let pool = ctx
            .services
            .speech
            .clone()
            .ok_or_else(|| JobFailure::retry("asr.not_available", "no speech model on this worker"))?;
        let Some((_, bytes)) = ctx.store.get_blob(&ctx.tenant_id, &self.blob_id).await? else {
            return Err(JobFailure::abort("audio.missing", "the uploaded audio is gone"));
        };
        let max = Duration::from_secs(self.max_duration_secs.max(1));
        let started = Instant::now();
        let audio = ctx.services.sandbox.decode_audio(bytes, max).await?;
        let decode_ms = started.elapsed().as_secs_f64() * 1000.0;
        let opts = TranscribeOptions {
            language: self.language,
            prompt: self.prompt,
            temperature: self.temperature,
            threads: pool.threads,
            audio_ctx: None,
        };
        let mut checkout = pool.checkout().await.map_err(|e| JobFailure::retry(e.code(), e.to_string()))?;
        let (checkout, outcome) = tokio::task::spawn_blocking(move || {
            let r = checkout.slot.transcribe(&audio.samples, &opts);
            (checkout, r)
        })
        .await
        .map_err(|_| JobFailure::retry("job.panicked", "the speech engine crashed"))?;
        pool.give_back(checkout);
        let transcript = outcome.map_err(|e| JobFailure::abort(e.code(), e.to_string()))?;
        metrics::histogram!("meeteasy_asr_decode_seconds").record(decode_ms / 1000.0);
        metrics::histogram!("meeteasy_asr_inference_seconds").record(transcript.timings.total_ms / 1000.0);
        let mut result =
            serde_json::to_value(&transcript).map_err(|e| JobFailure::abort("asr.output", e.to_string()))?;
        result["timings"]["decode_ms"] = serde_json::json!((decode_ms * 10.0).round() / 10.0);
        Ok(result)
    }
}
