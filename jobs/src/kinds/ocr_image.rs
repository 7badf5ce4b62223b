//! `ocr_image`: text lines, boxes and confidences from one image, on the AI
//! pool's warm OCR engines.
//!
//! The image is decoded in the parser sandbox (a limited child process),
//! with a pixel cap read from the header first (decompression bombs are
//! refused before any allocation); only RGB8 pixels come back. Inference
//! runs on a blocking thread. Used directly by
//! `POST /v1/ocr`, and once per page by `make_searchable_pdf`.

use meeteasy_ai::ocr::input::ImageLimits;
use meeteasy_models::{JobId, JobKind};
use serde::{Deserialize, Serialize};

use crate::runtime::JobContext;
use crate::store::BlobId;
use crate::{JobFailure, JobSpec};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OcrImage {
    pub blob_id: BlobId,
    /// Set when the image is a page of a document being made searchable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_id: Option<JobId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<u32>,
    /// Where the image sits on that page (image pixels → PDF user space),
    /// for the parent's text layer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub placement: Option<meeteasy_pipelines::pdf::Placement>,
    /// Largest accepted image, in pixels.
    pub max_pixels: u64,
}

impl JobSpec for OcrImage {
    const KIND: JobKind = JobKind::OcrImage;

    async fn run(self, ctx: JobContext) -> Result<serde_json::Value, JobFailure> {
        let pool = ctx
            .services
            .vision
            .clone()
            .ok_or_else(|| JobFailure::retry("ocr.not_available", "no OCR models on this worker"))?;
        let Some((_, bytes)) = ctx.store.get_blob(&ctx.tenant_id, &self.blob_id).await? else {
            return Err(JobFailure::abort("image.missing", "the uploaded image is gone"));
        };
        let limits = ImageLimits { max_pixels: self.max_pixels, ..ImageLimits::default() };
        let started = std::time::Instant::now();
        let pixels = ctx.services.sandbox.decode_image(bytes, &limits).await?;
        let checkout =
            pool.checkout().await.ok_or_else(|| JobFailure::retry("ocr.not_available", "the OCR pool is closed"))?;
        // A deadline or a cancel drops this future; the guard then stops
        // the engine at its next stage instead of letting it run on.
        let cancel = meeteasy_ai::Cancel::new();
        let guard = cancel.on_drop();
        let outcome = tokio::task::spawn_blocking(move || {
            let (w, h) = (pixels.image.width(), pixels.image.height());
            let image = image::DynamicImage::ImageRgb8(pixels.image);
            let (lines, _) = checkout
                .engine
                .recognize_cancellable(&image, &cancel)
                .map_err(|e| JobFailure::retry("ocr.failed", e.to_string()))?;
            Ok::<_, JobFailure>((pixels.format, w, h, lines))
        })
        .await
        .map_err(|_| JobFailure::retry("job.panicked", "the OCR engine crashed"))??;
        guard.disarm();
        let (format, width, height, lines) = outcome;
        let ms = started.elapsed().as_secs_f64() * 1000.0;
        metrics::histogram!("meeteasy_ocr_image_seconds").record(ms / 1000.0);
        let text = lines.iter().map(|l| l.text.as_str()).collect::<Vec<_>>().join("\n");
        Ok(serde_json::json!({
            "text": text,
            "lines": lines,
            "width": width,
            "height": height,
            "format": format,
            "page": self.page,
            "document_id": self.document_id,
            "timings": { "total_ms": (ms * 10.0).round() / 10.0 },
        }))
    }
}
