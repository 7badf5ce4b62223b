//! Typed calls into the sandbox, one per [`Op`], for the job handlers.

use std::time::Duration;

use meeteasy_ai::ocr::input::ImageLimits;
use meeteasy_pipelines::documents::{ContainerLimits, DocType};
use meeteasy_pipelines::pdf::{PageText, PdfLimits, PdfReport};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::op::{Op, PageSourceWire};
use super::runner::Sandbox;
use crate::JobFailure;

/// Decoded audio: 16 kHz mono samples and what the upload was.
#[derive(Debug, Clone)]
pub struct Pcm {
    pub samples: Vec<f32>,
    pub sample_rate: u32,
    pub channels: u16,
    pub duration: Duration,
}

/// A decoded image, as RGB8.
#[derive(Debug, Clone)]
pub struct Pixels {
    pub format: String,
    pub image: image::RgbImage,
}

#[derive(Deserialize)]
struct Normalized {
    report: PdfReport,
    repaired: bool,
    repair_note: Option<String>,
}

#[derive(Deserialize)]
struct AudioHeader {
    sample_rate: u32,
    channels: u16,
    duration_s: f64,
}

#[derive(Deserialize)]
struct ImageHeader {
    format: String,
    width: u32,
    height: u32,
}

impl Sandbox {
    pub async fn pdf_inspect(&self, pdf: Vec<u8>, limits: &PdfLimits) -> Result<PdfReport, JobFailure> {
        let (header, _) = self.run(Op::PdfInspect { limits: limits.into() }, vec![pdf]).await?;
        parse(header)
    }

    /// The PDF to keep and its report; `repaired` and its note are logged.
    pub async fn pdf_normalize(&self, pdf: Vec<u8>, limits: &PdfLimits) -> Result<(Vec<u8>, PdfReport), JobFailure> {
        let (header, blobs) = self.run(Op::PdfNormalize { limits: limits.into() }, vec![pdf]).await?;
        let n: Normalized = parse(header)?;
        if n.repaired || n.repair_note.is_some() {
            tracing::info!(repaired = n.repaired, note = ?n.repair_note, "PDF normalized");
        }
        Ok((one(blobs)?, n.report))
    }

    /// Page sources of `wanted` pages (all when empty), each extracted image
    /// with its bytes.
    pub async fn pdf_page_images(
        &self,
        pdf: Vec<u8>,
        limits: &PdfLimits,
        wanted: &[u32],
    ) -> Result<Vec<(PageSourceWire, Option<Vec<u8>>)>, JobFailure> {
        let op = Op::PdfPageImages { limits: limits.into(), wanted: wanted.to_vec() };
        let (header, blobs) = self.run(op, vec![pdf]).await?;
        let entries: Vec<PageSourceWire> = parse(header)?;
        let mut images = blobs.into_iter();
        let mut out = Vec::with_capacity(entries.len());
        for entry in entries {
            let bytes = match entry {
                PageSourceWire::Extracted { .. } => Some(images.next().ok_or_else(short_answer)?),
                PageSourceWire::NeedsRender(_) => None,
            };
            out.push((entry, bytes));
        }
        Ok(out)
    }

    /// The PDF with an invisible text layer, and its report.
    pub async fn pdf_text_layer(
        &self,
        pdf: Vec<u8>,
        pages: Vec<PageText>,
        limits: &PdfLimits,
    ) -> Result<(Vec<u8>, PdfReport), JobFailure> {
        let (header, blobs) = self.run(Op::PdfTextLayer { limits: limits.into(), pages }, vec![pdf]).await?;
        Ok((one(blobs)?, parse(header)?))
    }

    /// Uploaded images as the pages of a new PDF, and its report.
    pub async fn images_to_pdf(
        &self,
        images: Vec<Vec<u8>>,
        limits: &PdfLimits,
        max_pixels: u64,
    ) -> Result<(Vec<u8>, PdfReport), JobFailure> {
        let (header, blobs) = self.run(Op::ImagesToPdf { limits: limits.into(), max_pixels }, images).await?;
        Ok((one(blobs)?, parse(header)?))
    }

    /// Zip bombs and encryption in Office containers.
    pub async fn check_container(
        &self,
        bytes: Vec<u8>,
        ty: DocType,
        limits: ContainerLimits,
    ) -> Result<(), JobFailure> {
        self.run(Op::CheckContainer { ty, limits }, vec![bytes]).await.map(|_| ())
    }

    pub async fn decode_audio(&self, bytes: Vec<u8>, max: Duration) -> Result<Pcm, JobFailure> {
        let max_duration_ms = u64::try_from(max.as_millis()).unwrap_or(u64::MAX);
        let (header, blobs) = self.run(Op::DecodeAudio { max_duration_ms }, vec![bytes]).await?;
        let h: AudioHeader = parse(header)?;
        let pcm = one(blobs)?;
        let samples = pcm.chunks_exact(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect();
        Ok(Pcm {
            samples,
            sample_rate: h.sample_rate,
            channels: h.channels,
            duration: Duration::try_from_secs_f64(h.duration_s).unwrap_or_default(),
        })
    }

    pub async fn decode_image(&self, bytes: Vec<u8>, limits: &ImageLimits) -> Result<Pixels, JobFailure> {
        let (header, blobs) = self.run(Op::image(limits), vec![bytes]).await?;
        let h: ImageHeader = parse(header)?;
        let image = image::RgbImage::from_raw(h.width, h.height, one(blobs)?).ok_or_else(short_answer)?;
        Ok(Pixels { format: h.format, image })
    }
}

fn parse<T: DeserializeOwned>(header: serde_json::Value) -> Result<T, JobFailure> {
    serde_json::from_value(header).map_err(|e| {
        tracing::error!(error = %e, "the parser sandbox answered in an unexpected shape");
        JobFailure::retry("sandbox.unavailable", "the parser sandbox answered in an unexpected shape")
    })
}

fn one(blobs: Vec<Vec<u8>>) -> Result<Vec<u8>, JobFailure> {
    blobs.into_iter().next().ok_or_else(short_answer)
}

fn short_answer() -> JobFailure {
    JobFailure::retry("sandbox.unavailable", "the parser sandbox's answer is missing data")
}
