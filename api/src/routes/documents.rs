//! `/v1/documents`: organizers upload Office files, PDFs and scans, and get
//! back a PDF, its text, and (when OCR ran) a searchable PDF.
//!
//! The upload handler only recognizes the type from the bytes, stores the
//! file(s), writes the document record and queues `convert_document`. The
//! document id *is* that job's id. Everything heavy happens on the CPU pool.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use meeteasy_jobs::documents::state;
use meeteasy_jobs::kinds::ConvertDocument;
use meeteasy_jobs::store::{BlobId, JobRecord};
use meeteasy_models::auth::Role;
use meeteasy_models::{DocumentRecord, DocumentStatus, DocumentView, JobId, JobKind, JobView, OcrMode, OcrStatus};
use meeteasy_pipelines::documents::{DocFamily, DocType, DocumentError, sniff};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use crate::http::auth::AuthUser;
use crate::http::error::ApiError;
use crate::http::extract::{Json, Multipart, Query};
use crate::http::idempotency::IdempotencyHeader;
use crate::http::{idempotency, range, upload};
use crate::state::AppState;

#[allow(dead_code)]
#[derive(Debug, ToSchema)]
pub struct DocumentUpload {
    /// The document (Office, PDF or image), recognized from its bytes. Send
    /// several `file` parts to turn a series of scanned images into one PDF.
    #[schema(format = Binary, content_media_type = "application/octet-stream")]
    pub file: String,
    /// `auto` (default: OCR scanned pages), `force` or `skip`.
    #[schema(nullable = false)]
    pub ocr: Option<OcrMode>,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct UploadQuery {
    /// Same as the `ocr` form field.
    #[param(value_type = Option<OcrMode>, nullable = false)]
    pub ocr: Option<String>,
}

/// What the API can tell from the bytes. A damaged or encrypted container
/// is still a document: the job records why it cannot be converted.
fn recognize(bytes: &[u8]) -> Result<Option<DocType>, ApiError> {
    match sniff(bytes) {
        Ok(t) => Ok(Some(t)),
        Err(DocumentError::Empty) => {
            Err(ApiError::Invalid { code: "document.empty", field: "file".into(), detail: "is empty".into() })
        }
        Err(DocumentError::Unsupported) => Err(ApiError::Unsupported("document.unsupported_format")),
        Err(_) => Ok(None),
    }
}

/// The form field wins over the query parameter; each must be valid when
/// given.
fn ocr_mode(form: &upload::Upload, q: &UploadQuery) -> Result<OcrMode, ApiError> {
    let query = q.ocr.as_deref().map(str::parse::<OcrMode>).transpose()?;
    let field = form.field("ocr").map(str::parse::<OcrMode>).transpose()?;
    Ok(field.or(query).unwrap_or(OcrMode::Auto))
}

#[utoipa::path(post, path = "/v1/documents", tag = "documents", params(UploadQuery, IdempotencyHeader),
    request_body(content = inline(DocumentUpload), content_type = "multipart/form-data"),
    responses((status = 202, body = JobView, description = "queued; `result.document_id` once converted"),
        (status = 413, body = crate::openapi::ErrorBody), (status = 415, body = crate::openapi::ErrorBody),
        (status = 422, body = crate::openapi::ErrorBody)),
    security(("bearer" = [])))]
pub async fn upload(
    State(st): State<AppState>,
    user: AuthUser,
    Query(q): Query<UploadQuery>,
    headers: HeaderMap,
    Multipart(mp): Multipart,
) -> Result<(StatusCode, Json<JobView>), ApiError> {
    user.require(Role::Organizer)?;
    let key = idempotency::from_headers(&headers)?;
    let mut form = upload::read(mp).await?;
    let ocr = ocr_mode(&form, &q)?;
    let file = form.file.take().ok_or_else(|| ApiError::invalid("file", "is required"))?;
    let more = std::mem::take(&mut form.more_files);
    // Zip central directories and OLE directories are parsed off the runtime,
    // each file once.
    let (file, more, ty, more_types) = tokio::task::spawn_blocking(move || -> Result<_, ApiError> {
        let ty = recognize(&file.bytes)?;
        let more_types = more.iter().map(|f| recognize(&f.bytes)).collect::<Result<Vec<_>, _>>()?;
        let is_image = |t: &Option<DocType>| matches!(t, Some(t) if t.family() == DocFamily::Image);
        if !(more.is_empty() || is_image(&ty) && more_types.iter().all(is_image)) {
            return Err(ApiError::Invalid {
                code: "document.multiple_files",
                field: "file".into(),
                detail: "several files are accepted only when all are images".into(),
            });
        }
        Ok((file, more, ty, more_types))
    })
    .await
    .map_err(|e| ApiError::Internal(e.to_string()))??;

    let size = file.bytes.len() as u64 + more.iter().map(|f| f.bytes.len() as u64).sum::<u64>();
    let store = &st.jobs.store;
    let mime = |t: Option<DocType>| t.map_or("application/octet-stream", DocType::mime);
    let (blob_id, meta) = store.put_blob(&user.tenant, &file.filename, mime(ty), file.bytes).await?;
    // The request an idempotency key stands for: every file's digest, in
    // order, and the OCR mode.
    let mut digests = vec![meta.sha256];
    let mut extra_blobs = Vec::with_capacity(more.len());
    for (f, t) in more.into_iter().zip(more_types) {
        let (id, meta) = store.put_blob(&user.tenant, &f.filename, mime(t), f.bytes).await?;
        extra_blobs.push(id);
        digests.push(meta.sha256);
    }
    let ocr_name = serde_json::to_string(&ocr).unwrap_or_default();
    let parts = digests.iter().map(|d| d.as_bytes()).chain([ocr_name.as_bytes()]);
    let key = idempotency::scoped(&user, "documents", key, parts);
    let job = ConvertDocument { blob_id, extra_blobs, filename: file.filename, source_type: ty, ocr, size };
    let rec = st.jobs.enqueue(&user.tenant, &user.sub, job.clone(), key).await?;
    if is_same_upload(&rec, &job) {
        store.insert_document(&job.new_record(&user.tenant, rec.id)).await?;
    } else {
        tracing::debug!(job_id = %rec.id, "idempotent re-upload: the first document stands");
    }
    Ok((StatusCode::ACCEPTED, Json(rec.view())))
}

/// Whether `rec` is the job just created for `job` (not an earlier one
/// returned for a repeated `Idempotency-Key`).
fn is_same_upload(rec: &JobRecord, job: &ConvertDocument) -> bool {
    rec.payload.get("blob_id").and_then(|v| v.as_str()) == Some(job.blob_id.0.as_str())
}

/// Reads a document of the caller's tenant (any tenant for `super_admin`),
/// with its conversion job's terminal failure folded in.
async fn load(st: &AppState, user: &AuthUser, raw: &str) -> Result<DocumentRecord, ApiError> {
    let not_found = || ApiError::NotFound("document.not_found");
    let id = JobId::parse(raw).map_err(|_| not_found())?;
    let job = if user.has(Role::SuperAdmin) {
        st.jobs.store.get_job_any_tenant(id).await?
    } else {
        st.jobs.store.get_job(&user.tenant, id).await?
    };
    // Attendees see only what they created; another's answers like an
    // unknown id.
    let job = job
        .filter(|j| j.kind == JobKind::ConvertDocument && user.can_see(&j.tenant_id, &j.created_by))
        .ok_or_else(not_found)?;
    let doc = match st.jobs.store.get_document(&job.tenant_id, id).await? {
        Some(d) => d,
        // The upload crashed between enqueue and writing the record.
        None => serde_json::from_value::<ConvertDocument>(job.payload.clone())
            .map(|p| p.new_record(&job.tenant_id, id))
            .map_err(|e| ApiError::Internal(e.to_string()))?,
    };
    let mut doc = doc;
    state::fold_conversion(&mut doc, &job);
    // Only a pending OCR can have ended unseen: one more read, then.
    if doc.ocr_status == OcrStatus::Pending
        && let Some(ocr_id) = doc.ocr_job
        && let Some(ocr) = st.jobs.store.get_job(&job.tenant_id, ocr_id).await?
    {
        state::fold_ocr(&mut doc, &ocr);
    }
    Ok(doc)
}

#[utoipa::path(get, path = "/v1/documents/{id}", tag = "documents", params(("id" = String, Path)),
    responses((status = 200, body = DocumentView), (status = 404, body = crate::openapi::ErrorBody)),
    security(("bearer" = [])))]
pub async fn get(
    State(st): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> Result<Json<DocumentView>, ApiError> {
    Ok(Json(load(&st, &user, &id).await?.view()))
}

fn ready(doc: &DocumentRecord) -> Result<(), ApiError> {
    match doc.status {
        DocumentStatus::Ready => Ok(()),
        DocumentStatus::Processing => Err(ApiError::Conflict("document.not_ready")),
        DocumentStatus::Failed => Err(ApiError::Conflict("document.failed")),
    }
}

/// `report.docx` → `report.pdf`.
fn pdf_name(filename: &str) -> String {
    let stem = filename.rsplit_once('.').map_or(filename, |(s, _)| s);
    format!("{}.pdf", if stem.is_empty() { "document" } else { stem })
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct PdfQuery {
    /// `1` (or `true`) to show in the browser instead of downloading; any
    /// other value downloads.
    #[param(nullable = false)]
    pub inline: Option<String>,
}

#[utoipa::path(get, path = "/v1/documents/{id}/pdf", tag = "documents", params(("id" = String, Path), PdfQuery),
    responses((status = 200, content_type = "application/pdf", description = "the PDF"),
        (status = 206, description = "the requested byte range"), (status = 404, body = crate::openapi::ErrorBody),
        (status = 409, body = crate::openapi::ErrorBody), (status = 416, description = "unsatisfiable range")),
    security(("bearer" = [])))]
pub async fn pdf(
    State(st): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    Query(q): Query<PdfQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let doc = load(&st, &user, &id).await?;
    ready(&doc)?;
    let blob = BlobId(doc.pdf_blob.clone().ok_or(ApiError::Conflict("document.not_ready"))?);
    let (meta, bytes) =
        st.jobs.store.get_blob(&doc.tenant_id, &blob).await?.ok_or(ApiError::NotFound("document.not_found"))?;
    let kind = if matches!(q.inline.as_deref(), Some("1" | "true")) { "inline" } else { "attachment" };
    let disposition = range::content_disposition(kind, &pdf_name(&doc.filename));
    Ok(range::respond(&headers, bytes, "application/pdf", &disposition, &meta.sha256))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct TextQuery {
    /// `json` (default) or `plain` (pages separated by form feeds; `text`
    /// is an alias).
    #[param(pattern = "^(json|plain|text)$", nullable = false)]
    pub format: Option<String>,
}

#[utoipa::path(get, path = "/v1/documents/{id}/text", tag = "documents", params(("id" = String, Path), TextQuery),
    responses((status = 200, description = "`{document_id, page_count, pages:[{page,text}], text}`"),
        (status = 404, body = crate::openapi::ErrorBody), (status = 409, body = crate::openapi::ErrorBody)),
    security(("bearer" = [])))]
pub async fn text(
    State(st): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    Query(q): Query<TextQuery>,
) -> Result<Response, ApiError> {
    let doc = load(&st, &user, &id).await?;
    ready(&doc)?;
    let blob = BlobId(doc.text_blob.clone().ok_or(ApiError::Conflict("document.not_ready"))?);
    let (_, bytes) =
        st.jobs.store.get_blob(&doc.tenant_id, &blob).await?.ok_or(ApiError::NotFound("document.not_found"))?;
    let stored: serde_json::Value = serde_json::from_slice(&bytes).map_err(|e| ApiError::Internal(e.to_string()))?;
    let pages = stored.get("pages").and_then(|p| p.as_array()).cloned().unwrap_or_default();
    let joined: Vec<&str> = pages.iter().map(|p| p.get("text").and_then(|t| t.as_str()).unwrap_or("")).collect();
    match q.format.as_deref() {
        None | Some("json") => Ok(axum::Json(serde_json::json!({
            "document_id": doc.id,
            "page_count": doc.page_count,
            "ocr_status": doc.ocr_status,
            "pages": pages,
            "text": joined.join("\n\n"),
        }))
        .into_response()),
        Some("plain" | "text") => {
            Ok(([(axum::http::header::CONTENT_TYPE, "text/plain; charset=utf-8")], joined.join("\u{c}"))
                .into_response())
        }
        Some(_) => Err(ApiError::invalid("format", "must be json or plain")),
    }
}
