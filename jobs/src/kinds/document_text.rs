//! How a PDF report lands in a document record, and the stored text shape.
//!
//! The text lives in its own blob (`{"pages":[{"page","text"}]}`), not in
//! the record: a 1,000-page document's text can pass MongoDB's 16 MB
//! document limit, and the record is read on every status poll.

use meeteasy_models::DocumentRecord;
use meeteasy_pipelines::pdf::{PageInfo, PdfReport};

/// The JSON stored as a document's text blob.
pub fn text_blob(pages: &[PageInfo]) -> Vec<u8> {
    let pages: Vec<_> = pages.iter().map(|p| serde_json::json!({"page": p.number, "text": p.text})).collect();
    serde_json::to_vec(&serde_json::json!({ "pages": pages })).unwrap_or_default()
}

pub fn apply_report(doc: &mut DocumentRecord, r: &PdfReport) {
    doc.page_count = Some(r.page_count);
    doc.has_text = Some(r.has_text);
    doc.scanned_pages = r.scanned_pages.clone();
    doc.metadata.title = r.title.clone().filter(|s| !s.trim().is_empty());
    doc.metadata.author = r.author.clone().filter(|s| !s.trim().is_empty());
    let other = [
        ("subject", &r.subject),
        ("keywords", &r.keywords),
        ("creator", &r.creator),
        ("producer", &r.producer),
        ("creation_date", &r.creation_date),
        ("mod_date", &r.mod_date),
    ];
    doc.metadata.other = other
        .into_iter()
        .filter_map(|(k, v)| v.as_ref().filter(|s| !s.trim().is_empty()).map(|v| (k.to_string(), v.clone())))
        .collect();
    doc.metadata.other.insert("pdf_version".into(), r.version.clone());
}
