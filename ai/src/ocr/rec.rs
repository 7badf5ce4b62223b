//! Text recognition: crops sorted by aspect ratio, batched (6) with a
//! per-batch width of `48 * max(w/h)` (min 320), zero-padded on the right.
//!
//! Why sorted batches: lines of similar length share a tensor width, so a long
//! line does not force every short line in its batch to be padded to its size.

use image::RgbImage;
use ndarray::{Array4, Axis, Ix3};

use super::cls::aspect_order;
use super::ctc::{Charset, greedy_decode};
use super::error::OcrError;
use super::model::Model;
use super::preprocess::{resize_linear, write_bgr_normalized};
use super::runtime::first_output;

pub const REC_H: u32 = 48;
pub const REC_MIN_W: u32 = 320;
pub const REC_BATCH: usize = 6;

pub fn recognize(model: &mut Model, charset: &Charset, crops: &[RgbImage]) -> Result<Vec<(String, f32)>, OcrError> {
    let mut results = vec![(String::new(), 0.0f32); crops.len()];
    let ratio = |img: &RgbImage| img.width() as f64 / img.height().max(1) as f64;
    for chunk in aspect_order(crops).chunks(REC_BATCH) {
        let max_ratio = chunk.iter().map(|&i| ratio(&crops[i])).fold(REC_MIN_W as f64 / REC_H as f64, f64::max);
        let batch_w = ((REC_H as f64 * max_ratio) as u32).max(1);
        let mut batch = Array4::<f32>::zeros((chunk.len(), 3, REC_H as usize, batch_w as usize));
        for (b, &i) in chunk.iter().enumerate() {
            let rw = ((REC_H as f64 * ratio(&crops[i])).ceil() as u32).clamp(1, batch_w);
            write_bgr_normalized(&resize_linear(&crops[i], rw, REC_H), batch.index_axis_mut(Axis(0), b));
        }
        let outputs = model.run(&batch)?;
        let probs = first_output(&outputs, "rec")?.try_extract_array::<f32>()?;
        let shape = probs.shape().to_vec();
        let probs = probs
            .into_dimensionality::<Ix3>()
            .map_err(|_| OcrError::BadOutput { model: "rec", shape: shape.clone() })?;
        if probs.shape()[0] != chunk.len() || probs.shape()[2] != charset.len() {
            return Err(OcrError::BadOutput { model: "rec", shape });
        }
        for (b, &i) in chunk.iter().enumerate() {
            results[i] = greedy_decode(probs.index_axis(Axis(0), b), charset);
        }
    }
    Ok(results)
}
