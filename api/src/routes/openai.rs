//! `POST /v1/audio/transcriptions`: OpenAI-compatible speech to text, so
//! the official OpenAI clients work against us (`base_url` = our `/v1`,
//! API key = our JWT).
//!
//! Synchronous like OpenAI's: the same `transcribe_audio` job runs behind
//! it (a job record exists, with tenant and metrics) and the request waits
//! for it. Fields: `file`, `model` (accepted, the deployment's model is
//! used), `language`, `prompt`, `temperature`, `response_format`
//! (`json` | `text` | `srt` | `vtt` | `verbose_json`) and
//! `timestamp_granularities[]` (`segment`).

use std::time::Duration;

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use meeteasy_models::JobStatus;
use meeteasy_pipelines::subtitles::{Cue, srt, vtt};
use serde_json::{Value, json};

use crate::http::auth::AuthUser;
use crate::http::error::ApiError;
use crate::http::extract::Multipart;
use crate::http::{upload, wait};
use crate::routes::transcriptions::{AudioUpload, store_and_describe};
use crate::state::AppState;

const FORMATS: [&str; 5] = ["json", "text", "srt", "vtt", "verbose_json"];

/// OpenAI reports languages by name in `verbose_json`.
fn language_name(code: &str) -> String {
    match code {
        "en" => "english",
        "zh" => "chinese",
        "ja" => "japanese",
        "ko" => "korean",
        "fr" => "french",
        "de" => "german",
        "es" => "spanish",
        other => other,
    }
    .to_string()
}

fn cues(result: &Value) -> Vec<Cue> {
    result["segments"]
        .as_array()
        .map(|segs| {
            segs.iter()
                .map(|s| Cue {
                    start: s["start"].as_f64().unwrap_or(0.0),
                    end: s["end"].as_f64().unwrap_or(0.0),
                    text: s["text"].as_str().unwrap_or_default().to_string(),
                })
                .collect()
        })
        .unwrap_or_default()
}

fn verbose(result: &Value) -> Value {
    let segments: Vec<Value> = cues(result)
        .iter()
        .enumerate()
        .map(|(i, c)| {
            json!({
                "id": i, "seek": 0, "start": c.start, "end": c.end, "text": c.text,
                "tokens": [], "temperature": 0.0, "avg_logprob": 0.0, "compression_ratio": 0.0, "no_speech_prob": 0.0,
            })
        })
        .collect();
    json!({
        "task": "transcribe",
        "language": language_name(result["language"].as_str().unwrap_or("en")),
        "duration": result["duration"],
        "text": result["text"],
        "segments": segments,
    })
}

fn text_response(content_type: &'static str, body: String) -> Response {
    ([(header::CONTENT_TYPE, content_type)], body).into_response()
}

/// OpenAI-compatible transcription.
#[utoipa::path(post, path = "/v1/audio/transcriptions", tag = "speech",
    request_body(content = inline(AudioUpload), content_type = "multipart/form-data"),
    responses((status = 200, description = "the transcript in `response_format`"),
        (status = 422, body = crate::openapi::ErrorBody), (status = 504, body = crate::openapi::ErrorBody)),
    security(("bearer" = [])))]
pub async fn create(
    State(st): State<AppState>,
    user: AuthUser,
    Multipart(mp): Multipart,
) -> Result<Response, ApiError> {
    let form = upload::read(mp).await?;
    let format = form.field("response_format").unwrap_or("json").to_string();
    if !FORMATS.contains(&format.as_str()) {
        return Err(ApiError::invalid("response_format", "must be json, text, srt, vtt or verbose_json"));
    }
    for g in form.fields.get("timestamp_granularities[]").into_iter().flatten() {
        if g != "segment" {
            return Err(ApiError::invalid("timestamp_granularities[]", "only segment is supported"));
        }
    }
    let req = store_and_describe(&st, &user, form).await?;
    let events = st.jobs.events.subscribe();
    let rec = st.jobs.enqueue(&user.tenant, &user.sub, req.job, None).await?;
    let within = Duration::from_secs(st.settings.asr.sync_wait_secs.max(1));
    let rec = wait::until_finished(&st, events, &user.tenant, rec.id, within).await?;
    match rec.status {
        JobStatus::Succeeded => {}
        JobStatus::Dead | JobStatus::Cancelled | JobStatus::Failed => {
            let code = rec.error.as_ref().map(|e| e.code.as_str()).unwrap_or("transcription.failed");
            return Err(ApiError::job_failed(code));
        }
        JobStatus::Queued | JobStatus::Running => return Err(ApiError::Timeout("transcription.timeout")),
    }
    let result = rec.result.unwrap_or(Value::Null);
    let text = result["text"].as_str().unwrap_or_default().to_string();
    Ok(match format.as_str() {
        "text" => text_response("text/plain; charset=utf-8", text),
        "srt" => text_response("application/x-subrip; charset=utf-8", srt(&cues(&result))),
        "vtt" => text_response("text/vtt; charset=utf-8", vtt(&cues(&result))),
        "verbose_json" => axum::Json(verbose(&result)).into_response(),
        _ => axum::Json(json!({ "text": text })).into_response(),
    })
}
