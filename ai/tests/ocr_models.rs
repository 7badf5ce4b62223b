//! End-to-end OCR with the real models: rendered lines in, exact text out.
//!
//! Why it fails instead of skipping when the models are absent: a skipped
//! test reads as green in CI while proving nothing. Fetch the models once with
//! `scripts/fetch-models.sh DIR` and run with `MEETEASY_MODELS_DIR=DIR`.
//!
//! The images are committed under `tests/fixtures/` (rendered by
//! `tests/fixtures/gen_fixtures.py`) so the test does not depend on the fonts
//! of the machine it runs on.

use std::path::Path;

use meeteasy_ai::ocr::OcrLine;

mod common;

use common::ocr_engine as engine;

fn recognize(fixture: &str) -> Vec<OcrLine> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(fixture);
    let image = image::open(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    engine().recognize(&image).unwrap_or_else(|e| panic!("{fixture}: {e}"))
}

/// The image holds exactly one line and it reads `expected`.
fn single_line(fixture: &str, expected: &str) -> OcrLine {
    let lines = recognize(fixture);
    let texts: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
    assert_eq!(texts, [expected], "{fixture}");
    let line = lines.into_iter().next().expect("one line");
    assert!(line.confidence > 0.9, "{fixture}: confidence {}", line.confidence);
    line
}

#[test]
fn reads_an_english_line() {
    single_line("english.png", "The quick brown fox jumps over the lazy dog.");
}

#[test]
fn reads_digits_dates_and_phone_numbers() {
    // The mobile orientation classifier wrongly flips this line; the engine's
    // flip verification (on by default) must undo that.
    single_line("digits.png", "0123456789 3.14159 2026-05-17 +41 79 555 01 23");
}

#[test]
fn reads_a_chinese_line() {
    single_line("chinese.png", "中文识别测试");
}

#[test]
fn reads_a_line_rotated_by_15_degrees() {
    let line = single_line("rotated15.png", "Rotated line of text 15 degrees");
    // The box follows the text: the top edge (tl → tr) rises by about 15°.
    let [tl, tr, _, _] = line.box_;
    let angle = (tl[1] - tr[1]).atan2(tr[0] - tl[0]).to_degrees();
    assert!((12.0..18.0).contains(&angle), "top edge at {angle:.1}°, box {:?}", line.box_);
}

#[test]
fn a_blank_image_has_no_lines() {
    let blank = image::DynamicImage::ImageRgb8(image::RgbImage::from_pixel(320, 120, image::Rgb([255, 255, 255])));
    assert!(engine().recognize(&blank).expect("blank image").is_empty());
}
