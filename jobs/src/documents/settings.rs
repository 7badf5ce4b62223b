//! Document settings (`[documents]` in `meeteasy.toml`).

use std::time::Duration;

use meeteasy_pipelines::documents::ContainerLimits;
use meeteasy_pipelines::office::OfficeSettings;
use meeteasy_pipelines::pdf::PdfLimits;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DocumentSettings {
    /// Start the LibreOffice pool when a CPU worker starts (otherwise on the
    /// first Office document).
    pub prestart_office: bool,
    /// The LibreOffice pool (`[documents.office]`).
    pub office: OfficeSettings,
    /// Zip-bomb caps for OOXML/ODF uploads (`[documents.container]`).
    pub container: ContainerLimits,
    /// Pages a PDF (uploaded or converted) may have.
    pub max_pages: u32,
    /// Time allowed to parse and extract the text of one PDF, in seconds.
    pub pdf_timeout_secs: u64,
    /// Largest image (pixels) accepted for OCR or as a scanned page; checked
    /// from the header before decoding, against decompression bombs.
    pub max_image_pixels: u64,
    /// Resolution of page images rendered for OCR (pages whose image lopdf
    /// cannot pass through), in dots per inch.
    pub ocr_dpi: u32,
}

impl Default for DocumentSettings {
    fn default() -> Self {
        Self {
            prestart_office: true,
            office: OfficeSettings::default(),
            container: ContainerLimits::default(),
            max_pages: 1000,
            pdf_timeout_secs: 60,
            max_image_pixels: 40_000_000,
            ocr_dpi: 200,
        }
    }
}

impl DocumentSettings {
    pub fn pdf_limits(&self) -> PdfLimits {
        PdfLimits {
            max_pages: self.max_pages.max(1),
            deadline: Duration::from_secs(self.pdf_timeout_secs.max(1)),
            // Pages are taken out for OCR, which refuses larger images.
            max_image_pixels: self.max_image_pixels.max(1),
            ..PdfLimits::default()
        }
    }
}
