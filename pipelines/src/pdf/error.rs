//! Why a PDF could not be read or written, with the stable codes jobs record.
//!
//! The codes are part of the API contract (a job's `error.code`), so they are
//! spelled out here once and never derived from the message text. A reference
//! loop in the page tree gets its own code, `document.reference_loop`, rather
//! than the generic `document.corrupt`: it is the one kind of damage that is
//! also a known attack shape (it makes naive readers spin or overflow their
//! stack), and a support person reading the job wants to know which it was.

/// Everything that can go wrong in [`crate::pdf`].
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    /// Zero bytes.
    #[error("the file is empty")]
    Empty,
    /// No `%PDF-` header in the first kilobyte: not a PDF at all.
    #[error("the file is not a PDF")]
    NotPdf,
    /// Opening it needs a user password (or a security handler lopdf does not
    /// implement). Owner-password-only files open with the empty password and
    /// are not an error.
    #[error("the PDF is encrypted and needs a password to open")]
    Encrypted,
    /// Damaged beyond what lopdf's lenient reader recovers, or missing a page tree.
    #[error("the PDF is damaged: {0}")]
    Malformed(String),
    /// More pages than [`crate::pdf::PdfLimits::max_pages`]; found before any page
    /// content is read.
    #[error("the PDF has {pages} pages, more than the {max} allowed")]
    TooManyPages { pages: u64, max: u32 },
    /// The work ran past [`crate::pdf::PdfLimits::deadline`] (or a renderer ran
    /// past its timeout).
    #[error("processing the PDF took too long")]
    Timeout,
    /// The page tree refers back to itself (a `/Kids` cycle, or a node reached twice).
    #[error("the PDF's page tree refers back to itself")]
    ReferenceLoop,
    /// A page number outside the document.
    #[error("page {page} is not in the document ({pages} pages)")]
    PageOutOfRange { page: u32, pages: u32 },
    /// An input image (for [`crate::pdf::images_to_pdf`]) could not be decoded or is too large.
    #[error("the image cannot be used: {0}")]
    Image(String),
    /// `pdftoppm` failed or produced something unusable.
    #[error("rendering the page failed: {0}")]
    Render(String),
    /// Writing the output PDF failed (lopdf's writer refused the document).
    #[error("writing the PDF failed: {0}")]
    Write(String),
}

impl PdfError {
    /// The stable, dotted error code a job records.
    pub fn code(&self) -> &'static str {
        match self {
            PdfError::Empty => "document.empty",
            PdfError::NotPdf => "document.unsupported_format",
            PdfError::Encrypted => "document.encrypted",
            PdfError::Malformed(_) => "document.corrupt",
            PdfError::TooManyPages { .. } => "document.too_many_pages",
            PdfError::Timeout => "document.processing_timeout",
            PdfError::ReferenceLoop => "document.reference_loop",
            PdfError::PageOutOfRange { .. } => "document.page_out_of_range",
            PdfError::Image(_) => "image.invalid",
            PdfError::Render(_) => "document.render_failed",
            PdfError::Write(_) => "document.write_failed",
        }
    }
}
