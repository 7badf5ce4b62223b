//! Upload type detection from magic bytes: documents (PDF, Office containers,
//! RTF, text, images) and OCR image uploads.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = meeteasy_pipelines::documents::sniff(data);
    let _ = meeteasy_ai::ocr::input::sniff_image(data);
});
