//! The AI engines: local OCR (PP-OCR through ONNX Runtime) and speech
//! recognition (Whisper through whisper.cpp).
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
//!   lines with boxes and confidences;
//! * the speech engine ([`asr`]): [`asr::decode_audio`] turns an upload into
//!   16 kHz mono samples, and an [`asr::AsrSlot`] (one per worker slot, from a
//!   shared [`asr::AsrModel`]) transcribes them. Its model,
//!   `whisper/ggml-tiny.en.bin`, is built by `scripts/fetch-models.sh` and
//!   found with [`ModelInventory::whisper_model`]; it is not among the files
//!   [`ModelInventory::verify`] requires.
//!
//! Not done yet: nothing calls either engine. Wiring them into the AI worker
//! pool in `jobs` and exposing them through the API is separate work.

pub mod asr;
pub mod cancel;
pub mod models_dir;
pub mod ocr;

pub use cancel::{Cancel, CancelOnDrop};
pub use models_dir::{MissingModels, ModelInventory};
