//! The searchable-PDF side of the PDF engine: invisible text layers on
//! scanned pages (the page images are `pdf_page_images.rs`), with poppler's
//! `pdftotext`/`pdftoppm`/`pdffonts` as the independent judge of what we
//! write.

mod pdf_support;

use pdf_support::*;
use std::io::Cursor;

use lopdf::{Document, Object, ObjectId};
use meeteasy_pipelines::pdf::{self, EncodedImage, ImageFormat, Matrix, PageText, PdfError, TextLine};

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
