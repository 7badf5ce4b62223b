//! One ONNX model: its session, and what each run may keep in memory.
//!
//! Why a memory policy: the OCR inputs change shape with every image (the
//! detector sees the page at its own size, the recognizer a batch as wide as
//! its longest line), and ONNX Runtime's defaults are tuned for fixed shapes.
//! Measured over varying images with PP-OCRv6 (see `scripts/bench-ocr.sh`):
//!
//! * the *memory pattern* cache keeps a plan per input shape and never drops
//!   it: about 1.4 MB of RSS per distinct detector shape, so a worker grew
//!   by hundreds of MB over a few hundred images. It is off; without it the
//!   recognizer is as fast and the detector a few percent slower;
//! * the CPU *arena* keeps the peak of every run: after one very large or
//!   very elongated image the process held 1.9 GB. Turning it off (what
//!   RapidOCR does) makes every run fault its buffers in again, about 13 %
//!   slower on a page. So the arena stays on, and a run whose input is
//!   larger than `keep_elems` asks ONNX Runtime to hand the arena's free
//!   regions back to the system when it ends (arena shrinkage). Page-sized
//!   detector inputs stay warm; an oversized one costs one re-fault later.
//!
//! Results do not depend on any of this: only where buffers live changes.

use std::path::Path;

use ndarray::Array4;
use ort::environment::Environment;
use ort::session::builder::{GraphOptimizationLevel, PrepackedWeights};
use ort::session::{RunOptions, Session, SessionOutputs};
use ort::value::TensorRef;

use super::error::OcrError;

/// How a model is built and how much its arena may keep between runs.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ModelSpec<'a> {
    pub intra_threads: usize,
    /// Runs with more input elements than this release the arena afterwards;
    /// `0` = every run does, `usize::MAX` = none does.
    pub keep_elems: usize,
    /// Shared by sessions of the same model so their weights are packed once.
    pub prepacked: Option<&'a PrepackedWeights>,
}

pub(crate) struct Model {
    session: Session,
    keep: RunOptions,
    release: RunOptions,
    keep_elems: usize,
    /// Milliseconds spent inside ONNX Runtime since the last [`Model::take_infer_ms`].
    infer_ms: f64,
}

impl Model {
    pub(crate) fn load(env: &Environment, path: &Path, spec: ModelSpec<'_>) -> Result<Self, OcrError> {
        if !path.is_file() {
            return Err(OcrError::ModelNotFound(path.to_path_buf()));
        }
        let mut builder = Session::builder(env)?
            .with_execution_providers([ort::ep::CPU::default().with_arena_allocator(true).build()])?
            .with_memory_pattern(false)?
            .with_optimization_level(GraphOptimizationLevel::All)?
            .with_intra_threads(spec.intra_threads.max(1))?
            .with_inter_threads(1)?;
        if let Some(weights) = spec.prepacked {
            builder = builder.with_prepacked_weights(weights)?;
        }
        let session = builder.commit_from_file(path)?;
        let mut release = RunOptions::new()?;
        release.set("memory.enable_memory_arena_shrinkage", "cpu:0")?;
        Ok(Self { session, keep: RunOptions::new()?, release, keep_elems: spec.keep_elems, infer_ms: 0.0 })
    }

    /// Runs the model on its single input.
    pub(crate) fn run(&mut self, input: &Array4<f32>) -> Result<SessionOutputs<'_>, OcrError> {
        let options = if input.len() > self.keep_elems { &self.release } else { &self.keep };
        let started = std::time::Instant::now();
        let outputs = self.session.run_with_options(ort::inputs![TensorRef::from_array_view(input)?], options)?;
        self.infer_ms += started.elapsed().as_secs_f64() * 1000.0;
        Ok(outputs)
    }

    /// Inference time since the previous call (what is not ours to speed up).
    pub(crate) fn take_infer_ms(&mut self) -> f64 {
        std::mem::take(&mut self.infer_ms)
    }

    pub(crate) fn session(&self) -> &Session {
        &self.session
    }
}
