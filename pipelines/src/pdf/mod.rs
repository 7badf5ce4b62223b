//! PDFs: reading what an upload holds, keeping a clean copy, and making
//! scanned pages searchable.
//!
//! * [`inspect`] / [`normalize`] (the `convert_document` job, for PDF inputs):
//!   page count and sizes, metadata, per-page text (CJK included), scanned
//!   pages (`needs_ocr`), encrypted-file detection, and a repaired rewrite when
//!   only lopdf's lenient reader can open the file.
//! * [`extract_page_images`] / [`for_each_page_image`] and [`render_page`]
//!   (the `make_searchable_pdf` pipeline, before OCR): each page's image, taken
//!   out of the PDF as it is when possible, else rendered with `pdftoppm`.
//! * [`add_text_layer`] and [`images_to_pdf`] (after OCR): the recognized lines
//!   as an invisible text layer on the original pages, or on new pages built
//!   from uploaded images.
//!
//! Why it is built the way it is:
//! * lopdf parses and writes; everything that *walks* the document (the page
//!   tree, content streams, fonts, form XObjects) is written here, iteratively
//!   or with explicit depth and count bounds, because a PDF is a graph the
//!   uploader controls (see `tree.rs`, `content.rs`).
//! * Text is extracted by our own content interpreter, not lopdf's
//!   `extract_text`: lopdf's decodes Identity-H/ToUnicode fonts, but reads
//!   neither form XObjects nor glyph positions (words run together), prefers
//!   `/Encoding` over `/ToUnicode`, and its ToUnicode parser expands ranges
//!   code by code, so one hostile CMap line costs billions of steps (see `cmap.rs`).
//! * Every entry point that parses runs on a thread of its own with a large
//!   stack and a deadline (see `guard.rs`): lopdf's parser recurses (bounded
//!   at depth 100 since 0.47), a parse cannot look at a clock, and a panic in
//!   lopdf must not take the worker down.
//! * All entry points but [`render_page`] are blocking: call them from
//!   `spawn_blocking`. [`render_page`] is async (it waits on a subprocess).
//!
//! Error codes are in [`PdfError::code`]; a page-tree loop is
//! `document.reference_loop`.

mod assemble;
mod cmap;
mod content;
mod encoding;
mod error;
mod font;
mod glyphless;
mod guard;
mod image_info;
mod images;
mod inspect;
mod limits;
mod load;
mod matrix;
mod render;
mod text;
mod text_layer;
mod text_string;
mod tree;

pub use assemble::{add_text_layer, images_to_pdf};
pub use error::PdfError;
pub use images::{
    EncodedImage, ImageFormat, PageImage, PageSource, RenderSpec, extract_page_images, for_each_page_image,
};
pub use inspect::{Normalized, PageInfo, PdfReport, inspect, normalize};
pub use limits::PdfLimits;
pub use matrix::Matrix;
pub use render::{MAX_RENDER_PIXELS, render_page};
pub use text_layer::{OCR_FAILED_KEY, OCR_FAILED_PAGES_INFO_KEY, PageText, Placement, TextLine};
