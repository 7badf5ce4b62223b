//! The PDF engine's inspection side against real files: PDFs built here
//! with lopdf and one made by LibreOffice for CJK text, read for pages,
//! metadata and text (hostile and broken files are `pdf_hostile.rs`).

mod pdf_support;

use pdf_support::*;
use std::process::Command;

use lopdf::{Dictionary, Object, Stream, dictionary};
use meeteasy_pipelines::pdf::{self, PdfError, PdfLimits};

#[test]
fn empty_and_non_pdf_bytes() {
    let err = pdf::inspect(b"", &limits()).expect_err("empty");
    assert!(matches!(err, PdfError::Empty));
    assert_eq!(err.code(), "document.empty");
    let err = pdf::inspect(b"PK\x03\x04 this is a zip, not a pdf", &limits()).expect_err("zip");
    assert!(matches!(err, PdfError::NotPdf));
    assert_eq!(err.code(), "document.unsupported_format");
    // A header found only deep inside the file does not make it a PDF.
    let mut late = vec![b'x'; 4096];
    late.extend(Builder::new().finish());
    assert!(matches!(pdf::normalize(&late, &limits()), Err(PdfError::NotPdf)));
}

#[test]
fn text_pages_and_metadata() {
    let mut b = Builder::new();
    b.text_page(&["Quarterly review (draft)", "Second line"]);
    b.text_page(&["Page two"]);
    let mut doc = b.finish_doc();
    // A UTF-16BE title with a BOM, a PDFDocEncoding author, a PDF date.
    let mut title = vec![0xFE, 0xFF];
    title.extend("会议 Agenda".encode_utf16().flat_map(u16::to_be_bytes));
    let info = doc.add_object(dictionary! {
        "Title" => Object::String(title, lopdf::StringFormat::Hexadecimal),
        "Author" => Object::string_literal(b"Zo\xEB M\xFCller".to_vec()),
        "CreationDate" => Object::string_literal("D:20240102030405+01'00'"),
        "Producer" => Object::string_literal("test"),
    });
    doc.trailer.set("Info", info);
    let bytes = save(doc);

    let report = pdf::inspect(&bytes, &limits()).expect("inspect");
    assert_eq!(report.page_count, 2);
    assert_eq!(report.version, "1.5");
    assert_eq!(report.title.as_deref(), Some("会议 Agenda"));
    assert_eq!(report.author.as_deref(), Some("Zoë Müller"));
    assert_eq!(report.creation_date.as_deref(), Some("2024-01-02T03:04:05+01:00"));
    assert_eq!(report.producer.as_deref(), Some("test"));
    assert_eq!(report.subject, None);
    assert_eq!(report.pages[0].text, "Quarterly review (draft)\nSecond line");
    assert_eq!(report.pages[1].text, "Page two");
    assert_eq!((report.pages[0].width_pt, report.pages[0].height_pt), (612.0, 792.0));
    assert_eq!(report.pages[1].number, 2);
    assert!(report.has_text);
    assert!(!report.needs_ocr);
    assert!(report.scanned_pages.is_empty());
}

#[test]
fn the_text_cap_truncates_a_page() {
    let mut b = Builder::new();
    b.text_page(&["abcdefghijklmnopqrstuvwxyz"]);
    let bytes = b.finish();
    let report = pdf::inspect(&bytes, &PdfLimits { max_text_chars_per_page: 5, ..limits() }).expect("inspect");
    assert_eq!(report.pages[0].text, "abcde");
}

#[test]
fn cjk_text_from_a_libreoffice_pdf() {
    let dir = tempfile::tempdir().expect("tempdir");
    let txt = dir.path().join("agenda.txt");
    std::fs::write(&txt, "会议日程 Conference agenda 2026\n第二行 second line\n").expect("write");
    let profile = format!("-env:UserInstallation=file://{}", dir.path().join("profile").display());
    let out = Command::new("soffice")
        .args([profile.as_str(), "--headless", "--convert-to", "pdf", "--outdir"])
        .arg(dir.path())
        .arg(&txt)
        .output()
        .expect("soffice must be installed");
    assert!(out.status.success(), "soffice: {}", String::from_utf8_lossy(&out.stderr));
    let bytes = std::fs::read(dir.path().join("agenda.pdf")).expect("soffice wrote no PDF");

    let report = pdf::inspect(&bytes, &limits()).expect("inspect");
    assert_eq!(report.page_count, 1);
    let text = &report.pages[0].text;
    assert!(text.contains("会议日程"), "{text}");
    assert!(text.contains("Conference agenda 2026"), "{text}");
    assert!(text.contains("第二行 second line"), "{text}");
    assert_eq!(text.lines().count(), 2, "{text}");
    assert!(report.has_text && !report.needs_ocr);
    // A valid file passes the strict reading and is kept byte for byte.
    let normalized = pdf::normalize(&bytes, &limits()).expect("normalize");
    assert!(!normalized.repaired);
    assert_eq!(normalized.pdf, bytes);
    assert_eq!(normalized.report, report);
}

#[test]
fn a_composite_identity_h_font_with_to_unicode() {
    // What many producers write for CJK: Type0 / Identity-H, two-byte glyph
    // ids, text only through /ToUnicode. Also a TJ with a word-sized gap.
    let mut b = Builder::new();
    let to_unicode = b.doc.add_object(Stream::new(
        Dictionary::new(),
        b"begincmap 1 begincodespacerange <0000> <FFFF> endcodespacerange\n\
          2 beginbfchar <0001> <4F1A> <0002> <8BAE> endbfchar\n\
          1 beginbfrange <0010> <0012> <0041> endbfrange endcmap"
            .to_vec(),
    ));
    let cid = b.doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "CIDFontType2", "BaseFont" => "X",
        "CIDSystemInfo" => dictionary! { "Registry" => Object::string_literal("Adobe"),
            "Ordering" => Object::string_literal("Identity"), "Supplement" => 0 },
        "DW" => 1000,
    });
    let font = b.doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type0", "BaseFont" => "X", "Encoding" => "Identity-H",
        "DescendantFonts" => vec![cid.into()], "ToUnicode" => to_unicode,
    });
    b.page(
        612.0,
        792.0,
        b"BT /C0 10 Tf 72 700 Td [<00010002> -300 <001000110012>] TJ ET",
        dictionary! { "Font" => dictionary! { "C0" => font } },
    );
    let report = pdf::inspect(&b.finish(), &limits()).expect("inspect");
    assert_eq!(report.pages[0].text, "会议 ABC");
}

#[test]
fn text_inside_form_xobjects_and_a_form_that_draws_itself() {
    let mut b = Builder::new();
    let font = b.font_id;
    let form_id = b.doc.new_object_id();
    let form = Stream::new(
        dictionary! {
            "Type" => "XObject", "Subtype" => "Form", "BBox" => vec![0.into(), 0.into(), 612.into(), 792.into()],
            "Resources" => dictionary! { "Font" => dictionary! { "F1" => font },
                "XObject" => dictionary! { "Self" => form_id } },
        },
        b"BT /F1 12 Tf 72 600 Td (Inside the form) Tj ET /Self Do".to_vec(),
    );
    b.doc.objects.insert(form_id, Object::Stream(form));
    b.page(612.0, 792.0, b"/Fm0 Do /Fm0 Do", dictionary! { "XObject" => dictionary! { "Fm0" => form_id } });
    let report = pdf::inspect(&b.finish(), &limits()).expect("inspect");
    // Drawn twice at the same spot; the self-draw is not followed.
    assert_eq!(report.pages[0].text, "Inside the form Inside the form");
}

#[test]
fn an_image_only_page_is_scanned() {
    let mut b = Builder::new();
    b.text_page(&["A normal page"]);
    let img = rgb_image(60, 80);
    scanned_page(&mut b, jpeg_xobject(&jpeg_bytes(&img), 60, 80), 300.0, 400.0);
    // An image inside a form counts as well.
    let image_id = b.doc.add_object(flate_xobject(&img));
    let form = b.doc.add_object(Stream::new(
        dictionary! { "Type" => "XObject", "Subtype" => "Form", "BBox" => vec![0.into(), 0.into(), 1.into(), 1.into()],
        "Resources" => dictionary! { "XObject" => dictionary! { "Im" => image_id } } },
        b"/Im Do".to_vec(),
    ));
    b.page(300.0, 400.0, b"q 300 0 0 400 0 0 cm /F Do Q", dictionary! { "XObject" => dictionary! { "F" => form } });
    let report = pdf::inspect(&b.finish(), &limits()).expect("inspect");
    assert_eq!(report.page_count, 3);
    assert!(!report.pages[0].scanned);
    assert_eq!(report.pages[0].image_count, 0);
    assert!(report.pages[1].scanned);
    assert_eq!(report.pages[1].image_count, 1);
    assert_eq!(report.pages[1].text, "");
    assert!(report.pages[2].scanned);
    assert!(report.needs_ocr);
    assert_eq!(report.scanned_pages, vec![2, 3]);
}
