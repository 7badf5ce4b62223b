//! The document types the platform accepts.

use serde::{Deserialize, Serialize};

/// A recognized upload type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DocType {
    Pdf,
    Docx,
    Xlsx,
    Pptx,
    Odt,
    Ods,
    Odp,
    Doc,
    Xls,
    Ppt,
    Rtf,
    Txt,
    Png,
    Jpeg,
    Tiff,
    Webp,
    Bmp,
}

/// Which engine handles a type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocFamily {
    /// Validated and normalized with lopdf, never converted.
    Pdf,
    /// Converted to PDF by LibreOffice.
    Office,
    /// A scan: becomes a searchable PDF through OCR.
    Image,
}

impl DocType {
    pub fn family(self) -> DocFamily {
        use DocType::*;
        match self {
            Pdf => DocFamily::Pdf,
            Png | Jpeg | Tiff | Webp | Bmp => DocFamily::Image,
            Docx | Xlsx | Pptx | Odt | Ods | Odp | Doc | Xls | Ppt | Rtf | Txt => DocFamily::Office,
        }
    }

    /// The canonical extension, used for the files LibreOffice reads.
    pub fn ext(self) -> &'static str {
        use DocType::*;
        match self {
            Pdf => "pdf",
            Docx => "docx",
            Xlsx => "xlsx",
            Pptx => "pptx",
            Odt => "odt",
            Ods => "ods",
            Odp => "odp",
            Doc => "doc",
            Xls => "xls",
            Ppt => "ppt",
            Rtf => "rtf",
            Txt => "txt",
            Png => "png",
            Jpeg => "jpg",
            Tiff => "tiff",
            Webp => "webp",
            Bmp => "bmp",
        }
    }

    pub fn mime(self) -> &'static str {
        use DocType::*;
        match self {
            Pdf => "application/pdf",
            Docx => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Pptx => "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            Odt => "application/vnd.oasis.opendocument.text",
            Ods => "application/vnd.oasis.opendocument.spreadsheet",
            Odp => "application/vnd.oasis.opendocument.presentation",
            Doc => "application/msword",
            Xls => "application/vnd.ms-excel",
            Ppt => "application/vnd.ms-powerpoint",
            Rtf => "application/rtf",
            Txt => "text/plain",
            Png => "image/png",
            Jpeg => "image/jpeg",
            Tiff => "image/tiff",
            Webp => "image/webp",
            Bmp => "image/bmp",
        }
    }

    pub fn is_zip(self) -> bool {
        matches!(self, DocType::Docx | DocType::Xlsx | DocType::Pptx | DocType::Odt | DocType::Ods | DocType::Odp)
    }

    pub fn is_ole(self) -> bool {
        matches!(self, DocType::Doc | DocType::Xls | DocType::Ppt)
    }
}

impl std::fmt::Display for DocType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.ext())
    }
}
