//! The page-image side of the PDF engine: images taken out of scanned pages
//! as they are, and pages rendered by `pdftoppm` where they cannot be, each
//! with the placement that maps its pixels back onto the page.

mod pdf_support;

use pdf_support::*;
use std::time::Duration;

use lopdf::{Dictionary, Object, Stream, dictionary};
use meeteasy_pipelines::pdf::{self, ImageFormat, PageSource};

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
    let page = pdf::render_page(&path, &specs[0], 144, pdf::MAX_RENDER_PIXELS, Duration::from_secs(60))
        .await
        .expect("render ccitt");
    assert_eq!((page.width_px, page.height_px), (288, 288));
    let page = pdf::render_page(&path, &specs[1], 144, pdf::MAX_RENDER_PIXELS, Duration::from_secs(60))
        .await
        .expect("render vector");
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
    let page =
        pdf::render_page(&path, &spec, 72, pdf::MAX_RENDER_PIXELS, Duration::from_secs(60)).await.expect("render");
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

#[tokio::test]
async fn a_page_too_large_for_the_pixel_cap_renders_smaller_and_still_maps_back() {
    let mut b = Builder::new();
    b.page(200.0, 100.0, b"0 g 0 50 100 50 re f", Dictionary::new());
    let bytes = b.finish();
    let spec = match pdf::extract_page_images(&bytes, &limits()).expect("extract").remove(0) {
        PageSource::NeedsRender(spec) => spec,
        PageSource::Extracted(_) => panic!("vector page"),
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("doc.pdf");
    std::fs::write(&path, &bytes).expect("write");
    // 144 dpi would be 400x200 = 80,000 pixels; the cap is a quarter of that.
    let page = pdf::render_page(&path, &spec, 144, 20_000, Duration::from_secs(60)).await.expect("render");
    let png = image::load_from_memory(&page.image.bytes).expect("png").to_luma8();
    assert_eq!(png.dimensions(), (page.width_px, page.height_px));
    assert!(u64::from(page.width_px) * u64::from(page.height_px) <= 20_000, "{}x{}", page.width_px, page.height_px);
    assert!(page.width_px >= 190, "lowered no further than needed: {}", page.width_px);
    // The placement follows the lower resolution: the far corner is (200, 0).
    let (ux, uy) = page.placement.apply(f64::from(page.width_px), f64::from(page.height_px));
    assert!((ux - 200.0).abs() < 2.0 && uy.abs() < 2.0, "({ux}, {uy})");
}
