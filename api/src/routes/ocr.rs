//! `POST /v1/ocr`: text from one image. Recognizes the format from the
//! bytes (png, jpeg, tiff, webp, bmp), stores it and queues `ocr_image` on
//! the AI pool. The pixel cap is enforced by the worker from the image
//! header, before decoding.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use meeteasy_jobs::kinds::OcrImage;
use meeteasy_models::JobView;
use meeteasy_pipelines::documents::{DocFamily, DocumentError, sniff};
use utoipa::ToSchema;

use crate::http::auth::AuthUser;
use crate::http::error::ApiError;
use crate::http::extract::{Json, Multipart};
use crate::http::idempotency::IdempotencyHeader;
use crate::http::{idempotency, upload};
use crate::state::AppState;

#[allow(dead_code)]
#[derive(Debug, ToSchema)]
pub struct ImageUpload {
    /// png, jpeg, tiff, webp or bmp; recognized from the bytes.
    #[schema(format = Binary, content_media_type = "application/octet-stream")]
    pub file: String,
}

#[utoipa::path(post, path = "/v1/ocr", tag = "ocr", params(IdempotencyHeader),
    request_body(content = inline(ImageUpload), content_type = "multipart/form-data"),
    responses((status = 202, body = JobView, description = "queued; `result` = `{text, lines:[{text, confidence, box}]}`"),
        (status = 413, body = crate::openapi::ErrorBody), (status = 415, body = crate::openapi::ErrorBody),
        (status = 422, body = crate::openapi::ErrorBody)),
    security(("bearer" = [])))]
pub async fn create(
    State(st): State<AppState>,
    user: AuthUser,
    headers: HeaderMap,
    Multipart(mp): Multipart,
) -> Result<(StatusCode, Json<JobView>), ApiError> {
    let key = idempotency::from_headers(&headers)?;
    let form = upload::read(mp).await?;
    let file = form.file.ok_or_else(|| ApiError::invalid("file", "is required"))?;
    let ty = match sniff(&file.bytes) {
        Ok(t) if t.family() == DocFamily::Image => t,
        Err(DocumentError::Empty) => {
            return Err(ApiError::Invalid { code: "image.empty", field: "file".into(), detail: "is empty".into() });
        }
        _ => return Err(ApiError::Unsupported("image.unsupported_format")),
    };
    let (blob_id, meta) = st.jobs.store.put_blob(&user.tenant, &file.filename, ty.mime(), file.bytes).await?;
    let key = idempotency::scoped(&user, "ocr", key, [meta.sha256.as_bytes()]);
    let job = OcrImage {
        blob_id,
        document_id: None,
        page: None,
        placement: None,
        max_pixels: st.settings.documents.max_image_pixels,
    };
    let rec = st.jobs.enqueue(&user.tenant, &user.sub, job, key).await?;
    Ok((StatusCode::ACCEPTED, Json(rec.view())))
}
