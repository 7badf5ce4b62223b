//! The AI engines: local OCR (PP-OCR through ONNX Runtime) and, later, speech
//! recognition (whisper.cpp).
//!
//! Engines here know nothing about queues: they take decoded inputs and model
//! paths and return domain results. The worker runtime in `jobs` owns the
//! slots, the warm sessions and the job records.
//!
//! What exists today:
//!
//! * the model inventory ([`ModelInventory`]): the AI pool refuses to start when
//!   its models are missing and names the command that fetches them;
//! * the OCR engine ([`ocr::OcrEngine`]), which starts from that inventory
//!   ([`ocr::ModelPaths::from_inventory`]) and turns a decoded image into text
//!   lines with boxes and confidences.
//!
//! Not done yet: nothing calls the OCR engine. Wiring it into the AI worker
//! pool in `jobs` and exposing it through the API is separate work, as is the
//! speech engine (its model, `whisper/ggml-tiny.en.bin`, is already produced
//! by `scripts/fetch-models.sh`, but nothing in the build loads it).

pub mod models_dir;
pub mod ocr;

pub use models_dir::{MissingModels, ModelInventory};
