//! The PDF engine against real files: PDFs built here with lopdf (or by hand,
//! where lopdf refuses to write something that broken), one made by
//! LibreOffice for CJK text, and poppler's `pdftotext`/`pdftoppm`/`pdffonts`
//! as the independent judge of what we write.

use std::io::Cursor;
use std::process::Command;
use std::time::Duration;

use lopdf::{
    Dictionary, Document, EncryptionState, EncryptionVersion, Object, ObjectId, Permissions, Stream, dictionary,
};
use meeteasy_pipelines::pdf::{
    self, EncodedImage, ImageFormat, Matrix, PageSource, PageText, PdfError, PdfLimits, TextLine,
};

// ---------------------------------------------------------------- builders

/// A document skeleton: pages under one `/Pages` node, Helvetica as `/F1`.
struct Builder {
    doc: Document,
    pages_id: ObjectId,
    font_id: ObjectId,
    kids: Vec<Object>,
}

impl Builder {
    fn new() -> Self {
        let mut doc = Document::with_version("1.5");
        let pages_id = doc.new_object_id();
        let font_id = doc.add_object(dictionary! {
            "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica", "Encoding" => "WinAnsiEncoding",
        });
        Self { doc, pages_id, font_id, kids: Vec::new() }
    }

    /// Adds a page with `content` and resources `extra` (merged with the font).
    fn page(&mut self, width: f64, height: f64, content: &[u8], extra: Dictionary) -> ObjectId {
        let content_id = self.doc.add_object(Stream::new(Dictionary::new(), content.to_vec()));
        let mut resources = dictionary! { "Font" => dictionary! { "F1" => self.font_id } };
        for (k, v) in extra.iter() {
            resources.set(k.clone(), v.clone());
        }
        let id = self.doc.add_object(dictionary! {
            "Type" => "Page",
            "Parent" => self.pages_id,
            "MediaBox" => vec![0.into(), 0.into(), width.into(), height.into()],
            "Resources" => resources,
            "Contents" => content_id,
        });
        self.kids.push(id.into());
        id
    }

    fn text_page(&mut self, lines: &[&str]) -> ObjectId {
        let mut content = String::from("BT /F1 12 Tf 72 720 Td 14 TL\n");
        for line in lines {
            content.push_str(&format!("({}) Tj T*\n", line.replace('(', "\\(").replace(')', "\\)")));
        }
        content.push_str("ET\n");
        self.page(612.0, 792.0, content.as_bytes(), Dictionary::new())
    }

    fn finish_doc(mut self) -> Document {
        let count = self.kids.len() as i64;
        self.doc.objects.insert(
            self.pages_id,
            Object::Dictionary(dictionary! { "Type" => "Pages", "Kids" => self.kids, "Count" => count }),
        );
        let catalog = self.doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => self.pages_id });
        self.doc.trailer.set("Root", catalog);
        self.doc
    }

    fn finish(self) -> Vec<u8> {
        save(self.finish_doc())
    }
}

fn save(mut doc: Document) -> Vec<u8> {
    let mut out = Vec::new();
    doc.save_to(&mut out).expect("save");
    out
}

/// A PDF written byte by byte, with a correct cross-reference table, for
/// structures lopdf would not write (or would overflow writing).
fn raw_pdf(objects: &[(u32, Vec<u8>)], root: u32) -> Vec<u8> {
    let mut out = b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let max = objects.iter().map(|(n, _)| *n).max().unwrap_or(0);
    let mut offsets = vec![None; max as usize + 1];
    for (n, body) in objects {
        offsets[*n as usize] = Some(out.len());
        out.extend(format!("{n} 0 obj\n").as_bytes());
        out.extend(body);
        out.extend(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend(format!("xref\n0 {}\n0000000000 65535 f \n", max + 1).as_bytes());
    for off in offsets.iter().skip(1) {
        match off {
            Some(o) => out.extend(format!("{o:010} 00000 n \n").as_bytes()),
            None => out.extend(b"0000000000 65535 f \n"),
        }
    }
    out.extend(format!("trailer\n<< /Size {} /Root {root} 0 R >>\nstartxref\n{xref}\n%%EOF\n", max + 1).as_bytes());
    out
}

fn rgb_image(w: u32, h: u32) -> image::RgbImage {
    image::RgbImage::from_fn(w, h, |x, y| image::Rgb([(x * 255 / w) as u8, (y * 255 / h) as u8, 128]))
}

fn jpeg_bytes(img: &image::RgbImage) -> Vec<u8> {
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90).encode_image(img).expect("jpeg");
    out
}

fn png_bytes(img: &image::RgbImage) -> Vec<u8> {
    let mut out = Vec::new();
    img.write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png).expect("png");
    out
}

/// A page that is only an image, drawn `q W 0 0 H 0 0 cm /Im0 Do Q`.
fn scanned_page(b: &mut Builder, image: Stream, width: f64, height: f64) -> ObjectId {
    let image_id = b.doc.add_object(image);
    let content = format!("q {width} 0 0 {height} 0 0 cm /Im0 Do Q\n");
    b.page(width, height, content.as_bytes(), dictionary! { "XObject" => dictionary! { "Im0" => image_id } })
}

fn jpeg_xobject(jpeg: &[u8], w: u32, h: u32) -> Stream {
    Stream::new(
        dictionary! {
            "Type" => "XObject", "Subtype" => "Image", "Width" => w as i64, "Height" => h as i64,
            "ColorSpace" => "DeviceRGB", "BitsPerComponent" => 8, "Filter" => "DCTDecode",
        },
        jpeg.to_vec(),
    )
}

fn flate_xobject(img: &image::RgbImage) -> Stream {
    let mut s = Stream::new(
        dictionary! {
            "Type" => "XObject", "Subtype" => "Image", "Width" => img.width() as i64,
            "Height" => img.height() as i64, "ColorSpace" => "DeviceRGB", "BitsPerComponent" => 8,
        },
        img.as_raw().clone(),
    );
    s.compress().expect("compress");
    s
}

fn tool(name: &str, args: &[&str]) -> (bool, String, String) {
    let out = Command::new(name).args(args).output().unwrap_or_else(|e| panic!("{name} must be installed: {e}"));
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn pdftotext(pdf: &[u8]) -> String {
    pdftotext_with(pdf, &[])
}

fn pdftotext_with(pdf: &[u8], options: &[&str]) -> String {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("in.pdf");
    std::fs::write(&path, pdf).expect("write");
    let mut args = options.to_vec();
    args.extend([path.to_str().expect("path"), "-"]);
    let (ok, out, err) = tool("pdftotext", &args);
    assert!(ok, "pdftotext failed: {err}");
    out
}

fn limits() -> PdfLimits {
    PdfLimits::default()
}

// ------------------------------------------------------- A. inspection

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

// ----------------------------------------------- B. searchable PDFs

fn only_extracted(sources: Vec<PageSource>) -> Vec<pdf::PageImage> {
    sources
        .into_iter()
        .map(|s| match s {
            PageSource::Extracted(img) => img,
            PageSource::NeedsRender(spec) => panic!("page {} needs rendering: {}", spec.page, spec.reason),
        })
        .collect()
}

fn close(a: (f64, f64), b: (f64, f64)) -> bool {
    (a.0 - b.0).abs() < 1e-6 && (a.1 - b.1).abs() < 1e-6
}

#[test]
fn embedded_jpeg_and_flate_images_come_out_with_their_placement() {
    let img = rgb_image(120, 90);
    let jpeg = jpeg_bytes(&img);
    let mut b = Builder::new();
    scanned_page(&mut b, jpeg_xobject(&jpeg, 120, 90), 400.0, 300.0);
    // The second scan sits at an offset and scale on a larger page.
    let image_id = b.doc.add_object(flate_xobject(&img));
    b.page(
        500.0,
        400.0,
        b"q 480 0 0 360 10 20 cm /Im0 Do Q",
        dictionary! { "XObject" => dictionary! { "Im0" => image_id } },
    );
    // A scan stored sideways (drawn through a quarter turn) is rendered instead.
    let image_id = b.doc.add_object(jpeg_xobject(&jpeg, 120, 90));
    b.page(
        300.0,
        400.0,
        b"q 0 400 -300 0 300 0 cm /Im0 Do Q",
        dictionary! { "XObject" => dictionary! { "Im0" => image_id } },
    );
    let mut sources = pdf::extract_page_images(&b.finish(), &limits()).expect("extract");
    match sources.pop() {
        Some(PageSource::NeedsRender(spec)) => assert_eq!(spec.reason, "the image is not drawn upright"),
        other => panic!("sideways scan: {other:?}"),
    }
    let images = only_extracted(sources);
    assert_eq!(images.len(), 2);

    let first = &images[0];
    assert_eq!((first.page, first.width_px, first.height_px), (1, 120, 90));
    assert_eq!(first.image.format, ImageFormat::Jpeg);
    assert_eq!(first.image.bytes, jpeg, "the JPEG is passed through unchanged");
    assert!(close(first.placement.apply(0.0, 0.0), (0.0, 300.0)));
    assert!(close(first.placement.apply(120.0, 90.0), (400.0, 0.0)));

    let second = &images[1];
    assert_eq!(second.image.format, ImageFormat::Png);
    let decoded = image::load_from_memory(&second.image.bytes).expect("png").to_rgb8();
    assert_eq!(decoded, img, "lossless samples survive");
    assert!(close(second.placement.apply(0.0, 0.0), (10.0, 380.0)));
    assert!(close(second.placement.apply(120.0, 90.0), (490.0, 20.0)));
}

fn ccitt_page(b: &mut Builder) {
    // An all-white 16 × 16 CCITT G4 image: each row is one V0 code, a 1 bit.
    let image = b.doc.add_object(Stream::new(
        dictionary! {
            "Type" => "XObject", "Subtype" => "Image", "Width" => 16, "Height" => 16, "BitsPerComponent" => 1,
            "ColorSpace" => "DeviceGray", "Filter" => "CCITTFaxDecode",
            "DecodeParms" => dictionary! { "K" => -1, "Columns" => 16, "Rows" => 16 },
        },
        vec![0xFF, 0xFF],
    ));
    b.page(
        144.0,
        144.0,
        b"q 144 0 0 144 0 0 cm /Im0 Do Q",
        dictionary! { "XObject" => dictionary! { "Im0" => image } },
    );
}

#[tokio::test]
async fn ccitt_and_vector_pages_are_rendered() {
    let mut b = Builder::new();
    ccitt_page(&mut b);
    // Vector only: a black square in the top-left quarter.
    b.page(200.0, 100.0, b"0 g 0 50 100 50 re f", Dictionary::new());
    let bytes = b.finish();
    let sources = pdf::extract_page_images(&bytes, &limits()).expect("extract");
    let specs: Vec<_> = sources
        .into_iter()
        .map(|s| match s {
            PageSource::NeedsRender(spec) => spec,
            PageSource::Extracted(img) => panic!("page {} should need rendering", img.page),
        })
        .collect();
    assert!(specs[0].reason.contains("CCITTFaxDecode"), "{}", specs[0].reason);
    assert_eq!(specs[1].reason, "no image on the page");
    assert_eq!(specs[1].media_box, [0.0, 0.0, 200.0, 100.0]);

    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("doc.pdf");
    std::fs::write(&path, &bytes).expect("write");
    let page = pdf::render_page(&path, &specs[0], 144, Duration::from_secs(60)).await.expect("render ccitt");
    assert_eq!((page.width_px, page.height_px), (288, 288));
    let page = pdf::render_page(&path, &specs[1], 144, Duration::from_secs(60)).await.expect("render vector");
    assert_eq!(page.image.format, ImageFormat::Png);
    assert_eq!((page.width_px, page.height_px), (400, 200));
    let png = image::load_from_memory(&page.image.bytes).expect("png").to_luma8();
    assert_eq!(png.dimensions(), (400, 200));
    // The square is where the placement says: pixel (50, 50) is user (25, 75).
    assert!(close(page.placement.apply(50.0, 50.0), (25.0, 75.0)));
    assert!(png.get_pixel(50, 50).0[0] < 50);
    assert!(png.get_pixel(300, 150).0[0] > 200);
}

#[tokio::test]
async fn a_rotated_page_renders_turned_and_maps_back() {
    let mut b = Builder::new();
    let page = b.page(200.0, 100.0, b"0 g 0 50 100 50 re f", Dictionary::new());
    if let Ok(Object::Dictionary(d)) = b.doc.get_object_mut(page) {
        d.set("Rotate", 90);
    }
    let bytes = b.finish();
    let spec = match pdf::extract_page_images(&bytes, &limits()).expect("extract").remove(0) {
        PageSource::NeedsRender(spec) => spec,
        PageSource::Extracted(_) => panic!("vector page"),
    };
    assert_eq!(spec.rotate, 90);
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("doc.pdf");
    std::fs::write(&path, &bytes).expect("write");
    let page = pdf::render_page(&path, &spec, 72, Duration::from_secs(60)).await.expect("render");
    assert_eq!((page.width_px, page.height_px), (100, 200));
    let png = image::load_from_memory(&page.image.bytes).expect("png").to_luma8();
    // Pixels mapping inside the square are black, outside white.
    for (x, y) in [(20u32, 20u32), (80, 180), (80, 20), (20, 180)] {
        let (ux, uy) = page.placement.apply(f64::from(x) + 0.5, f64::from(y) + 0.5);
        let inside = ux < 100.0 && uy > 50.0;
        let dark = png.get_pixel(x, y).0[0] < 128;
        assert_eq!(inside, dark, "pixel ({x}, {y}) → user ({ux}, {uy})");
    }
}

fn quad(x: f32, y: f32, w: f32, h: f32) -> [[f32; 2]; 4] {
    [[x, y], [x + w, y], [x + w, y + h], [x, y + h]]
}

fn rotated_quad(x: f32, y: f32, w: f32, h: f32, degrees: f32) -> [[f32; 2]; 4] {
    // Counter-clockwise as seen on the page: image y points down, so the
    // baseline rises to the right (negative y in pixels).
    let (s, c) = degrees.to_radians().sin_cos();
    let bl = [x, y];
    let br = [x + w * c, y - w * s];
    let tl = [x - h * s, y - h * c];
    let tr = [br[0] + tl[0] - bl[0], br[1] + tl[1] - bl[1]];
    [tl, tr, br, bl]
}

fn sample_lines() -> Vec<TextLine> {
    vec![
        TextLine { text: "Meeting minutes".into(), quad: quad(100.0, 100.0, 600.0, 60.0), confidence: 0.98 },
        TextLine { text: "中文测试".into(), quad: quad(100.0, 300.0, 400.0, 80.0), confidence: 0.95 },
        TextLine { text: "Total 12345".into(), quad: quad(100.0, 500.0, 500.0, 60.0), confidence: 0.97 },
        TextLine { text: "Rotated line".into(), quad: rotated_quad(150.0, 900.0, 500.0, 50.0, 15.0), confidence: 0.9 },
    ]
}

/// `pdftotext` returns the sample lines (and `more`). Its default layout mode
/// cannot rebuild a diagonal line: its word builder starts a new word whenever
/// the baseline moves by more than half a point, so a 15° line comes out one
/// letter at a time in layout order. Its `-raw` mode (content-stream order)
/// reads every line, the diagonal one included, which shows the text and its
/// order are in the file; both modes are checked.
fn assert_searchable(pdf: &[u8], more: &[&str]) {
    let layout = pdftotext(pdf);
    for expected in ["Meeting minutes", "中文测试", "Total 12345"].iter().chain(more) {
        assert!(layout.contains(expected), "{expected:?} missing from {layout:?}");
    }
    let raw = pdftotext_with(pdf, &["-raw"]);
    for expected in ["Meeting minutes", "中文测试", "Total 12345", "Rotated line"].iter().chain(more) {
        assert!(raw.lines().any(|l| l.trim() == *expected), "{expected:?} missing from {raw:?}");
    }
}

fn image_streams(doc: &Document) -> Vec<(ObjectId, Vec<u8>)> {
    doc.objects
        .iter()
        .filter_map(|(id, o)| match o {
            Object::Stream(s) if s.dict.get(b"Subtype").and_then(Object::as_name).ok() == Some(b"Image".as_slice()) => {
                Some((*id, s.content.clone()))
            }
            _ => None,
        })
        .collect()
}

#[test]
fn a_scanned_pdf_becomes_searchable() {
    let img = rgb_image(800, 1100);
    let jpeg = jpeg_bytes(&img);
    let mut b = Builder::new();
    scanned_page(&mut b, jpeg_xobject(&jpeg, 800, 1100), 576.0, 792.0);
    scanned_page(&mut b, jpeg_xobject(&jpeg, 800, 1100), 576.0, 792.0);
    let original = b.finish();
    assert_eq!(pdftotext(&original).trim(), "");

    let images = only_extracted(pdf::extract_page_images(&original, &limits()).expect("extract"));
    let first = &images[0];
    let texts = vec![
        PageText {
            page: 1,
            placement: first.placement,
            width_px: first.width_px,
            height_px: first.height_px,
            lines: sample_lines(),
            failed: false,
        },
        PageText {
            page: 2,
            placement: images[1].placement,
            width_px: 800,
            height_px: 1100,
            lines: vec![],
            failed: true,
        },
    ];
    let searchable = pdf::add_text_layer(&original, &texts).expect("text layer");

    assert_searchable(&searchable, &[]);
    // Every original image is still there, byte for byte.
    let before = Document::load_mem(&original).expect("load");
    let after = Document::load_mem(&searchable).expect("load");
    let mut before_images: Vec<Vec<u8>> = image_streams(&before).into_iter().map(|(_, c)| c).collect();
    let mut after_images: Vec<Vec<u8>> = image_streams(&after).into_iter().map(|(_, c)| c).collect();
    before_images.sort();
    after_images.sort();
    assert_eq!(before_images, after_images);
    assert!(after_images.iter().all(|c| *c == jpeg));

    // The failed page is kept and marked, on the page and in the Info dictionary.
    let pages = after.get_pages();
    assert_eq!(pages.len(), 2);
    let page2 = after.get_dictionary(pages[&2]).expect("page 2");
    assert_eq!(page2.get(pdf::OCR_FAILED_KEY.as_bytes()).and_then(Object::as_str).ok(), Some(b"failed".as_slice()));
    let info = after.trailer.get(b"Info").and_then(Object::as_reference).and_then(|i| after.get_dictionary(i));
    let failed = info.and_then(|i| i.get(pdf::OCR_FAILED_PAGES_INFO_KEY.as_bytes())).and_then(Object::as_str);
    assert_eq!(failed.ok(), Some(b"2".as_slice()));
    assert!(after.get_dictionary(pages[&1]).expect("page 1").get(pdf::OCR_FAILED_KEY.as_bytes()).is_err());

    // Our own reader finds the text on page 1 and still calls page 2 scanned.
    let report = pdf::inspect(&searchable, &limits()).expect("inspect");
    assert!(report.pages[0].text.contains("Meeting minutes"));
    assert!(!report.pages[0].scanned);
    assert_eq!(report.scanned_pages, vec![2]);

    // The glyphless font is embedded, and poppler renders the result cleanly.
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("searchable.pdf");
    std::fs::write(&path, &searchable).expect("write");
    let (ok, fonts, _) = tool("pdffonts", &[path.to_str().expect("path")]);
    assert!(ok);
    let font_line = fonts.lines().find(|l| l.contains("GlyphLessFont")).unwrap_or_else(|| panic!("{fonts}"));
    assert!(font_line.contains("CID TrueType") && font_line.contains(" yes "), "{font_line}");
    let out = dir.path().join("render");
    let (ok, _, err) =
        tool("pdftoppm", &["-r", "20", "-png", path.to_str().expect("path"), out.to_str().expect("path")]);
    assert!(ok && err.trim().is_empty(), "pdftoppm: {err}");
}

#[test]
fn the_text_layer_lands_on_its_boxes() {
    // pdftotext -bbox gives each word's box in points (y down from the top):
    // it must match the quad mapped through the placement.
    let mut b = Builder::new();
    let img = rgb_image(1000, 500);
    scanned_page(&mut b, jpeg_xobject(&jpeg_bytes(&img), 1000, 500), 720.0, 360.0);
    let original = b.finish();
    let images = only_extracted(pdf::extract_page_images(&original, &limits()).expect("extract"));
    let line = TextLine { text: "Alpha Beta".into(), quad: quad(100.0, 200.0, 500.0, 50.0), confidence: 1.0 };
    let page = PageText {
        page: 1,
        placement: images[0].placement,
        width_px: 1000,
        height_px: 500,
        lines: vec![line],
        failed: false,
    };
    let searchable = pdf::add_text_layer(&original, &[page]).expect("layer");
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("s.pdf");
    std::fs::write(&path, &searchable).expect("write");
    let (ok, html, err) = tool("pdftotext", &["-bbox", path.to_str().expect("path"), "-"]);
    assert!(ok, "{err}");
    let word = html.lines().find(|l| l.contains(">Alpha<")).unwrap_or_else(|| panic!("{html}"));
    let attr = |name: &str| -> f64 {
        let at = word.find(&format!("{name}=\"")).unwrap_or_else(|| panic!("{word}")) + name.len() + 2;
        word[at..].split('"').next().and_then(|v| v.parse().ok()).unwrap_or_else(|| panic!("{word}"))
    };
    // 0.72 pt per pixel: the line spans x 72..432 pt, and its box 144..180 pt
    // from the top. poppler puts the top at baseline − ascent (our font's
    // ascent is the full em) and adds its own descent below the baseline.
    assert!((attr("xMin") - 72.0).abs() < 0.5, "{word}");
    assert!((attr("yMin") - 144.0).abs() < 0.5, "{word}");
    assert!(attr("yMax") > 180.0 && attr("yMax") < 200.0, "{word}");
    let last = html.lines().find(|l| l.contains(">Beta<")).unwrap_or_else(|| panic!("{html}"));
    let at = last.find("xMax=\"").unwrap_or(0) + 6;
    let x_max: f64 = last[at..].split('"').next().and_then(|v| v.parse().ok()).unwrap_or(0.0);
    assert!((x_max - 432.0).abs() < 2.0, "{last}");
}

#[test]
fn pages_out_of_range_are_refused() {
    let mut b = Builder::new();
    b.text_page(&["one"]);
    let bytes = b.finish();
    let page =
        PageText { page: 3, placement: Matrix::IDENTITY, width_px: 1, height_px: 1, lines: vec![], failed: false };
    let err = pdf::add_text_layer(&bytes, &[page]).expect_err("out of range");
    assert!(matches!(err, PdfError::PageOutOfRange { page: 3, pages: 1 }));
}

#[test]
fn uploaded_images_become_a_searchable_pdf() {
    let png_img = rgb_image(850, 1100);
    let jpeg_img = rgb_image(1000, 700);
    let jpeg = jpeg_bytes(&jpeg_img);
    // A PNG with transparency and a declared resolution of 100 dpi.
    let mut rgba = image::RgbaImage::from_fn(850, 1100, |x, y| {
        let p = png_img.get_pixel(x, y).0;
        image::Rgba([p[0], p[1], p[2], if x < 10 { 0 } else { 255 }])
    });
    rgba.put_pixel(0, 0, image::Rgba([0, 0, 0, 0]));
    let mut png = Vec::new();
    rgba.write_to(&mut Cursor::new(&mut png), image::ImageFormat::Png).expect("png");
    let png = with_phys(&png, 3937); // 3937 px/m = 100 dpi
    let pages = vec![
        (EncodedImage { bytes: png, format: ImageFormat::Png }, sample_lines(), false),
        (
            EncodedImage { bytes: jpeg.clone(), format: ImageFormat::Jpeg },
            vec![TextLine { text: "Second page 42".into(), quad: quad(50.0, 50.0, 600.0, 60.0), confidence: 0.9 }],
            false,
        ),
        (EncodedImage { bytes: png_bytes(&rgb_image(100, 100)), format: ImageFormat::Png }, vec![], true),
    ];
    let out = pdf::images_to_pdf(&pages, 150.0).expect("assemble");
    assert_searchable(&out, &["Second page 42"]);
    let report = pdf::inspect(&out, &limits()).expect("inspect");
    assert_eq!(report.page_count, 3);
    // 850 px at 100 dpi (from pHYs) = 612 pt. The JPEG's size follows its
    // JFIF density when it declares one in inches or centimetres, else 150 dpi.
    assert!((report.pages[0].width_pt - 612.0).abs() < 0.5, "{:?}", report.pages[0]);
    assert!((report.pages[0].height_pt - 792.0).abs() < 0.5);
    let jpeg_dpi = match image_dpi(&jpeg) {
        Some(dpi) if (36.0..=4800.0).contains(&dpi) => dpi,
        _ => 150.0,
    };
    assert!((f64::from(report.pages[1].width_pt) - 1000.0 * 72.0 / jpeg_dpi).abs() < 0.5);
    assert!(report.pages[2].scanned, "the failed page has no text");

    let doc = Document::load_mem(&out).expect("load");
    let images = image_streams(&doc);
    assert_eq!(images.len(), 3);
    assert!(images.iter().any(|(_, c)| *c == jpeg), "the JPEG is embedded unchanged");
    let pages = doc.get_pages();
    let page3 = doc.get_dictionary(pages[&3]).expect("page 3");
    assert!(page3.get(pdf::OCR_FAILED_KEY.as_bytes()).is_ok());

    // Transparency is flattened onto white: render the first page and look
    // at the transparent left edge.
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("o.pdf");
    std::fs::write(&path, &out).expect("write");
    let prefix = dir.path().join("p");
    let (ok, _, err) = tool(
        "pdftoppm",
        &[
            "-r",
            "100",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            "-png",
            path.to_str().expect("p"),
            prefix.to_str().expect("p"),
        ],
    );
    assert!(ok, "{err}");
    let rendered = image::open(prefix.with_extension("png")).expect("render").to_rgb8();
    // 850 × 1100 px at 100 dpi; poppler may round the page size up a pixel.
    assert!(rendered.width().abs_diff(850) <= 1 && rendered.height().abs_diff(1100) <= 1);
    assert_eq!(rendered.get_pixel(3, 500).0, [255, 255, 255]);
}

fn image_dpi(jpeg: &[u8]) -> Option<f64> {
    // JFIF APP0: units at byte 13 of the segment data, density after it.
    let at = jpeg.windows(5).position(|w| w == b"JFIF\0")?;
    let unit = *jpeg.get(at + 7)?;
    let x = f64::from(u16::from_be_bytes([*jpeg.get(at + 8)?, *jpeg.get(at + 9)?]));
    match unit {
        1 => Some(x),
        2 => Some(x * 2.54),
        _ => None,
    }
}

#[test]
fn broken_images_are_refused() {
    let junk = EncodedImage { bytes: b"\x89PNG\r\n\x1a\nnot really".to_vec(), format: ImageFormat::Png };
    let err = pdf::images_to_pdf(&[(junk, vec![], false)], 150.0).expect_err("junk");
    assert_eq!(err.code(), "image.invalid");
    // A decompression bomb by header: 60,000 × 60,000 pixels.
    let mut bomb = png_bytes(&rgb_image(4, 4));
    bomb[16..20].copy_from_slice(&60_000u32.to_be_bytes());
    bomb[20..24].copy_from_slice(&60_000u32.to_be_bytes());
    let err = pdf::images_to_pdf(&[(EncodedImage { bytes: bomb, format: ImageFormat::Png }, vec![], false)], 150.0)
        .expect_err("bomb");
    assert!(matches!(err, PdfError::Image(_)));
    assert!(pdf::images_to_pdf(&[], 150.0).is_err());
}

#[test]
fn streaming_extraction_stops_when_the_consumer_fails() {
    let mut b = Builder::new();
    for _ in 0..5 {
        b.text_page(&["vector"]);
    }
    let bytes = b.finish();
    let mut seen = 0;
    let result = pdf::for_each_page_image(&bytes, &limits(), |_| {
        seen += 1;
        if seen == 2 { Err(PdfError::Render("consumer gave up".into())) } else { Ok(()) }
    });
    assert!(matches!(result, Err(PdfError::Render(_))));
    assert_eq!(seen, 2);
}

/// Inserts a `pHYs` chunk (pixels per metre) right after the IHDR chunk.
fn with_phys(png: &[u8], per_metre: u32) -> Vec<u8> {
    let mut chunk = b"pHYs".to_vec();
    chunk.extend(per_metre.to_be_bytes());
    chunk.extend(per_metre.to_be_bytes());
    chunk.push(1);
    let mut crc = flate2::Crc::new();
    crc.update(&chunk);
    let mut out = png[..33].to_vec();
    out.extend(9u32.to_be_bytes());
    out.extend(&chunk);
    out.extend(crc.sum().to_be_bytes());
    out.extend(&png[33..]);
    out
}
