//! OCR image uploads: header-only dimensions, then a bounded decode
//! (4 MP, 4096 px per side, 64 MiB decoded buffer) with EXIF orientation.
#![no_main]

use libfuzzer_sys::fuzz_target;
use meeteasy_ai::ocr::input::{ImageLimits, decode_image, image_dimensions};

fuzz_target!(|data: &[u8]| {
    let _ = image_dimensions(data);
    let limits = ImageLimits { max_pixels: 4_000_000, max_side: 4096, max_alloc_bytes: 64 * 1024 * 1024 };
    let _ = decode_image(data, &limits);
});
