//! ONNX Runtime loading (`load-dynamic`) and the process-wide environment.
//!
//! Why dynamic loading: the runtime library comes from the models folder
//! (fetched from PyPI by `scripts/fetch-models.sh`), not from the build, so the
//! binary builds without it. ort rc.15 allows exactly one `Environment` per
//! process, so it lives in a process-wide slot and every session, OCR or not,
//! must be built against it (see [`init_runtime`]). Sessions are built in
//! [`super::model`].

use std::path::Path;
use std::sync::Mutex;

use ort::environment::Environment;
use ort::session::SessionOutputs;
use ort::value::DynValue;

use super::error::OcrError;

static ENV: Mutex<Option<Environment>> = Mutex::new(None);

/// Loads `libonnxruntime.so` from `dylib` (or `ORT_DYLIB_PATH` when `None`)
/// and creates the process-wide environment. Idempotent: later calls return
/// the first environment and ignore `dylib`.
pub fn init_runtime(dylib: Option<&Path>) -> Result<Environment, OcrError> {
    let mut slot = ENV.lock().map_err(|_| OcrError::Poisoned)?;
    if let Some(env) = slot.as_ref() {
        return Ok(env.clone());
    }
    let env_path = std::env::var_os("ORT_DYLIB_PATH");
    let path = match (dylib, env_path.as_deref()) {
        (Some(p), _) => p.to_path_buf(),
        (None, Some(p)) if !p.is_empty() => Path::new(p).to_path_buf(),
        _ => return Err(OcrError::RuntimeLoad("no library path and ORT_DYLIB_PATH unset".into())),
    };
    let builder = ort::init_from(&path).map_err(|e| OcrError::RuntimeLoad(e.to_string()))?;
    let env = builder.with_name("meeteasy-ai").build()?;
    *slot = Some(env.clone());
    Ok(env)
}

/// The single output all three models have. Indexing `SessionOutputs` panics
/// when it is out of range; a broken model file must be an error instead.
pub(super) fn first_output<'a>(outputs: &'a SessionOutputs<'_>, model: &'static str) -> Result<&'a DynValue, OcrError> {
    if outputs.len() == 0 {
        return Err(OcrError::BadOutput { model, shape: Vec::new() });
    }
    Ok(&outputs[0])
}
