//! OCR end to end: `POST /v1/ocr` on the AI pool, and scanned documents
//! made searchable (fan-out to `ocr_image`, fan-in, lopdf text layer),
//! checked with poppler's `pdftotext`. Needs the models
//! (`scripts/fetch-models.sh`; scripts/test.sh exports MEETEASY_MODELS_DIR).
//!
//! The line images are the engine's committed fixtures
//! (`ai/tests/fixtures`, rendered by `gen_fixtures.py`); pages are composed
//! from them here. Recognition must be exact: the CER of each fixture is
//! printed and must be 0.

use std::time::Duration;

use image::{DynamicImage, GenericImage, ImageFormat, RgbImage};
use meeteasy_models::Pool;
use meeteasy_models::auth::Role;
use meeteasy_tests::app::{assert_error, json, quick_retries};
use meeteasy_tests::cer::cer;
use meeteasy_tests::documents as fx;
use meeteasy_tests::{Backend, TestApp, on_both_backends};
use serde_json::Value;

const WITHIN: Duration = Duration::from_secs(120);

const LINES: [(&str, &str); 4] = [
    ("english.png", "The quick brown fox jumps over the lazy dog."),
    ("digits.png", "0123456789 3.14159 2026-05-17 +41 79 555 01 23"),
    ("chinese.png", "中文识别测试"),
    ("rotated15.png", "Rotated line of text 15 degrees"),
];

fn fixture(name: &str) -> DynamicImage {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../ai/tests/fixtures").join(name);
    image::open(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn encode(img: &DynamicImage, format: ImageFormat) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, format).unwrap_or_else(|e| panic!("encode {format:?}: {e}"));
    out.into_inner()
}

/// A white page with the given fixture lines pasted one under another.
fn page_of(names: &[&str]) -> DynamicImage {
    let imgs: Vec<RgbImage> = names.iter().map(|n| fixture(n).to_rgb8()).collect();
    let width = imgs.iter().map(|i| i.width()).max().unwrap_or(100) + 200;
    let height = imgs.iter().map(|i| i.height() + 60).sum::<u32>() + 200;
    let mut page = RgbImage::from_pixel(width, height, image::Rgb([255, 255, 255]));
    let mut y = 100;
    for img in &imgs {
        page.copy_from(img, 100, y).unwrap_or_else(|e| panic!("{e}"));
        y += img.height() + 60;
    }
    DynamicImage::ImageRgb8(page)
}

async fn app(backend: Backend, tweak: impl FnOnce(&mut meeteasy_api::config::Settings)) -> TestApp {
    assert!(
        std::env::var("MEETEASY_MODELS_DIR").is_ok(),
        "MEETEASY_MODELS_DIR is not set: run scripts/fetch-models.sh DIR"
    );
    TestApp::spawn_pools(backend, &[Pool::Cpu, Pool::Ai], tweak).await
}

async fn ocr(app: &TestApp, token: &str, name: &str, bytes: Vec<u8>) -> Value {
    let resp = app.upload_files("/v1/ocr", token, &[(name, bytes)], &[]).await;
    assert_eq!(resp.status().as_u16(), 202, "{name}");
    let job = json(resp).await;
    app.finished(token, &job, WITHIN).await
}

fn pdftotext(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let path = dir.path().join("doc.pdf");
    std::fs::write(&path, pdf).unwrap_or_else(|e| panic!("{e}"));
    let out = std::process::Command::new("pdftotext")
        .arg(&path)
        .arg("-")
        .output()
        .unwrap_or_else(|e| panic!("pdftotext (poppler-utils) is required: {e}"));
    assert!(out.status.success(), "pdftotext failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

on_both_backends!(images_come_back_as_exact_text_with_boxes, |backend: Backend| async move {
    let app = app(backend, |_| {}).await;
    let t = app.token("acme", Role::Attendee);
    for (name, expected) in LINES {
        let job = ocr(&app, &t, name, encode(&fixture(name), ImageFormat::Png)).await;
        assert_eq!(job["status"], "succeeded", "{name}: {job}");
        let text = job["result"]["text"].as_str().unwrap_or_default();
        let rate = cer(expected, text);
        eprintln!("CER {name}: {rate:.3} ({text:?})");
        assert_eq!(text, expected, "{name}");
        let line = &job["result"]["lines"][0];
        assert_eq!(line["text"], expected);
        assert!(line["confidence"].as_f64().is_some_and(|c| c > 0.8), "{line}");
        let quad = line["box"].as_array().map(Vec::len);
        assert_eq!(quad, Some(4), "{line}");
    }
    // Formats are recognized from the bytes, whatever the name says.
    let english = fixture("english.png");
    for format in [ImageFormat::Jpeg, ImageFormat::Tiff, ImageFormat::WebP, ImageFormat::Bmp] {
        let job = ocr(&app, &t, "scan.png", encode(&english, format)).await;
        assert_eq!(job["status"], "succeeded", "{format:?}: {job}");
        let text = job["result"]["text"].as_str().unwrap_or_default();
        eprintln!("CER english as {format:?}: {:.3}", cer(LINES[0].1, text));
        assert_eq!(text, LINES[0].1, "{format:?}");
    }
    // Several lines come back in reading order.
    let job =
        ocr(&app, &t, "page.png", encode(&page_of(&["english.png", "digits.png", "chinese.png"]), ImageFormat::Png))
            .await;
    let texts: Vec<&str> = job["result"]["lines"]
        .as_array()
        .map(|l| l.iter().filter_map(|x| x["text"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(texts, [LINES[0].1, LINES[1].1, LINES[2].1], "{job}");
});

on_both_backends!(hostile_images_are_refused_with_clear_codes, |backend: Backend| async move {
    let app = app(backend, |s| s.documents.max_image_pixels = 50_000_000).await;
    let t = app.token("acme", Role::Attendee);
    let empty = app.upload_files("/v1/ocr", &t, &[("a.png", Vec::new())], &[]).await;
    assert_error(empty, 422, "image.empty").await;
    let text = app.upload_files("/v1/ocr", &t, &[("a.png", b"just text".to_vec())], &[]).await;
    assert_error(text, 415, "image.unsupported_format").await;
    let pdf = app.upload_files("/v1/ocr", &t, &[("a.png", fx::pdf_text(&["x"]))], &[]).await;
    assert_error(pdf, 415, "image.unsupported_format").await;

    // A decompression bomb: 100000×100000 declared, a few bytes of data.
    let bomb = ocr(&app, &t, "bomb.png", fx::png_bomb(100_000, 100_000)).await;
    assert_eq!(bomb["status"], "dead", "{bomb}");
    assert_eq!(bomb["error"]["code"], "image.too_large", "{bomb}");
    assert_eq!(bomb["attempts"], 1, "{bomb}");
    let good = encode(&fixture("english.png"), ImageFormat::Png);
    let cut = ocr(&app, &t, "cut.png", fx::truncated(&good, good.len() / 2)).await;
    assert_eq!(cut["status"], "dead", "{cut}");
    assert_eq!(cut["error"]["code"], "image.corrupt", "{cut}");

    // Another tenant sees none of it.
    let other = app.token("globex", Role::Attendee);
    let id = cut["id"].as_str().unwrap_or_default();
    assert_error(app.get(&format!("/v1/jobs/{id}"), &other).await, 404, "job.not_found").await;
});

async fn searchable(app: &TestApp, t: &str, name: &str, bytes: Vec<u8>, ocr: &str) -> (Value, String) {
    let job = app.upload_document(t, name, bytes, Some(ocr)).await;
    let job = app.finished(t, &job, WITHIN).await;
    assert_eq!(job["status"], "succeeded", "{job}");
    let id = job["id"].as_str().unwrap_or_default().to_string();
    let first = app.document(t, &id).await;
    assert_eq!(first["needs_ocr"], true, "{first}");
    let ocr_job = first["ocr_job_id"].as_str().unwrap_or_else(|| panic!("no OCR job: {first}")).to_string();
    let done = app.wait_for_status(t, &ocr_job, &["succeeded", "dead"], WITHIN).await;
    assert_eq!(done["status"], "succeeded", "{done}");
    assert_eq!(done["progress"], 100);
    let doc = app.document(t, &id).await;
    assert_eq!(doc["ocr_status"], "done", "{doc}");
    assert_eq!(doc["has_text"], true, "{doc}");
    let pdf = app.get(&format!("/v1/documents/{id}/pdf"), t).await.bytes().await.unwrap_or_default();
    (doc, pdftotext(&pdf))
}

on_both_backends!(scans_become_searchable_pdfs, |backend: Backend| async move {
    let app = app(backend, |_| {}).await;
    let t = app.token("acme", Role::Organizer);

    // A scanned PDF (JPEG page + Flate page), `ocr=auto`: scanned pages are detected.
    let p1 = page_of(&["english.png", "digits.png"]);
    let p2 = page_of(&["chinese.png"]);
    let scan = fx::pdf_scanned(&[fx::ScanImage::Jpeg(encode(&p1, ImageFormat::Jpeg)), fx::ScanImage::Pixels(p2)]);
    let (doc, text) = searchable(&app, &t, "scan.pdf", scan, "auto").await;
    assert_eq!(doc["page_count"], 2);
    assert_eq!(doc["scanned_pages"], serde_json::json!([1, 2]), "{doc}");
    let text = squash(&text);
    for expected in [LINES[0].1, LINES[1].1, LINES[2].1] {
        assert!(text.contains(expected), "pdftotext lacks {expected:?}: {text:?}");
    }
    let id = doc["id"].as_str().unwrap_or_default();
    let stored = app.document_text(&t, id).await;
    assert!(squash(stored["pages"][1]["text"].as_str().unwrap_or_default()).contains(LINES[2].1), "{stored}");

    // Several images in one upload become one searchable PDF, one page each.
    let files = [
        ("one.png", encode(&fixture("english.png"), ImageFormat::Png)),
        ("two.jpg", encode(&fixture("digits.png"), ImageFormat::Jpeg)),
    ];
    let resp = app.upload_files("/v1/documents", &t, &files, &[]).await;
    assert_eq!(resp.status().as_u16(), 202);
    let job = app.finished(&t, &json(resp).await, WITHIN).await;
    assert_eq!(job["status"], "succeeded", "{job}");
    let id = job["id"].as_str().unwrap_or_default();
    let ocr_job = app.document(&t, id).await["ocr_job_id"].as_str().unwrap_or_default().to_string();
    app.wait_for_status(&t, &ocr_job, &["succeeded"], WITHIN).await;
    let doc = app.document(&t, id).await;
    assert_eq!(doc["page_count"], 2, "{doc}");
    let pdf = app.get(&format!("/v1/documents/{id}/pdf"), &t).await.bytes().await.unwrap_or_default();
    let text = squash(&pdftotext(&pdf));
    assert!(text.contains(LINES[0].1) && text.contains(LINES[1].1), "{text:?}");

    // `ocr=skip` records the need and does nothing.
    let scan = fx::pdf_scanned(&[fx::ScanImage::Pixels(page_of(&["english.png"]))]);
    let job = app.upload_document(&t, "skip.pdf", scan, Some("skip")).await;
    let job = app.finished(&t, &job, WITHIN).await;
    let doc = app.document(&t, job["id"].as_str().unwrap_or_default()).await;
    assert_eq!(doc["needs_ocr"], true, "{doc}");
    assert_eq!(doc["ocr_status"], "none", "{doc}");
    assert_eq!(doc["has_text"], false, "{doc}");
});

on_both_backends!(a_page_whose_ocr_fails_does_not_lose_the_document, |backend: Backend| async move {
    // Page 2 is a damaged scan: a JPEG whose header is fine (so it is passed
    // through) but whose data ends before the scan starts. Its `ocr_image`
    // job is refused for good (`image.corrupt`); the PDF is still made, with
    // page 2 marked.
    // Page 3's image is over the OCR pixel cap: it is not taken out but
    // rendered at a resolution within the cap, and read.
    let cap = 1_500_000;
    let app = app(backend, |s| {
        s.documents.max_image_pixels = cap;
        quick_retries(s, "ocr_image", 2, 60);
    })
    .await;
    let t = app.token("acme", Role::Organizer);
    let small = page_of(&["english.png"]);
    let digits = page_of(&["digits.png"]);
    let mut damaged = encode(&digits, ImageFormat::Jpeg);
    let sos = damaged.windows(2).position(|m| m == [0xFF, 0xDA]).unwrap_or_else(|| panic!("no SOS marker"));
    damaged.truncate(sos);
    let damaged = fx::ScanImage::DamagedJpeg(damaged, digits.width(), digits.height());
    let (w, h) = (small.width() * 3, small.height() * 3);
    assert!(u64::from(w) * u64::from(h) > cap, "page 3 must exceed the cap");
    let large = small.resize_exact(w, h, image::imageops::FilterType::Triangle);
    let scan = fx::pdf_scanned(&[fx::ScanImage::Pixels(small), damaged, fx::ScanImage::Pixels(large)]);
    let (doc, text) = searchable(&app, &t, "partial.pdf", scan, "force").await;
    assert_eq!(doc["ocr_failed_pages"], serde_json::json!([2]), "{doc}");
    assert_eq!(doc["page_count"], 3);
    assert_eq!(squash(&text).matches(&squash(LINES[0].1)).count(), 2, "pages 1 and 3: {text:?}");
});
