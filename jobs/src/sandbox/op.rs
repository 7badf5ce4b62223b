//! What the sandbox can be asked to do: every step that parses bytes an
//! uploader controls. Each variant is the request header; its input blobs
//! and its answer are documented on the variant.

use std::time::Duration;

use meeteasy_ai::ocr::input::ImageLimits;
use meeteasy_pipelines::documents::{ContainerLimits, DocType};
use meeteasy_pipelines::pdf::{PageText, PdfLimits};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Op {
    /// Blob 0: a PDF. Answer: a `PdfReport`.
    PdfInspect { limits: PdfCaps },
    /// Blob 0: a PDF. Answer: `{report, repaired, repair_note}`, blob 0 the PDF to keep.
    PdfNormalize { limits: PdfCaps },
    /// Blob 0: a PDF. Answer: one `PageSourceWire` per wanted page; blob i is
    /// the image of the i-th `Extracted` entry, as the page draws it.
    PdfPageImages { limits: PdfCaps, wanted: Vec<u32> },
    /// Blob 0: a PDF. Answer: a `PdfReport` of the result, blob 0 the PDF with
    /// the text layer.
    PdfTextLayer { limits: PdfCaps, pages: Vec<PageText> },
    /// Blobs: images, one page each. Answer: a `PdfReport`, blob 0 the PDF.
    ImagesToPdf { limits: PdfCaps, max_pixels: u64 },
    /// Blob 0: an uploaded office/zip/OLE file. Answer: `null`.
    CheckContainer { ty: DocType, limits: ContainerLimits },
    /// Blob 0: audio. Answer: `{sample_rate, channels, duration_s}`, blob 0 the
    /// 16 kHz mono samples as little-endian f32.
    DecodeAudio { max_duration_ms: u64 },
    /// Blob 0: an image. Answer: `{format, width, height}`, blob 0 its pixels
    /// as RGB8, EXIF orientation applied and alpha flattened.
    DecodeImage { max_pixels: u64, max_side: u32, max_alloc_bytes: u64 },
}

impl Op {
    /// What a crash of the child while running this op means for the job:
    /// the family's "this input exceeded what we let a parser use" code.
    pub fn limit_code(&self) -> &'static str {
        match self {
            Op::DecodeAudio { .. } => "audio.corrupt",
            Op::DecodeImage { .. } => "image.resource_limit",
            _ => "document.resource_limit",
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            Op::PdfInspect { .. } => "pdf_inspect",
            Op::PdfNormalize { .. } => "pdf_normalize",
            Op::PdfPageImages { .. } => "pdf_page_images",
            Op::PdfTextLayer { .. } => "pdf_text_layer",
            Op::ImagesToPdf { .. } => "images_to_pdf",
            Op::CheckContainer { .. } => "check_container",
            Op::DecodeAudio { .. } => "decode_audio",
            Op::DecodeImage { .. } => "decode_image",
        }
    }

    pub fn image(limits: &ImageLimits) -> Op {
        Op::DecodeImage {
            max_pixels: limits.max_pixels,
            max_side: limits.max_side,
            max_alloc_bytes: limits.max_alloc_bytes,
        }
    }
}

/// [`PdfLimits`] on the wire.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct PdfCaps {
    pub max_pages: u32,
    pub deadline_ms: u64,
    pub max_text_chars_per_page: usize,
    pub max_image_pixels: u64,
}

impl From<&PdfLimits> for PdfCaps {
    fn from(l: &PdfLimits) -> Self {
        Self {
            max_pages: l.max_pages,
            deadline_ms: u64::try_from(l.deadline.as_millis()).unwrap_or(u64::MAX),
            max_text_chars_per_page: l.max_text_chars_per_page,
            max_image_pixels: l.max_image_pixels,
        }
    }
}

impl From<PdfCaps> for PdfLimits {
    fn from(c: PdfCaps) -> Self {
        PdfLimits {
            max_pages: c.max_pages,
            deadline: Duration::from_millis(c.deadline_ms),
            max_text_chars_per_page: c.max_text_chars_per_page,
            max_image_pixels: c.max_image_pixels,
        }
    }
}

/// Why an op refused its input (an ordinary, classified failure: the child
/// ran to completion and said no).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refusal {
    pub code: String,
    pub message: String,
    pub retry: bool,
}

/// One entry of a [`Op::PdfPageImages`] answer. The image bytes of the i-th
/// `Extracted` entry are the answer's blob i.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PageSourceWire {
    Extracted {
        page: u32,
        format: meeteasy_pipelines::pdf::ImageFormat,
        width_px: u32,
        height_px: u32,
        placement: meeteasy_pipelines::pdf::Placement,
    },
    NeedsRender(meeteasy_pipelines::pdf::RenderSpec),
}
