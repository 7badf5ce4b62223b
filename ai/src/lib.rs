//! The AI engines: local OCR (PP-OCR through ONNX Runtime) and speech
//! recognition (whisper.cpp through whisper-rs).
//!
//! Engines here know nothing about queues: they take decoded inputs and model
//! paths and return domain results. The worker runtime in `jobs` owns the
//! slots, the warm sessions and the job records.
//!
//! What exists today is the model inventory: the AI pool refuses to start when
//! its models are missing and names the command that fetches them. The OCR and
//! ASR engines themselves are tracked as separate work and are not part of
//! this crate yet.

pub mod models_dir;

pub use models_dir::{MissingModels, ModelInventory};
