//! `POST /v1/transcriptions`: voice input. Stores the clip, queues
//! `transcribe_audio` on the AI pool and answers `202`; with `?wait=N`
//! (N ≤ 10 s) it holds the request and answers `200` with the finished job
//! when it is done within N.

use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use meeteasy_jobs::kinds::TranscribeAudio;
use meeteasy_models::JobView;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use crate::http::auth::AuthUser;
use crate::http::error::ApiError;
use crate::http::extract::{Json, Multipart, Query};
use crate::http::idempotency::IdempotencyHeader;
use crate::http::{idempotency, upload, wait};
use crate::state::AppState;

/// The longest `?wait`.
pub const MAX_WAIT_SECS: f64 = 10.0;

#[derive(Debug, Deserialize, IntoParams)]
pub struct WaitQuery {
    /// Seconds to hold the request for the transcript (0–10).
    #[param(minimum = 0, maximum = 10, nullable = false)]
    pub wait: Option<f64>,
}

#[allow(dead_code)]
#[derive(Debug, ToSchema)]
pub struct AudioUpload {
    /// wav, mp3, ogg (vorbis), webm, m4a or flac; detected from the bytes.
    #[schema(format = Binary, content_media_type = "application/octet-stream")]
    pub file: String,
    /// e.g. `en`; default: detected (English-only models: `en`).
    #[schema(nullable = false, pattern = "^[A-Za-z-]{1,16}$")]
    pub language: Option<String>,
    /// Names and jargon to expect.
    #[schema(nullable = false)]
    pub prompt: Option<String>,
}

/// Validated transcription parameters from a multipart form.
pub(crate) struct Request {
    pub job: TranscribeAudio,
    pub filename: String,
    /// What an idempotency key stands for: the audio's digest and options.
    pub fingerprint: String,
}

pub(crate) async fn store_and_describe(
    st: &AppState,
    user: &AuthUser,
    form: upload::Upload,
) -> Result<Request, ApiError> {
    let file = form.file.as_ref().ok_or_else(|| ApiError::invalid("file", "is required"))?;
    if file.bytes.is_empty() {
        return Err(ApiError::Invalid { code: "audio.empty", field: "file".into(), detail: "is empty".into() });
    }
    let language = form.field("language").map(str::to_string);
    if language.as_deref().is_some_and(|l| l.len() > 16 || !l.bytes().all(|b| b.is_ascii_alphabetic() || b == b'-')) {
        return Err(ApiError::invalid("language", "must be a language code such as en"));
    }
    let prompt = form.field("prompt").map(str::to_string);
    let temperature = match form.field("temperature") {
        Some(t) => t
            .parse::<f32>()
            .ok()
            .filter(|t| (0.0..=1.0).contains(t))
            .ok_or_else(|| ApiError::invalid("temperature", "must be 0-1"))?,
        None => 0.0,
    };
    let filename = file.filename.clone();
    let (blob_id, meta) =
        st.jobs.store.put_blob(&user.tenant, &file.filename, &file.content_type, file.bytes.clone()).await?;
    let fingerprint = format!("{}|{language:?}|{prompt:?}|{temperature}", meta.sha256);
    let job = TranscribeAudio {
        blob_id,
        language,
        prompt,
        temperature,
        max_duration_secs: st.settings.asr.max_duration_secs,
    };
    Ok(Request { job, filename, fingerprint })
}

#[utoipa::path(post, path = "/v1/transcriptions", tag = "speech", params(WaitQuery, IdempotencyHeader),
    request_body(content = inline(AudioUpload), content_type = "multipart/form-data"),
    responses((status = 200, body = JobView, description = "finished within ?wait"), (status = 202, body = JobView),
        (status = 413, body = crate::openapi::ErrorBody), (status = 422, body = crate::openapi::ErrorBody)),
    security(("bearer" = [])))]
pub async fn create(
    State(st): State<AppState>,
    user: AuthUser,
    Query(q): Query<WaitQuery>,
    headers: HeaderMap,
    Multipart(mp): Multipart,
) -> Result<(StatusCode, Json<JobView>), ApiError> {
    let wait = q.wait.unwrap_or(0.0);
    if !(0.0..=MAX_WAIT_SECS).contains(&wait) {
        return Err(ApiError::invalid("wait", "must be between 0 and 10 seconds"));
    }
    let key = idempotency::from_headers(&headers)?;
    let form = upload::read(mp).await?;
    let req = store_and_describe(&st, &user, form).await?;
    tracing::debug!(filename = %req.filename, "transcription upload stored");
    let events = st.jobs.events.subscribe();
    let key = idempotency::scoped(&user, "transcriptions", key, [req.fingerprint.as_bytes()]);
    let rec = st.jobs.enqueue(&user.tenant, &user.sub, req.job, key).await?;
    if wait <= 0.0 {
        return Ok((StatusCode::ACCEPTED, Json(rec.view())));
    }
    let rec = wait::until_finished(&st, events, &user.tenant, rec.id, Duration::from_secs_f64(wait)).await?;
    let status = if rec.status.is_terminal() { StatusCode::OK } else { StatusCode::ACCEPTED };
    Ok((status, Json(rec.view())))
}
