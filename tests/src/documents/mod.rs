//! Document fixtures that the tests make themselves.
//!
//! The conversion pipeline has to be tested against real Office files,
//! PDFs and images, including hostile ones (zip bombs, password-protected
//! files, reference loops). Checking binary fixtures into the repository
//! would hide how they were made and would freeze whatever a desktop app
//! happened to write; instead every fixture here is generated in code, with
//! the same libraries the product uses (zip, cfb, lopdf, image), and is
//! deterministic: the same arguments always give the same bytes.
//!
//! None of these generators calls LibreOffice. `tests/fixtures.rs` converts
//! the Office fixtures with a real `soffice` and checks the PDFs with
//! poppler, so a generator that writes something LibreOffice rejects fails
//! there rather than in a pipeline test.
//!
//! Families:
//! - OOXML: [`docx`], [`docx_with_meta`], [`xlsx`], [`pptx`].
//! - ODF: [`odt`], [`odt_with_meta`], [`ods`], [`odp`].
//! - Plain: [`rtf`], [`txt`].
//! - PDF: [`pdf_text`], [`pdf_text_with_meta`], [`pdf_many_pages`],
//!   [`pdf_scanned`], [`pdf_encrypted_user_password`], [`pdf_encrypted_owner_only`].
//! - Hostile PDF: [`pdf_kids_loop`], [`pdf_parent_loop`], [`pdf_self_ref`], [`pdf_deep_nesting`].
//! - Hostile Office: [`zip_bomb_docx`], [`encrypted_docx`], [`encrypted_doc`], [`truncated`].
//! - Images: [`sample_image`], [`png`], [`jpeg`], [`tiff`], [`webp`], [`bmp`], [`png_bomb`].
//!
//! A generator that fails panics: a failure here is a bug in the fixture
//! code, never something the input can cause.

mod cfb_encrypted;
mod docx;
mod images;
mod odf;
mod ooxml;
mod package;
mod pdf;
mod pdf_fonts;
mod pdf_hostile;
mod pptx;
mod pptx_theme;
mod raw_pdf;
mod scan;
mod text;
mod xlsx;
mod xml;
mod zip_bomb;

pub mod hostile;

pub use cfb_encrypted::{encrypted_doc, encrypted_docx};
pub use docx::{docx, docx_with_meta};
pub use hostile::truncated;
pub use images::{bmp, jpeg, png, png_bomb, sample_image, tiff, webp};
pub use odf::{odp, ods, odt, odt_with_meta};
pub use pdf::{
    PDF_OWNER_PASSWORD, PDF_USER_PASSWORD, pdf_encrypted_owner_only, pdf_encrypted_user_password, pdf_many_pages,
    pdf_text, pdf_text_with_meta,
};
pub use pdf_hostile::{pdf_deep_nesting, pdf_kids_loop, pdf_parent_loop, pdf_self_ref};
pub use pptx::pptx;
pub use scan::{ScanImage, pdf_scanned};
pub use text::{rtf, txt};
pub use xlsx::xlsx;
pub use zip_bomb::zip_bomb_docx;

/// Title and author written into a document's metadata (`docProps/core.xml`,
/// ODF `meta.xml`, the PDF Info dictionary). Empty fields are left out.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DocMeta<'a> {
    pub title: &'a str,
    pub author: &'a str,
}

/// Unwraps the result of a write into memory. Such writes only fail on a bug
/// in the fixture code, so a panic with context is the right answer.
pub(crate) fn must<T, E: std::fmt::Display>(result: Result<T, E>, what: &str) -> T {
    result.unwrap_or_else(|e| panic!("document fixture: {what}: {e}"))
}
