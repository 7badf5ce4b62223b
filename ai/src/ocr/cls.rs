//! Text-line orientation classifier (0° / 180°), RapidOCR `TextClassifier`.
//!
//! Why: the recognizer only reads upright lines; a page scanned upside down
//! would otherwise come back as confident garbage. Crops are batched by aspect
//! ratio so that padding inside a batch stays small.

use image::{RgbImage, imageops};
use ndarray::{Array4, Axis, Ix2};

use super::error::OcrError;
use super::model::Model;
use super::preprocess::{resize_linear, write_bgr_normalized};
use super::runtime::first_output;

pub const CLS_H: u32 = 48;
pub const CLS_W: u32 = 192;
pub const CLS_BATCH: usize = 6;
pub const CLS_THRESH: f32 = 0.9;

/// Rotates crops by 180° in place where the model says "180" with
/// probability > `CLS_THRESH`. Returns the indices of the flipped crops.
pub fn classify_and_flip(model: &mut Model, crops: &mut [RgbImage]) -> Result<Vec<usize>, OcrError> {
    let order = aspect_order(crops);
    let mut flipped = Vec::new();
    for chunk in order.chunks(CLS_BATCH) {
        let mut batch = Array4::<f32>::zeros((chunk.len(), 3, CLS_H as usize, CLS_W as usize));
        for (b, &i) in chunk.iter().enumerate() {
            let img = &crops[i];
            let ratio = img.width() as f64 / img.height().max(1) as f64;
            let rw = ((CLS_H as f64 * ratio).ceil() as u32).clamp(1, CLS_W);
            write_bgr_normalized(&resize_linear(img, rw, CLS_H), batch.index_axis_mut(Axis(0), b));
        }
        let outputs = model.run(&batch)?;
        let probs = first_output(&outputs, "cls")?.try_extract_array::<f32>()?;
        let shape = probs.shape().to_vec();
        let probs = probs
            .into_dimensionality::<Ix2>()
            .map_err(|_| OcrError::BadOutput { model: "cls", shape: shape.clone() })?;
        if probs.shape()[0] != chunk.len() || probs.shape()[1] < 2 {
            return Err(OcrError::BadOutput { model: "cls", shape });
        }
        for (b, &i) in chunk.iter().enumerate() {
            let row = probs.row(b);
            let (p0, p180) = (row[0], row[1]);
            if p180 > p0 && p180 > CLS_THRESH {
                crops[i] = imageops::rotate180(&crops[i]);
                flipped.push(i);
            }
        }
    }
    Ok(flipped)
}

/// Indices sorted by width/height ratio (stable), as both cls and rec do.
pub fn aspect_order(imgs: &[RgbImage]) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..imgs.len()).collect();
    let ratio = |i: usize| imgs[i].width() as f64 / imgs[i].height().max(1) as f64;
    idx.sort_by(|&a, &b| ratio(a).total_cmp(&ratio(b)));
    idx
}
