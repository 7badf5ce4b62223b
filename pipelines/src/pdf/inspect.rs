//! `inspect` and `normalize`: what a PDF holds (pages, sizes, metadata, text,
//! scanned pages), and a clean copy of it.
//!
//! What "repaired" means, exactly: the original failed lopdf's *strict*
//! reading (a damaged cross-reference table, bad offsets, stray bytes before
//! the header, non-conforming syntax), lopdf's lenient reader recovered it,
//! and the output is that recovered document written out again by lopdf and
//! checked to load back with the same page count. A file that passes the
//! strict reading is returned byte for byte (`repaired: false`): rewriting a
//! valid PDF gains nothing and would break digital signatures and
//! linearization. An owner-password-only file passes too and is kept as it is,
//! restrictions included; one that only opens leniently is written out
//! decrypted (lopdf cannot re-encrypt on a full save). If writing or reloading
//! the recovered document fails, the original bytes are returned with
//! `repaired: false` and the reason in `repair_note`.

use std::sync::Arc;

use lopdf::Document;
use serde::{Deserialize, Serialize};

use super::content::{ImageDraw, Interpreter, Sink, TextRun};
use super::limits::Deadline;
use super::text::TextCollector;
use super::tree::{self, PageNode};
use super::{PdfError, PdfLimits, guard, load, text_string};

/// What [`inspect`] found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PdfReport {
    pub page_count: u32,
    /// The header version, or the catalog's `/Version` when that is later.
    pub version: String,
    pub title: Option<String>,
    pub author: Option<String>,
    pub subject: Option<String>,
    pub keywords: Option<String>,
    pub creator: Option<String>,
    pub producer: Option<String>,
    /// RFC 3339 when the PDF date parses, else the string as written.
    pub creation_date: Option<String>,
    pub mod_date: Option<String>,
    pub pages: Vec<PageInfo>,
    /// Some page has non-whitespace text.
    pub has_text: bool,
    /// Some page is scanned.
    pub needs_ocr: bool,
    /// 1-based numbers of the scanned pages.
    pub scanned_pages: Vec<u32>,
}

/// One page of a [`PdfReport`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PageInfo {
    /// 1-based.
    pub number: u32,
    /// As displayed: the crop box (else the media box), swapped for `/Rotate` 90/270.
    pub width_pt: f32,
    pub height_pt: f32,
    /// Extracted text, capped at [`PdfLimits::max_text_chars_per_page`].
    pub text: String,
    /// Images drawn (XObjects, also inside forms, and inline images); an image
    /// drawn twice counts twice.
    pub image_count: u32,
    /// At least one image and no extractable text (whitespace only).
    pub scanned: bool,
}

/// What [`normalize`] returns.
#[derive(Debug, Clone)]
pub struct Normalized {
    /// The PDF to keep: the original bytes, or lopdf's repaired rewrite.
    pub pdf: Vec<u8>,
    /// The report of `pdf`.
    pub report: PdfReport,
    /// See the module documentation for exactly what this means.
    pub repaired: bool,
    /// Why the strict reading failed, or why a repair could not be written.
    pub repair_note: Option<String>,
}

/// Reads a PDF (leniently) and reports its pages, metadata, text and scanned pages.
///
/// Blocking; runs on its own thread under `limits.deadline`.
pub fn inspect(bytes: &[u8], limits: &PdfLimits) -> Result<PdfReport, PdfError> {
    load::sniff(bytes)?;
    let deadline = Deadline::after(limits.deadline);
    let bytes: Arc<[u8]> = Arc::from(bytes);
    let limits = limits.clone();
    guard::run(deadline, move || {
        let doc = load::load(&bytes, false)?;
        report(&doc, &limits, &deadline)
    })
}

/// Validates a PDF and returns the copy to keep: the original when it reads
/// strictly, lopdf's repaired rewrite when only the lenient reader could open
/// it. The report describes the returned copy.
///
/// Blocking; runs on its own thread under `limits.deadline`.
pub fn normalize(bytes: &[u8], limits: &PdfLimits) -> Result<Normalized, PdfError> {
    let offset = load::sniff(bytes)?;
    let deadline = Deadline::after(limits.deadline);
    let bytes: Arc<[u8]> = Arc::from(bytes);
    let limits = limits.clone();
    guard::run(deadline, move || {
        let strict_note = match load::load(&bytes, true) {
            Ok(doc) if offset == 0 => {
                let report = report(&doc, &limits, &deadline)?;
                return Ok(Normalized { pdf: bytes.to_vec(), report, repaired: false, repair_note: None });
            }
            Ok(_) => format!("{offset} bytes before the %PDF- header"),
            Err(PdfError::Encrypted) => return Err(PdfError::Encrypted),
            Err(e) => e.to_string(),
        };
        deadline.check()?;
        let mut doc = load::load(&bytes, false)?;
        // Fail on the page cap (and a broken tree) before paying for a save.
        let page_count = tree::pages(&doc, limits.max_pages, &deadline)?.len();
        let report = report(&doc, &limits, &deadline)?;
        let mut out = Vec::new();
        let written = match doc.save_to(&mut out) {
            Ok(()) => {
                deadline.check()?;
                match load::load(&out, false).map(|d| tree::pages(&d, limits.max_pages, &deadline).map(|p| p.len())) {
                    Ok(Ok(n)) if n == page_count => Ok(out),
                    Ok(Ok(n)) => Err(format!("the rewrite has {n} pages instead of {page_count}")),
                    Ok(Err(e)) | Err(e) => Err(format!("the rewrite does not load back: {e}")),
                }
            }
            Err(e) => Err(format!("lopdf could not write the document: {e}")),
        };
        Ok(match written {
            Ok(pdf) => Normalized { pdf, report, repaired: true, repair_note: Some(strict_note) },
            Err(why) => Normalized {
                pdf: bytes.to_vec(),
                report,
                repaired: false,
                repair_note: Some(format!("{strict_note}; not repaired: {why}")),
            },
        })
    })
}

/// The full report of a loaded document.
pub(crate) fn report(doc: &Document, limits: &PdfLimits, deadline: &Deadline) -> Result<PdfReport, PdfError> {
    let nodes = tree::pages(doc, limits.max_pages, deadline)?;
    let mut interpreter = Interpreter::new(doc, *deadline);
    let mut pages = Vec::with_capacity(nodes.len());
    for node in &nodes {
        deadline.check()?;
        pages.push(page_info(&mut interpreter, node, limits)?);
    }
    let info = doc.trailer.get(b"Info").ok().and_then(|i| doc.dereference(i).ok()).and_then(|(_, i)| i.as_dict().ok());
    let field = |key: &[u8]| info.and_then(|i| i.get(key).ok()).and_then(|v| text_string::decode(doc, v));
    let scanned_pages: Vec<u32> = pages.iter().filter(|p| p.scanned).map(|p| p.number).collect();
    Ok(PdfReport {
        page_count: pages.len() as u32,
        version: version(doc),
        title: field(b"Title"),
        author: field(b"Author"),
        subject: field(b"Subject"),
        keywords: field(b"Keywords"),
        creator: field(b"Creator"),
        producer: field(b"Producer"),
        creation_date: field(b"CreationDate").map(text_string::date),
        mod_date: field(b"ModDate").map(text_string::date),
        has_text: pages.iter().any(|p| !p.text.trim().is_empty()),
        needs_ocr: !scanned_pages.is_empty(),
        scanned_pages,
        pages,
    })
}

fn version(doc: &Document) -> String {
    let catalog = doc.catalog().ok().and_then(|c| c.get(b"Version").ok()).and_then(|v| v.as_name().ok());
    let parse = |v: &str| {
        let (major, minor) = v.split_once('.')?;
        Some((major.parse::<u32>().ok()?, minor.parse::<u32>().ok()?))
    };
    match catalog.and_then(|v| std::str::from_utf8(v).ok()) {
        Some(cat) if parse(cat).is_some() && parse(cat) > parse(&doc.version) => cat.to_string(),
        _ => doc.version.clone(),
    }
}

struct PageScan {
    text: TextCollector,
    images: u32,
}

impl<'a> Sink<'a> for PageScan {
    fn wants_text(&self) -> bool {
        !self.text.is_full()
    }
    fn text(&mut self, run: TextRun<'_>) {
        self.text.push(&run);
    }
    fn image(&mut self, _draw: ImageDraw<'a>) {
        self.images = self.images.saturating_add(1);
    }
}

fn page_info(interpreter: &mut Interpreter<'_>, node: &PageNode, limits: &PdfLimits) -> Result<PageInfo, PdfError> {
    let mut scan = PageScan { text: TextCollector::new(limits.max_text_chars_per_page), images: 0 };
    interpreter.run_page(node, &mut scan)?;
    let text = scan.text.finish();
    let (w, h) = node.display_size();
    Ok(PageInfo {
        number: node.number,
        width_pt: w as f32,
        height_pt: h as f32,
        scanned: scan.images > 0 && text.trim().is_empty(),
        text,
        image_count: scan.images,
    })
}
