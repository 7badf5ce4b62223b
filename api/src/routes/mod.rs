//! Thin handlers: authenticate, parse, enqueue or read, respond. Nothing
//! here does CPU work; that runs in the worker pools.

pub mod analytics;
pub mod auth;
pub mod diagnostics;
pub mod documents;
pub mod jobs;
pub mod notifications;
pub mod ocr;
pub mod openai;
pub mod ops;
pub mod transcriptions;
pub mod webhooks;
