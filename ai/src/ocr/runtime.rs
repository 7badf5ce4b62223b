//! ONNX Runtime loading (`load-dynamic`) and session creation.
//!
//! Why dynamic loading: the runtime library comes from the models folder
//! (fetched from PyPI by `scripts/fetch-models.sh`), not from the build, so the
//! binary builds without it. ort rc.15 allows exactly one `Environment` per
//! process, so it lives in a process-wide slot and every session, OCR or not,
//! must be built against it (see [`init_runtime`]).

use std::path::Path;
use std::sync::Mutex;

use ort::environment::Environment;
use ort::session::builder::GraphOptimizationLevel;
use ndarray::Array4;
use ort::session::{RunOptions, Session, SessionOutputs};
use ort::value::TensorRef;
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

/// One model's session and the options each of its runs uses.
pub(crate) struct Model {
    session: Session,
    run_options: RunOptions,
}

impl Model {
    pub(crate) fn load(env: &Environment, model: &Path, intra_threads: usize) -> Result<Self, OcrError> {
        let session = load_session(env, model, intra_threads)?;
        let mut run_options = RunOptions::new()?;
        if std::env::var("OCRX_SHRINK").is_ok_and(|v| v == "1") {
            run_options.set("memory.enable_memory_arena_shrinkage", "cpu:0")?;
        }
        Ok(Self { session, run_options })
    }

    /// Runs the model on its single input.
    pub(crate) fn run(&mut self, input: &Array4<f32>) -> Result<SessionOutputs<'_>, OcrError> {
        let outputs =
            self.session.run_with_options(ort::inputs![TensorRef::from_array_view(input)?], &self.run_options)?;
        Ok(outputs)
    }

    pub(crate) fn session(&self) -> &Session {
        &self.session
    }
}

fn load_session(env: &Environment, model: &Path, intra_threads: usize) -> Result<Session, OcrError> {
    if !model.is_file() {
        return Err(OcrError::ModelNotFound(model.to_path_buf()));
    }
    // TEMP experiment knobs
    let flag = |k: &str, d: bool| std::env::var(k).map(|v| v == "1").unwrap_or(d);
    let session = Session::builder(env)?
        .with_execution_providers([ort::ep::CPU::default().with_arena_allocator(flag("OCRX_ARENA", true)).build()])?
        .with_memory_pattern(flag("OCRX_PATTERN", true))?
        .with_optimization_level(GraphOptimizationLevel::All)?
        .with_intra_threads(intra_threads.max(1))?
        .with_inter_threads(1)?
        .commit_from_file(model)?;
    Ok(session)
}

/// The single output all three models have. Indexing `SessionOutputs` panics
/// when it is out of range; a broken model file must be an error instead.
pub(super) fn first_output<'a>(outputs: &'a SessionOutputs<'_>, model: &'static str) -> Result<&'a DynValue, OcrError> {
    if outputs.len() == 0 {
        return Err(OcrError::BadOutput { model, shape: Vec::new() });
    }
    Ok(&outputs[0])
}
