//! "Scanned" PDFs: pages that are one full-page image and no text.
//!
//! The pipeline decides a page needs OCR when it has images and no text;
//! these fixtures are that case. Each page is sized from its image at 200
//! dpi, as a scanner would, and draws the image over the whole page with
//! `q W 0 0 H 0 0 cm /Im0 Do Q`. JPEG scans are embedded as they are
//! (`DCTDecode`), the way scanners write them; other images are embedded as
//! 8-bit RGB or grey samples (`FlateDecode`).

use std::io::Cursor;

use image::codecs::jpeg::JpegDecoder;
use image::{ColorType, DynamicImage, ImageDecoder};
use lopdf::content::{Content, Operation};
use lopdf::{Dictionary, Document, Object, Stream, dictionary};

use super::must;
use super::pdf::save;

/// The resolution a scan's pixels are placed at.
const DPI: f64 = 200.0;

/// One scanned page.
#[derive(Debug, Clone)]
pub enum ScanImage {
    /// An encoded JPEG (baseline, grey or RGB), embedded unchanged as DCTDecode.
    Jpeg(Vec<u8>),
    /// Decoded pixels, embedded as 8-bit grey (for grey images) or RGB, FlateDecode.
    Pixels(DynamicImage),
    /// Bytes embedded unchanged as an RGB DCTDecode image of the given width
    /// and height, whatever they hold: a damaged scan.
    DamagedJpeg(Vec<u8>, u32, u32),
}

/// A PDF with one image-only page per entry of `pages`.
///
/// Panics if a `ScanImage::Jpeg` is not a decodable JPEG header.
pub fn pdf_scanned(pages: &[ScanImage]) -> Vec<u8> {
    let mut doc = Document::with_version("1.7");
    let pages_id = doc.new_object_id();
    let kids = pages
        .iter()
        .map(|scan| {
            let (image, width, height) = image_stream(scan);
            let image_id = doc.add_object(image);
            let (w, h) = (f64::from(width) * 72.0 / DPI, f64::from(height) * 72.0 / DPI);
            let content = Content {
                operations: vec![
                    Operation::new("q", vec![]),
                    Operation::new("cm", vec![w.into(), 0.into(), 0.into(), h.into(), 0.into(), 0.into()]),
                    Operation::new("Do", vec!["Im0".into()]),
                    Operation::new("Q", vec![]),
                ],
            };
            let content_id = doc.add_object(Stream::new(Dictionary::new(), must(content.encode(), "encode content")));
            let page = dictionary! {
                "Type" => "Page",
                "Parent" => pages_id,
                "MediaBox" => vec![0.into(), 0.into(), w.into(), h.into()],
                "Contents" => content_id,
                "Resources" => dictionary! { "XObject" => dictionary! { "Im0" => image_id } },
            };
            doc.add_object(page).into()
        })
        .collect::<Vec<Object>>();
    let count = kids.len() as i64;
    doc.objects
        .insert(pages_id, Object::Dictionary(dictionary! { "Type" => "Pages", "Kids" => kids, "Count" => count }));
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    doc.compress();
    save(doc)
}

/// The image XObject for a scan, with its pixel size.
fn image_stream(scan: &ScanImage) -> (Stream, u32, u32) {
    let image_dict = |width: u32, height: u32, color_space: &str| {
        dictionary! {
            "Type" => "XObject", "Subtype" => "Image", "Width" => width, "Height" => height,
            "ColorSpace" => color_space, "BitsPerComponent" => 8,
        }
    };
    // JPEG bytes go in unchanged, whatever they hold.
    let dct = |bytes: &[u8], width: u32, height: u32, color_space: &str| {
        let mut dict = image_dict(width, height, color_space);
        dict.set("Filter", "DCTDecode");
        let mut stream = Stream::new(dict, bytes.to_vec());
        stream.allows_compression = false;
        (stream, width, height)
    };
    match scan {
        ScanImage::Jpeg(bytes) => {
            let decoder = must(JpegDecoder::new(Cursor::new(bytes)), "read JPEG header");
            let (width, height) = decoder.dimensions();
            let color_space = if decoder.color_type() == ColorType::L8 { "DeviceGray" } else { "DeviceRGB" };
            dct(bytes, width, height, color_space)
        }
        ScanImage::DamagedJpeg(bytes, width, height) => dct(bytes, *width, *height, "DeviceRGB"),
        ScanImage::Pixels(image) => {
            let (width, height) = (image.width(), image.height());
            let grey = matches!(image.color(), ColorType::L8 | ColorType::La8 | ColorType::L16 | ColorType::La16);
            let (samples, color_space) = if grey {
                (image.to_luma8().into_raw(), "DeviceGray")
            } else {
                (image.to_rgb8().into_raw(), "DeviceRGB")
            };
            let mut stream = Stream::new(image_dict(width, height, color_space), samples);
            must(stream.compress(), "compress image");
            stream.allows_compression = false;
            (stream, width, height)
        }
    }
}
