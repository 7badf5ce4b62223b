//! Shared by the PDF engine's integration tests: document builders, image
//! helpers and the poppler tools that judge what we write.
#![allow(dead_code)] // each test file uses a different part

use std::io::Cursor;
use std::process::Command;

use lopdf::{Dictionary, Document, Object, ObjectId, Stream, dictionary};
use meeteasy_pipelines::pdf::{PageImage, PageSource, PdfLimits};

// ---------------------------------------------------------------- builders

/// A document skeleton: pages under one `/Pages` node, Helvetica as `/F1`.
pub struct Builder {
    pub doc: Document,
    pub pages_id: ObjectId,
    pub font_id: ObjectId,
    pub kids: Vec<Object>,
}

impl Builder {
    pub fn new() -> Self {
        let mut doc = Document::with_version("1.5");
        let pages_id = doc.new_object_id();
        let font_id = doc.add_object(dictionary! {
            "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica", "Encoding" => "WinAnsiEncoding",
        });
        Self { doc, pages_id, font_id, kids: Vec::new() }
    }

    /// Adds a page with `content` and resources `extra` (merged with the font).
    pub fn page(&mut self, width: f64, height: f64, content: &[u8], extra: Dictionary) -> ObjectId {
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

    pub fn text_page(&mut self, lines: &[&str]) -> ObjectId {
        let mut content = String::from("BT /F1 12 Tf 72 720 Td 14 TL\n");
        for line in lines {
            content.push_str(&format!("({}) Tj T*\n", line.replace('(', "\\(").replace(')', "\\)")));
        }
        content.push_str("ET\n");
        self.page(612.0, 792.0, content.as_bytes(), Dictionary::new())
    }

    pub fn finish_doc(mut self) -> Document {
        let count = self.kids.len() as i64;
        self.doc.objects.insert(
            self.pages_id,
            Object::Dictionary(dictionary! { "Type" => "Pages", "Kids" => self.kids, "Count" => count }),
        );
        let catalog = self.doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => self.pages_id });
        self.doc.trailer.set("Root", catalog);
        self.doc
    }

    pub fn finish(self) -> Vec<u8> {
        save(self.finish_doc())
    }
}

pub fn save(mut doc: Document) -> Vec<u8> {
    let mut out = Vec::new();
    doc.save_to(&mut out).expect("save");
    out
}

/// A PDF written byte by byte, with a correct cross-reference table, for
/// structures lopdf would not write (or would overflow writing).
pub fn raw_pdf(objects: &[(u32, Vec<u8>)], root: u32) -> Vec<u8> {
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

pub fn rgb_image(w: u32, h: u32) -> image::RgbImage {
    image::RgbImage::from_fn(w, h, |x, y| image::Rgb([(x * 255 / w) as u8, (y * 255 / h) as u8, 128]))
}

pub fn jpeg_bytes(img: &image::RgbImage) -> Vec<u8> {
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90).encode_image(img).expect("jpeg");
    out
}

pub fn png_bytes(img: &image::RgbImage) -> Vec<u8> {
    let mut out = Vec::new();
    img.write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png).expect("png");
    out
}

/// A page that is only an image, drawn `q W 0 0 H 0 0 cm /Im0 Do Q`.
pub fn scanned_page(b: &mut Builder, image: Stream, width: f64, height: f64) -> ObjectId {
    let image_id = b.doc.add_object(image);
    let content = format!("q {width} 0 0 {height} 0 0 cm /Im0 Do Q\n");
    b.page(width, height, content.as_bytes(), dictionary! { "XObject" => dictionary! { "Im0" => image_id } })
}

pub fn jpeg_xobject(jpeg: &[u8], w: u32, h: u32) -> Stream {
    Stream::new(
        dictionary! {
            "Type" => "XObject", "Subtype" => "Image", "Width" => w as i64, "Height" => h as i64,
            "ColorSpace" => "DeviceRGB", "BitsPerComponent" => 8, "Filter" => "DCTDecode",
        },
        jpeg.to_vec(),
    )
}

pub fn flate_xobject(img: &image::RgbImage) -> Stream {
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

pub fn tool(name: &str, args: &[&str]) -> (bool, String, String) {
    let out = Command::new(name).args(args).output().unwrap_or_else(|e| panic!("{name} must be installed: {e}"));
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

pub fn pdftotext(pdf: &[u8]) -> String {
    pdftotext_with(pdf, &[])
}

pub fn pdftotext_with(pdf: &[u8], options: &[&str]) -> String {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("in.pdf");
    std::fs::write(&path, pdf).expect("write");
    let mut args = options.to_vec();
    args.extend([path.to_str().expect("path"), "-"]);
    let (ok, out, err) = tool("pdftotext", &args);
    assert!(ok, "pdftotext failed: {err}");
    out
}

pub fn limits() -> PdfLimits {
    PdfLimits::default()
}

/// The extracted images of `sources`; panics on a page that needs rendering.
pub fn only_extracted(sources: Vec<PageSource>) -> Vec<PageImage> {
    sources
        .into_iter()
        .map(|s| match s {
            PageSource::Extracted(img) => img,
            PageSource::NeedsRender(spec) => panic!("page {} needs rendering: {}", spec.page, spec.reason),
        })
        .collect()
}
