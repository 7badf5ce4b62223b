//! Local OCR: PP-OCR (detect → orientation → recognize) on ONNX Runtime.
//!
//! Why a reimplementation instead of calling RapidOCR: the AI pool is a Rust
//! process and must not depend on a Python runtime. The pipeline mirrors
//! RapidOCR 3.10.0 step by step (same models, same parameters, same resize and
//! post-processing semantics) so its output can be compared one-to-one with
//! the reference. Five deliberate deviations, each measured against the
//! reference on the same pages (README, "OCR benchmark"):
//!
//! - **Orientation** is judged on up to three natural-scale 4:1 windows of a
//!   line and averaged, instead of the whole line squeezed into 192x48: a long
//!   line squeezed that far is unreadable to the classifier, which then flips
//!   upright lines about one time in eight (RapidOCR's main source of errors).
//! - **Flip check**: a flipped line read with low confidence is read the other
//!   way up too and the better reading kept ([`OcrOptions::verify_flip`]).
//! - **Recognizer batches** group lines of similar width, so that no line in a
//!   batch is padded by more than 3 %: the recognizer's cost is linear in the
//!   padded width, and RapidOCR's fixed batches of six pad short lines to the
//!   longest.
//! - **Detection window**: the detector sees the part of a page that holds
//!   ink, with a margin, rather than the blank margins too
//!   ([`OcrOptions::crop_to_content`]).
//! - **Reading order** follows the page's own text angle and reads columns
//!   of prose one after the other ([`layout_order`]), instead of sorting by
//!   image rows, which reads a tilted invoice's amounts before their labels
//!   ([`OcrOptions::reading_order`]; [`ReadingOrder::RapidOcr`] restores it).
//!
//! Start an engine from the models folder that `scripts/fetch-models.sh`
//! fills:
//!
//! ```no_run
//! use meeteasy_ai::ModelInventory;
//! use meeteasy_ai::ocr::{ModelPaths, OcrEngine};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let paths = ModelPaths::from_inventory(&ModelInventory::new("/srv/models"))?;
//! let engine = OcrEngine::new(paths, 2)?; // sessions are built once, here
//! # let image = image::DynamicImage::new_rgb8(1, 1);
//! for line in engine.recognize(&image)? {
//!     println!("{} ({:.2})", line.text, line.confidence);
//! }
//! # Ok(())
//! # }
//! ```
//!
//! The engine takes decoded images. Uploads are turned into one with
//! [`decode_image`], which accepts png, jpeg, tiff, webp and bmp by their magic
//! bytes and refuses decompression bombs from the header, before decoding.

mod cls;
mod content;
mod crop;
mod ctc;
mod det;
mod det_post;
mod engine;
mod error;
mod geometry;
pub mod input;
mod model;
mod order;
mod preprocess;
mod rec;
mod runtime;
mod timings;

pub use det_post::DbParams;
pub use engine::{ModelPaths, OcrEngine, OcrLine, OcrOptions};
pub use error::OcrError;
pub use input::{DecodedImage, ImageInputError, ImageLimits, decode_image, image_dimensions, sniff_image};
pub use order::{ReadingOrder, layout_order, rapidocr_order};
pub use preprocess::flatten_to_rgb;
pub use runtime::init_runtime;
pub use timings::OcrTimings;
