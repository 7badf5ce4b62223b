//! The PDF engine against hostile and broken files: page bombs, reference
//! loops, deep nesting, cheap-looking expensive CMaps, truncation, broken
//! cross-reference tables, encryption and the deadline. PDFs are built with
//! lopdf, or by hand where lopdf refuses to write something that broken.
//! Each must end in a clear error or a repaired document, never a hang or a
//! stack overflow.

mod pdf_support;

use pdf_support::*;
use std::time::Duration;

use lopdf::{Dictionary, Document, EncryptionState, EncryptionVersion, Object, Permissions, Stream, dictionary};
use meeteasy_pipelines::pdf::{self, PdfError, PdfLimits};

#[test]
fn five_thousand_pages_are_refused_before_any_text_is_read() {
    let mut b = Builder::new();
    let content = b.doc.add_object(Stream::new(Dictionary::new(), b"BT /F1 12 Tf 72 720 Td (x) Tj ET".to_vec()));
    let resources = b.doc.add_object(dictionary! { "Font" => dictionary! { "F1" => b.font_id } });
    for _ in 0..5000 {
        let id = b.doc.add_object(dictionary! {
            "Type" => "Page", "Parent" => b.pages_id, "Contents" => content, "Resources" => resources,
            "MediaBox" => vec![0.into(), 0.into(), 612.into(), 792.into()],
        });
        b.kids.push(id.into());
    }
    let bytes = b.finish();
    let err = pdf::inspect(&bytes, &limits()).expect_err("too many pages");
    assert!(matches!(err, PdfError::TooManyPages { pages: 5000, max: 1000 }), "{err:?}");
    assert_eq!(err.code(), "document.too_many_pages");
    assert!(matches!(pdf::normalize(&bytes, &limits()), Err(PdfError::TooManyPages { .. })));
    assert!(matches!(pdf::extract_page_images(&bytes, &limits()), Err(PdfError::TooManyPages { .. })));
    // Under a higher cap the same file reads.
    let report = pdf::inspect(&bytes, &PdfLimits { max_pages: 5000, ..limits() }).expect("inspect");
    assert_eq!(report.page_count, 5000);
    assert_eq!(report.pages[4999].text, "x");
}

#[test]
fn a_kids_cycle_is_a_reference_loop() {
    // Pages node 2 lists itself among its kids.
    let bytes = raw_pdf(
        &[
            (1, b"<< /Type /Catalog /Pages 2 0 R >>".to_vec()),
            (2, b"<< /Type /Pages /Kids [3 0 R 2 0 R] /Count 2 >>".to_vec()),
            (3, b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 100 100] >>".to_vec()),
        ],
        1,
    );
    let err = pdf::inspect(&bytes, &limits()).expect_err("loop");
    assert!(matches!(err, PdfError::ReferenceLoop), "{err:?}");
    assert_eq!(err.code(), "document.reference_loop");
    // A two-node cycle deeper down.
    let bytes = raw_pdf(
        &[
            (1, b"<< /Type /Catalog /Pages 2 0 R >>".to_vec()),
            (2, b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>".to_vec()),
            (4, b"<< /Type /Pages /Kids [5 0 R] /Parent 2 0 R >>".to_vec()),
            (5, b"<< /Type /Pages /Kids [4 0 R] /Parent 4 0 R >>".to_vec()),
        ],
        1,
    );
    assert!(matches!(pdf::inspect(&bytes, &limits()), Err(PdfError::ReferenceLoop)));
    assert!(matches!(pdf::add_text_layer(&bytes, &[]), Err(PdfError::ReferenceLoop)));
}

#[test]
fn a_parent_loop_is_harmless() {
    // The page's /Parent points at itself and the tree node's /Parent at the
    // page: inheritance comes down the tree, /Parent is never followed.
    let bytes = raw_pdf(
        &[
            (1, b"<< /Type /Catalog /Pages 2 0 R >>".to_vec()),
            (
                2,
                b"<< /Type /Pages /Kids [3 0 R] /Count 1 /Parent 3 0 R /MediaBox [0 0 200 300] /Resources 5 0 R >>"
                    .to_vec(),
            ),
            (3, b"<< /Type /Page /Parent 3 0 R /Contents 4 0 R >>".to_vec()),
            (4, b"<< /Length 36 >>\nstream\nBT /F1 12 Tf 10 10 Td (looped) Tj ET\nendstream".to_vec()),
            (5, b"<< /Font << /F1 6 0 R >> >>".to_vec()),
            (6, b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_vec()),
        ],
        1,
    );
    let report = pdf::inspect(&bytes, &limits()).expect("inspect");
    assert_eq!(report.pages[0].text, "looped");
    assert_eq!((report.pages[0].width_pt, report.pages[0].height_pt), (200.0, 300.0));
}

#[test]
fn an_object_that_references_itself() {
    // As a kid of the page tree: unusable, a reference loop.
    let bytes = raw_pdf(
        &[
            (1, b"<< /Type /Catalog /Pages 2 0 R >>".to_vec()),
            (2, b"<< /Type /Pages /Kids [3 0 R 7 0 R] /Count 2 >>".to_vec()),
            (3, b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 100 100] >>".to_vec()),
            (7, b"7 0 R".to_vec()),
        ],
        1,
    );
    assert!(matches!(pdf::inspect(&bytes, &limits()), Err(PdfError::ReferenceLoop)));
    // As a page's /Contents and /Resources: the page just has nothing on it.
    let bytes = raw_pdf(
        &[
            (1, b"<< /Type /Catalog /Pages 2 0 R >>".to_vec()),
            (2, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec()),
            (3, b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 100 100] /Contents 7 0 R /Resources 7 0 R >>".to_vec()),
            (7, b"7 0 R".to_vec()),
        ],
        1,
    );
    let report = pdf::inspect(&bytes, &limits()).expect("inspect");
    assert_eq!(report.page_count, 1);
    assert_eq!(report.pages[0].text, "");
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    let depth = 100_000;
    let mut nested = "[".repeat(depth).into_bytes();
    nested.extend("]".repeat(depth).into_bytes());
    // In the page dictionary: the only page cannot be read.
    let mut page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 100 100] /Junk ".to_vec();
    page.extend(&nested);
    page.extend(b" >>");
    let bytes = raw_pdf(
        &[
            (1, b"<< /Type /Catalog /Pages 2 0 R >>".to_vec()),
            (2, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec()),
            (3, page),
        ],
        1,
    );
    let err = pdf::inspect(&bytes, &limits()).expect_err("nested");
    assert!(matches!(err, PdfError::Malformed(_)), "{err:?}");
    assert!(pdf::normalize(&bytes, &limits()).is_err());
    // In a content stream: the page reads, with the text before the bomb.
    let mut content = b"BT /F1 12 Tf 10 10 Td (before) Tj ".to_vec();
    content.extend(&nested);
    content.extend(b" Tj ET");
    let mut stream = format!("<< /Length {} >>\nstream\n", content.len()).into_bytes();
    stream.extend(&content);
    stream.extend(b"\nendstream");
    let bytes = raw_pdf(
        &[
            (1, b"<< /Type /Catalog /Pages 2 0 R >>".to_vec()),
            (2, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec()),
            (3, b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 100 100] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>".to_vec()),
            (4, stream),
            (5, b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_vec()),
        ],
        1,
    );
    let report = pdf::inspect(&bytes, &limits()).expect("inspect");
    assert_eq!(report.pages[0].text, "before");
}

#[test]
fn a_hostile_to_unicode_range_is_cheap() {
    // lopdf's own ToUnicode parser would expand this range code by code.
    let mut b = Builder::new();
    let to_unicode = b.doc.add_object(Stream::new(
        Dictionary::new(),
        b"1 begincodespacerange <00000000> <FFFFFFFF> endcodespacerange\n\
          1 beginbfrange <00000000> <FFFFFFFF> <0041> endbfrange"
            .to_vec(),
    ));
    let font = b.doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type0", "BaseFont" => "X", "Encoding" => "Identity-H",
        "DescendantFonts" => vec![dictionary! { "Type" => "Font", "Subtype" => "CIDFontType2" }.into()],
        "ToUnicode" => to_unicode,
    });
    b.page(612.0, 792.0, b"BT /X 10 Tf 72 700 Td <0001> Tj ET", dictionary! { "Font" => dictionary! { "X" => font } });
    let report =
        pdf::inspect(&b.finish(), &PdfLimits { deadline: Duration::from_secs(20), ..limits() }).expect("inspect");
    // Identity-H reads two-byte codes; the map is four-byte, so no text, and no hang.
    assert_eq!(report.page_count, 1);
}

#[test]
fn truncated_pdf() {
    let mut b = Builder::new();
    b.text_page(&["first"]);
    b.text_page(&["second"]);
    let bytes = b.finish();
    let half = &bytes[..bytes.len() / 2];
    // lopdf writes the catalog and page tree last, so the first half has no
    // page tree left to recover.
    let err = pdf::normalize(half, &limits()).expect_err("truncated");
    assert!(matches!(err, PdfError::Malformed(_)), "{err:?}");
    assert_eq!(err.code(), "document.corrupt");
}

#[test]
fn a_broken_cross_reference_table_is_repaired() {
    let mut b = Builder::new();
    b.text_page(&["repair me"]);
    let bytes = b.finish();
    // Point startxref at the wrong place.
    let at = bytes.windows(10).rposition(|w| w == b"startxref\n").expect("startxref") + 10;
    let mut broken = bytes[..at].to_vec();
    broken.extend(b"17\n%%EOF\n");
    assert!(
        Document::load_mem_with_options(&broken, lopdf::LoadOptions { strict: true, ..Default::default() }).is_err()
    );

    let normalized = pdf::normalize(&broken, &limits()).expect("normalize");
    assert!(normalized.repaired);
    assert!(normalized.repair_note.is_some());
    assert_ne!(normalized.pdf, broken);
    assert_eq!(normalized.report.pages[0].text, "repair me");
    // The repaired copy reads strictly, and poppler agrees on its text.
    let again = pdf::normalize(&normalized.pdf, &limits()).expect("normalize again");
    assert!(!again.repaired);
    assert!(pdftotext(&normalized.pdf).contains("repair me"));
}

#[test]
fn junk_before_the_header_is_cut() {
    let mut b = Builder::new();
    b.text_page(&["after junk"]);
    let mut bytes = b"garbage from a mail gateway\n".to_vec();
    bytes.extend(b.finish());
    let normalized = pdf::normalize(&bytes, &limits()).expect("normalize");
    assert!(normalized.repaired);
    assert!(normalized.pdf.starts_with(b"%PDF-"));
    assert_eq!(normalized.report.pages[0].text, "after junk");
}

fn encrypted(user_password: &str) -> Vec<u8> {
    let mut b = Builder::new();
    b.text_page(&["secret minutes"]);
    let mut doc = b.finish_doc();
    doc.trailer.set(
        "ID",
        Object::Array(vec![
            Object::string_literal(b"0123456789abcdef".to_vec()),
            Object::string_literal(b"fedcba9876543210".to_vec()),
        ]),
    );
    let state = EncryptionState::try_from(EncryptionVersion::V2 {
        document: &doc,
        owner_password: "owner",
        user_password,
        key_length: 128,
        permissions: Permissions::empty(),
    })
    .expect("encryption state");
    doc.encrypt(&state).expect("encrypt");
    save(doc)
}

#[test]
fn a_user_password_is_encrypted() {
    let bytes = encrypted("user");
    assert!(bytes.windows(8).any(|w| w == b"/Encrypt"));
    for result in [pdf::inspect(&bytes, &limits()).map(|_| ()), pdf::normalize(&bytes, &limits()).map(|_| ())] {
        let err = result.expect_err("encrypted");
        assert!(matches!(err, PdfError::Encrypted), "{err:?}");
        assert_eq!(err.code(), "document.encrypted");
    }
    assert!(matches!(pdf::extract_page_images(&bytes, &limits()), Err(PdfError::Encrypted)));
}

#[test]
fn an_owner_password_only_file_opens() {
    let bytes = encrypted("");
    let report = pdf::inspect(&bytes, &limits()).expect("owner-only opens");
    assert_eq!(report.pages[0].text, "secret minutes");
    let normalized = pdf::normalize(&bytes, &limits()).expect("normalize");
    assert_eq!(normalized.report.pages[0].text, "secret minutes");
    // It reads strictly, so it is kept as it is, owner restrictions included.
    assert!(!normalized.repaired);
    assert_eq!(normalized.pdf, bytes);
}

#[test]
fn the_deadline_is_enforced() {
    let mut b = Builder::new();
    b.text_page(&["slow"]);
    let err = pdf::inspect(&b.finish(), &PdfLimits { deadline: Duration::ZERO, ..limits() }).expect_err("timeout");
    assert!(matches!(err, PdfError::Timeout));
    assert_eq!(err.code(), "document.processing_timeout");
}
