//! PDF inspection (lenient lopdf parse on a guard thread, page tree walk,
//! text extraction, scanned-page detection) under small limits.
#![no_main]

use std::time::Duration;

use libfuzzer_sys::fuzz_target;
use meeteasy_pipelines::pdf::{PdfLimits, inspect};

fuzz_target!(|data: &[u8]| {
    let limits = PdfLimits {
        max_pages: 16,
        deadline: Duration::from_secs(2),
        max_text_chars_per_page: 10_000,
        max_image_pixels: 4_000_000,
    };
    let _ = inspect(data, &limits);
});
