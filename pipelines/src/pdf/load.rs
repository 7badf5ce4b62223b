//! From bytes to a lopdf [`Document`], with the outcomes sorted into
//! [`PdfError`]s: empty, not a PDF, encrypted, damaged.
//!
//! lopdf does the parsing; this file decides what its results mean:
//! * A file is a PDF when `%PDF-` appears in its first kilobyte (the same
//!   tolerance Acrobat has for junk before the header). lopdf itself would
//!   search the whole buffer, which would accept, say, a zip with a PDF inside.
//! * lopdf tries the empty user password on an encrypted file by itself. If it
//!   works (an owner-password-only file) the objects come back decrypted and
//!   `/Encrypt` leaves the trailer; if it does not, lopdf still returns a
//!   document, with `/Encrypt` in the trailer and no objects. That second case,
//!   and lopdf's password and security-handler errors, are [`PdfError::Encrypted`].
//! * Object and cross-reference streams are decoded while loading; each is
//!   capped at [`MAX_LOAD_STREAM_BYTES`] so a small file cannot inflate without
//!   bound before any of our checks run.

use lopdf::{Document, LoadOptions};

use super::PdfError;

/// How far into the file the `%PDF-` header may start.
const HEADER_WINDOW: usize = 1024;

/// Cap on one object or cross-reference stream decoded during loading.
pub(crate) const MAX_LOAD_STREAM_BYTES: usize = 64 * 1024 * 1024;

/// Where the `%PDF-` header starts, or why there is none.
pub(crate) fn sniff(bytes: &[u8]) -> Result<usize, PdfError> {
    if bytes.is_empty() {
        return Err(PdfError::Empty);
    }
    let window = &bytes[..bytes.len().min(HEADER_WINDOW + 5)];
    window.windows(5).position(|w| w == b"%PDF-").ok_or(PdfError::NotPdf)
}

/// Loads a document, lenient (lopdf repairs what it can) or strict.
pub(crate) fn load(bytes: &[u8], strict: bool) -> Result<Document, PdfError> {
    let offset = sniff(bytes)?;
    let options = LoadOptions { strict, max_decompressed_size: Some(MAX_LOAD_STREAM_BYTES), ..LoadOptions::default() };
    let doc = Document::load_mem_with_options(&bytes[offset..], options).map_err(from_lopdf)?;
    if doc.trailer.has(b"Encrypt") {
        // lopdf could not open it with the empty password.
        return Err(PdfError::Encrypted);
    }
    Ok(doc)
}

/// Maps a lopdf load error onto our codes.
pub(crate) fn from_lopdf(err: lopdf::Error) -> PdfError {
    match err {
        lopdf::Error::InvalidPassword | lopdf::Error::UnsupportedSecurityHandler(_) | lopdf::Error::Decryption(_) => {
            PdfError::Encrypted
        }
        other => PdfError::Malformed(other.to_string()),
    }
}
