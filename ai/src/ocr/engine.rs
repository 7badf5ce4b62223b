//! The public engine: owns the three sessions and runs the full pipeline.
//!
//! Why one object: building ONNX Runtime sessions takes about half a second and
//! a lot of memory, so a worker builds them once and reuses them for every
//! image; the engine is `Send + Sync` and serializes calls internally.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use image::{DynamicImage, RgbImage};
use serde::Serialize;

use super::cls::classify_and_flip;
use super::crop::crop_quad;
use super::ctc::Charset;
use super::det::detect;
use super::det_post::DbParams;
use super::error::OcrError;
use super::geometry::Pt;
use super::model::{Model, ModelSpec};
use super::order::ReadingOrder;
use super::preprocess::{flatten_to_rgb, pad_vertical, resize_within_bounds, vertical_padding};
use super::rec::recognize;
use super::runtime::init_runtime;
use super::timings::{Lap, OcrTimings};
use crate::models_dir::{MissingModels, ModelInventory};

pub const DET_MODEL: &str = "PP-OCRv6_det_small.onnx";
pub const REC_MODEL: &str = "PP-OCRv6_rec_small.onnx";
pub const CLS_MODEL: &str = "ch_ppocr_mobile_v2.0_cls_mobile.onnx";

/// Detector inputs up to 3.2 MP keep their buffers between runs: every page
/// whose long side is within `max_side_len` (2000) at an A4/letter aspect
/// ratio (at most 1408x2016 = 2.8 MP); larger or elongated inputs release them.
const DET_KEEP_ELEMS: usize = 3 * 3_200_000;

/// Flipped lines read with less confidence than this are re-read unflipped.
pub const VERIFY_FLIP_BELOW: f32 = 0.95;

/// One recognized text line. `box_` is tl, tr, br, bl in input-image pixels.
#[derive(Debug, Clone, Serialize)]
pub struct OcrLine {
    pub text: String,
    pub confidence: f32,
    #[serde(rename = "box")]
    pub box_: [[f32; 2]; 4],
}

/// Model file locations (and optionally the ONNX Runtime library).
#[derive(Debug, Clone)]
pub struct ModelPaths {
    pub det: PathBuf,
    pub cls: Option<PathBuf>,
    pub rec: PathBuf,
    /// `libonnxruntime.so`; `None` = `ORT_DYLIB_PATH`.
    pub ort_dylib: Option<PathBuf>,
}

impl ModelPaths {
    /// Standard file names inside one directory; the classifier is optional.
    pub fn from_dir(dir: impl AsRef<Path>) -> Self {
        let d = dir.as_ref();
        let cls = d.join(CLS_MODEL);
        Self { det: d.join(DET_MODEL), cls: cls.is_file().then_some(cls), rec: d.join(REC_MODEL), ort_dylib: None }
    }

    /// The models and the ONNX Runtime library of a models folder laid out by
    /// `scripts/fetch-models.sh`. Checks the folder first, so a missing model
    /// fails here with the fetch command in the message rather than later
    /// with a bare path.
    pub fn from_inventory(inventory: &ModelInventory) -> Result<Self, MissingModels> {
        inventory.verify()?;
        let mut paths = Self::from_dir(inventory.ocr_dir());
        paths.ort_dylib = Some(inventory.ort_library());
        Ok(paths)
    }
}

impl From<&Path> for ModelPaths {
    fn from(dir: &Path) -> Self {
        Self::from_dir(dir)
    }
}

impl From<PathBuf> for ModelPaths {
    fn from(dir: PathBuf) -> Self {
        Self::from_dir(dir)
    }
}

/// Tunables; defaults are RapidOCR 3.10.0 `config.yaml`.
#[derive(Debug, Clone)]
pub struct OcrOptions {
    pub det_limit_side_len: u32,
    pub db: DbParams,
    pub min_side_len: u32,
    pub max_side_len: u32,
    pub min_height: u32,
    pub width_height_ratio: f64,
    pub text_score: f32,
    pub use_cls: bool,
    /// Re-read a line flipped by the classifier the other way up when its
    /// confidence is below [`VERIFY_FLIP_BELOW`], keeping the better reading
    /// (not in RapidOCR).
    pub verify_flip: bool,
    /// Show the detector only the part of the page that holds ink (with a
    /// margin), not the blank margins around it (not in RapidOCR; see
    /// the `content` module).
    pub crop_to_content: bool,
    /// The order lines come out in: along the page's own text angle, columns
    /// of prose one after the other (default), or RapidOCR's image-row order
    /// (see the `order` module).
    pub reading_order: ReadingOrder,
}

impl Default for OcrOptions {
    fn default() -> Self {
        Self {
            det_limit_side_len: 736,
            db: DbParams::default(),
            min_side_len: 30,
            max_side_len: 2000,
            min_height: 30,
            width_height_ratio: 8.0,
            text_score: 0.5,
            use_cls: true,
            verify_flip: true,
            crop_to_content: true,
            reading_order: ReadingOrder::Layout,
        }
    }
}

struct Sessions {
    det: Model,
    cls: Option<Model>,
    rec: Model,
}

/// Thread-safe OCR engine; sessions are created once and reused.
/// `Session::run` needs `&mut`, so calls are serialized by a mutex.
pub struct OcrEngine {
    sessions: Mutex<Sessions>,
    charset: Charset,
    opts: OcrOptions,
}

impl std::fmt::Debug for OcrEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OcrEngine")
            .field("charset_len", &self.charset.len())
            .field("opts", &self.opts)
            .finish_non_exhaustive()
    }
}

impl OcrEngine {
    pub fn new(models: impl Into<ModelPaths>, intra_threads: usize) -> Result<Self, OcrError> {
        Self::with_options(models, intra_threads, OcrOptions::default())
    }

    pub fn with_options(
        models: impl Into<ModelPaths>,
        intra_threads: usize,
        opts: OcrOptions,
    ) -> Result<Self, OcrError> {
        let paths = models.into();
        let env = init_runtime(paths.ort_dylib.as_deref())?;
        let spec = |keep_elems| ModelSpec { intra_threads, keep_elems, prepacked: None };
        let det = Model::load(&env, &paths.det, spec(DET_KEEP_ELEMS))?;
        // Recognizer batches vary in width; releasing after each run measured free.
        let rec = Model::load(&env, &paths.rec, spec(0))?;
        let cls = match &paths.cls {
            // Fixed 48x192 inputs, at most 6 per batch: nothing to release.
            Some(p) if opts.use_cls => Some(Model::load(&env, p, spec(usize::MAX))?),
            _ => None,
        };
        let character = rec.session().metadata()?.custom("character").ok_or(OcrError::MissingCharset)?;
        let charset = Charset::from_metadata(&character);
        Ok(Self { sessions: Mutex::new(Sessions { det, cls, rec }), charset, opts })
    }

    /// Runs det → crop → cls → rec; returns lines in reading order.
    pub fn recognize(&self, image: &DynamicImage) -> Result<Vec<OcrLine>, OcrError> {
        self.recognize_timed(image).map(|(lines, _)| lines)
    }

    /// [`Self::recognize`], with the time each stage took.
    pub fn recognize_timed(&self, image: &DynamicImage) -> Result<(Vec<OcrLine>, OcrTimings), OcrError> {
        self.recognize_cancellable(image, &crate::Cancel::new())
    }

    /// [`Self::recognize_timed`] that stops between stages (detection,
    /// orientation, recognition) once `cancel` is set, with
    /// [`OcrError::Cancelled`].
    pub fn recognize_cancellable(
        &self,
        image: &DynamicImage,
        cancel: &crate::Cancel,
    ) -> Result<(Vec<OcrLine>, OcrTimings), OcrError> {
        let check = || if cancel.is_cancelled() { Err(OcrError::Cancelled) } else { Ok(()) };
        let started = std::time::Instant::now();
        let mut t = OcrTimings::default();
        let ori = flatten_to_rgb(image);
        let (ow, oh) = ori.dimensions();
        if ow == 0 || oh == 0 {
            return Err(OcrError::InvalidImage(format!("empty image {ow}x{oh}")));
        }
        let o = &self.opts;
        let (img, ratio_w, ratio_h) = resize_within_bounds(&ori, o.min_side_len, o.max_side_len);
        let pad = vertical_padding(img.width(), img.height(), o.width_height_ratio, o.min_height);
        let img = if pad > 0 { pad_vertical(&img, pad) } else { img };

        check()?;
        let mut s = self.sessions.lock().map_err(|_| OcrError::Poisoned)?;
        let mut lap = Lap::start();
        let dets = detect(&mut s.det, &img, o.det_limit_side_len, &o.db, o.crop_to_content)?;
        t.det_ms = lap.lap();
        let quads: Vec<[Pt; 4]> = dets.iter().map(|d| d.0).collect();
        let order = o.reading_order.order(&quads);
        let mut kept = Vec::with_capacity(order.len());
        let mut crops = Vec::with_capacity(order.len());
        for i in order {
            if let Some(c) = crop_quad(&img, &quads[i]) {
                kept.push(quads[i]);
                crops.push(c);
            }
        }
        t.crop_ms = lap.lap();
        check()?;
        if crops.is_empty() {
            t.infer_ms = s.det.take_infer_ms();
            t.total_ms = started.elapsed().as_secs_f64() * 1000.0;
            return Ok((Vec::new(), t));
        }
        let flipped = match s.cls.as_mut() {
            Some(cls) => classify_and_flip(cls, &mut crops)?,
            None => Vec::new(),
        };
        t.cls_ms = lap.lap();
        check()?;
        let (mut texts, width_px) = recognize(&mut s.rec, &self.charset, &crops)?;
        (t.rec_width_px, t.rec_lines) = (width_px, crops.len());
        // A flipped line that reads poorly is read the other way up too, and
        // the better reading kept: the classifier is a small model.
        let doubtful: Vec<usize> =
            flipped.into_iter().filter(|&i| o.verify_flip && texts[i].1 < VERIFY_FLIP_BELOW).collect();
        if !doubtful.is_empty() {
            let unflipped: Vec<RgbImage> = doubtful.iter().map(|&i| image::imageops::rotate180(&crops[i])).collect();
            let (again, width_px) = recognize(&mut s.rec, &self.charset, &unflipped)?;
            t.rec_width_px += width_px;
            t.rec_lines += unflipped.len();
            for (&i, reading) in doubtful.iter().zip(again) {
                if reading.1 > texts[i].1 {
                    texts[i] = reading;
                }
            }
        }
        t.rec_ms = lap.lap();
        t.infer_ms = s.det.take_infer_ms() + s.rec.take_infer_ms() + s.cls.as_mut().map_or(0.0, Model::take_infer_ms);
        drop(s);

        let to_orig = |p: Pt| -> [f32; 2] {
            let x = (p[0] * ratio_w).clamp(0.0, ow as f64);
            let y = ((p[1] - pad as f64) * ratio_h).clamp(0.0, oh as f64);
            [x as f32, y as f32]
        };
        let lines = kept
            .iter()
            .zip(texts)
            .filter(|(_, (text, c))| !text.trim().is_empty() && *c >= o.text_score)
            .map(|(q, (text, confidence))| OcrLine { text, confidence, box_: q.map(to_orig) })
            .collect();
        t.total_ms = started.elapsed().as_secs_f64() * 1000.0;
        Ok((lines, t))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models_dir::REQUIRED_FILES;

    #[test]
    fn inventory_paths_are_the_files_the_inventory_checks() {
        let root = std::env::temp_dir().join(format!("meeteasy-ocr-paths-{}", std::process::id()));
        for f in REQUIRED_FILES {
            let p = root.join(f);
            std::fs::create_dir_all(p.parent().unwrap_or(&root)).expect("mkdir");
            std::fs::write(&p, b"").expect("touch");
        }
        let paths = ModelPaths::from_inventory(&ModelInventory::new(&root)).expect("complete folder");
        let _ = std::fs::remove_dir_all(&root);
        let cls = paths.cls.clone().expect("cls present");
        let ort = paths.ort_dylib.clone().expect("ort library");
        for p in [&paths.det, &paths.rec, &cls, &ort] {
            let rel = p.strip_prefix(&root).expect("under root").to_string_lossy().into_owned();
            assert!(REQUIRED_FILES.contains(&rel.as_str()), "{rel} is not checked by ModelInventory::verify");
        }
    }

    #[test]
    fn an_incomplete_folder_is_refused_with_the_fetch_command() {
        let root = std::env::temp_dir().join(format!("meeteasy-ocr-missing-{}", std::process::id()));
        let err = ModelPaths::from_inventory(&ModelInventory::new(&root)).err().map(|e| e.to_string());
        assert!(err.unwrap_or_default().contains("scripts/fetch-models.sh"));
    }
}
