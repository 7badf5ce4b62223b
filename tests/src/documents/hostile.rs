//! Broken and disguised inputs that need no generator of their own.
//!
//! - **Truncated files**: [`truncated`] cuts any fixture, e.g.
//!   `truncated(&docx(&["x"]), 100)` (a zip without its central directory)
//!   or `truncated(&pdf_text(&["x"]), 200)` (a PDF without xref or trailer).
//! - **Empty file**: `Vec::new()`.
//! - **Lying extension**: upload a fixture under another format's name,
//!   e.g. `png(64, 64)` as `agenda.docx`, or `pdf_text(..)` as `notes.xlsx`;
//!   the type must come from the magic bytes, not the name.
//! - **Zip that is not OOXML**: `truncated` of an ODF fixture, or an `.odt`
//!   named `.docx`.
//!
//! The generated hostile files are re-exported from the parent module:
//! `zip_bomb_docx`, `encrypted_docx`, `encrypted_doc`, `png_bomb` and the
//! `pdf_*` loops and nesting.

/// The first `keep` bytes of `bytes` (all of them if `keep` is larger).
pub fn truncated(bytes: &[u8], keep: usize) -> Vec<u8> {
    bytes[..keep.min(bytes.len())].to_vec()
}
