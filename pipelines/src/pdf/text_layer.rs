//! The invisible OCR text layer: recognized lines drawn in text render mode 3
//! (neither filled nor stroked) exactly over the words in the page image, so
//! that selecting, searching and copying work while the image stays what the
//! reader sees.
//!
//! Each line is one `BT … ET`:
//! * the baseline runs along the quad's bottom edge (bottom-left → bottom-right),
//!   and the text matrix is rotated to it, so skewed and rotated lines select
//!   where they are drawn;
//! * the font size is the quad's height measured perpendicular to that edge;
//! * `Tz` stretches the line so its advance equals the edge's length.
//!
//! The font is a Type 0 font with `/Encoding /Identity-H` over an embedded
//! glyphless CIDFontType2 (see [`super::glyphless`]). A character code is its
//! Unicode code point, two bytes, so the `/ToUnicode` map is the identity,
//! written as one `bfrange` per high byte (the surrogate block D800–DFFF is
//! left out, it holds no characters). `pdftotext` and every viewer get the
//! recognized text back from it, Chinese included. Characters outside the
//! Basic Multilingual Plane (emoji, rare CJK extension B ideographs) do not
//! fit a two-byte identity code and are dropped from the layer.

use std::io::Write;

use flate2::Compression;
use flate2::write::ZlibEncoder;
use lopdf::{Dictionary, Document, Object, ObjectId, Stream, StringFormat};
use serde::{Deserialize, Serialize};

use super::glyphless::{self, ADVANCE, UNITS_PER_EM};
use super::matrix::Matrix;

/// Maps image pixels (x right, y down, (0, 0) the top-left corner of the
/// image) to PDF user space on the page.
pub type Placement = Matrix;

/// One recognized line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TextLine {
    pub text: String,
    /// Corners in image pixels: top-left, top-right, bottom-right, bottom-left
    /// (in reading direction: "bottom" is the baseline side).
    pub quad: [[f32; 2]; 4],
    pub confidence: f32,
}

/// The recognized text of one page of an existing PDF.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PageText {
    /// 1-based.
    pub page: u32,
    /// Where the OCR'd image sits on the page (from [`super::PageImage::placement`]).
    pub placement: Placement,
    /// The OCR'd image's size; carried for the job record, the layer is
    /// placed by `placement` alone.
    pub width_px: u32,
    pub height_px: u32,
    /// Every line is written, whatever its confidence: a searchable wrong
    /// word costs less than a missing right one.
    pub lines: Vec<TextLine>,
    /// OCR failed for good on this page: the page is kept without text and marked.
    pub failed: bool,
}

/// The page-dictionary key that marks a page whose OCR failed (value `(failed)`).
pub const OCR_FAILED_KEY: &str = "MeetEasyOcr";
/// The document-information key listing the failed pages, e.g. `(2, 5)`.
pub const OCR_FAILED_PAGES_INFO_KEY: &str = "MeetEasyOcrFailedPages";

/// Adds the layer's font objects to `doc`; returns the Type 0 font's id.
pub(crate) fn add_font(doc: &mut Document) -> ObjectId {
    let program = glyphless::font_program();
    let mut font_file = Dictionary::new();
    font_file.set("Length1", program.len() as i64);
    let font_file = doc.add_object(Stream::new(font_file, program));
    let descriptor = doc.add_object(dict(vec![
        ("Type", name("FontDescriptor")),
        ("FontName", name("GlyphLessFont")),
        ("Flags", Object::Integer(5)),
        ("FontBBox", numbers(&[0.0, 0.0, f64::from(ADVANCE), f64::from(UNITS_PER_EM)])),
        ("ItalicAngle", Object::Integer(0)),
        ("Ascent", Object::Integer(i64::from(UNITS_PER_EM))),
        ("Descent", Object::Integer(0)),
        ("CapHeight", Object::Integer(i64::from(UNITS_PER_EM))),
        ("StemV", Object::Integer(80)),
        ("FontFile2", Object::Reference(font_file)),
    ]));
    // Every CID → glyph 1.
    let cid_to_gid: Vec<u8> = std::iter::repeat_n([0u8, 1u8], 65_536).flatten().collect();
    let cid_to_gid = doc.add_object(compressed(Dictionary::new(), &cid_to_gid));
    let cid_font = doc.add_object(dict(vec![
        ("Type", name("Font")),
        ("Subtype", name("CIDFontType2")),
        ("BaseFont", name("GlyphLessFont")),
        (
            "CIDSystemInfo",
            dict(vec![
                ("Registry", Object::string_literal("Adobe")),
                ("Ordering", Object::string_literal("Identity")),
                ("Supplement", Object::Integer(0)),
            ]),
        ),
        ("FontDescriptor", Object::Reference(descriptor)),
        ("DW", Object::Integer(i64::from(ADVANCE))),
        ("CIDToGIDMap", Object::Reference(cid_to_gid)),
    ]));
    let to_unicode = doc.add_object(compressed(Dictionary::new(), identity_to_unicode().as_bytes()));
    doc.add_object(dict(vec![
        ("Type", name("Font")),
        ("Subtype", name("Type0")),
        ("BaseFont", name("GlyphLessFont")),
        ("Encoding", name("Identity-H")),
        ("DescendantFonts", Object::Array(vec![Object::Reference(cid_font)])),
        ("ToUnicode", Object::Reference(to_unicode)),
    ]))
}

fn identity_to_unicode() -> String {
    let mut cmap = String::from(
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n\
         /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n\
         /CMapName /MeetEasy-Identity-UCS def\n/CMapType 2 def\n\
         1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n",
    );
    let highs: Vec<u32> = (0u32..=0xFF).filter(|h| !(0xD8..=0xDF).contains(h)).collect();
    for block in highs.chunks(100) {
        cmap.push_str(&format!("{} beginbfrange\n", block.len()));
        for h in block {
            cmap.push_str(&format!("<{h:02X}00> <{h:02X}FF> <{h:02X}00>\n"));
        }
        cmap.push_str("endbfrange\n");
    }
    cmap.push_str("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
    cmap
}

/// The content operators for a page's lines, in the font named `font` (a
/// `/Font` resource name). Empty when no line has anything to draw.
pub(crate) fn page_ops(lines: &[TextLine], placement: &Placement, font: &str) -> Vec<u8> {
    let mut out = Vec::new();
    for line in lines {
        let Some(op) = line_ops(line, placement, font) else { continue };
        out.extend(op.into_bytes());
    }
    out
}

fn line_ops(line: &TextLine, placement: &Placement, font: &str) -> Option<String> {
    let codes: Vec<u16> = line
        .text
        .chars()
        .filter_map(|c| match c {
            c if c.is_whitespace() => Some(0x20),
            c if c.is_control() => None,
            c => u16::try_from(u32::from(c)).ok(),
        })
        .collect();
    // Trailing and leading spaces stretch nothing useful.
    let start = codes.iter().position(|c| *c != 0x20)?;
    let end = codes.iter().rposition(|c| *c != 0x20)? + 1;
    let codes = &codes[start..end];
    let point = |p: [f32; 2]| placement.apply(f64::from(p[0]), f64::from(p[1]));
    let [tl, _tr, br, bl] = line.quad.map(point);
    let base = (br.0 - bl.0, br.1 - bl.1);
    let width = base.0.hypot(base.1);
    if !(width.is_finite() && width > 1e-3) {
        return None;
    }
    let u = (base.0 / width, base.1 / width);
    let up = (tl.0 - bl.0, tl.1 - bl.1);
    // Height perpendicular to the baseline; its sign says which side "up" is
    // (negative when the placement mirrors the image).
    let height = u.0 * up.1 - u.1 * up.0;
    if !(height.is_finite() && height.abs() > 1e-3) {
        return None;
    }
    let n = if height > 0.0 { (-u.1, u.0) } else { (u.1, -u.0) };
    let size = height.abs();
    let natural = codes.len() as f64 * f64::from(ADVANCE) / f64::from(UNITS_PER_EM) * size;
    let tz = (100.0 * width / natural).clamp(0.01, 100_000.0);
    let hex: String = codes.iter().map(|c| format!("{c:04X}")).collect();
    Some(format!(
        "BT\n/{font} {} Tf\n3 Tr\n{} Tz\n{} {} {} {} {} {} Tm\n<{hex}> Tj\nET\n",
        num(size),
        num(tz),
        num(u.0),
        num(u.1),
        num(n.0),
        num(n.1),
        num(bl.0),
        num(bl.1),
    ))
}

/// A number for a content stream: fixed point, no exponent, trailing zeros cut.
pub(crate) fn num(v: f64) -> String {
    let v = if v.is_finite() { v } else { 0.0 };
    let s = format!("{v:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" || s.is_empty() { "0".to_string() } else { s.to_string() }
}

/// A Flate-compressed stream.
pub(crate) fn compressed(mut dict: Dictionary, data: &[u8]) -> Stream {
    let mut encoder = ZlibEncoder::new(Vec::new(), Compression::default());
    // Writing into a Vec cannot fail.
    let packed = encoder.write_all(data).and_then(|()| encoder.finish()).ok();
    match packed {
        Some(packed) => {
            dict.set("Filter", name("FlateDecode"));
            Stream::new(dict, packed)
        }
        None => Stream::new(dict, data.to_vec()),
    }
}

pub(crate) fn name(n: &str) -> Object {
    Object::Name(n.as_bytes().to_vec())
}

pub(crate) fn numbers(v: &[f64]) -> Object {
    Object::Array(v.iter().map(|x| Object::Real(*x as f32)).collect())
}

pub(crate) fn dict(entries: Vec<(&str, Object)>) -> Object {
    let mut d = Dictionary::new();
    for (k, v) in entries {
        d.set(k, v);
    }
    Object::Dictionary(d)
}

/// The literal string a failed page is marked with.
pub(crate) fn failed_marker() -> Object {
    Object::String(b"failed".to_vec(), StringFormat::Literal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_sits_on_its_quad() {
        // Identity placement: pixels are user-space units here.
        let line = TextLine {
            text: "ab".into(),
            quad: [[10.0, 10.0], [50.0, 10.0], [50.0, 30.0], [10.0, 30.0]],
            confidence: 0.9,
        };
        // A 100-px-high image drawn 1:1 (pixel y grows downwards, user y upwards).
        let flip = Matrix::new(1.0, 0.0, 0.0, -1.0, 0.0, 100.0);
        let ops = line_ops(&line, &flip, "F").unwrap_or_default();
        // Baseline from (10, 70) to (50, 70), height 20 upwards, two codes of
        // 0.5 em at size 20 = 20 units natural width → Tz 200.
        assert!(ops.contains("/F 20 Tf"), "{ops}");
        assert!(ops.contains("200 Tz"), "{ops}");
        assert!(ops.contains("1 0 0 1 10 70 Tm"), "{ops}");
        assert!(ops.contains("<00610062> Tj"), "{ops}");
        assert!(ops.contains("3 Tr"));
    }

    #[test]
    fn rotation_and_unicode() {
        let a = 15f64.to_radians();
        let (c, s) = (a.cos() as f32, a.sin() as f32);
        // A 100 × 20 px box rotated 15° (counter-clockwise on the page) about
        // its bottom-left corner at (0, 0) in a y-up placement.
        let bl = [0.0f32, 0.0];
        let br = [100.0 * c, 100.0 * s];
        let tl = [-20.0 * s, 20.0 * c];
        let tr = [br[0] + tl[0], br[1] + tl[1]];
        let line = TextLine { text: "中文 😀x".into(), quad: [tl, tr, br, bl], confidence: 1.0 };
        let ops = line_ops(&line, &Matrix::IDENTITY, "F").unwrap_or_default();
        // The emoji is outside the BMP and dropped; the space stays.
        assert!(ops.contains("<4E2D658700200078> Tj"), "{ops}");
        assert!(ops.contains("0.9659 0.2588 -0.2588 0.9659 0 0 Tm"), "{ops}");
        assert!(ops.contains("/F 20 Tf"), "{ops}");
    }

    #[test]
    fn to_unicode_covers_the_bmp_but_surrogates() {
        let cmap = super::super::cmap::CMap::parse(identity_to_unicode().as_bytes());
        let mut s = String::new();
        assert!(cmap.lookup(0x4E2D, 2, &mut s));
        assert!(cmap.lookup(0xFFFD, 2, &mut s));
        assert!(!cmap.lookup(0xD800, 2, &mut s));
        assert_eq!(s, "中\u{fffd}");
    }
}
