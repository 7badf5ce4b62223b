//! Text recognition: crops sorted by aspect ratio and batched by width, each
//! batch `48 * max(w/h)` wide (at least 320), zero-padded on the right.
//!
//! Why batches of like width: the recognizer's cost is about linear in the
//! input width, padding included, and on a CPU a batch is no cheaper per
//! line than single runs of the same width (measured with PP-OCRv6 at 320 to
//! 2,560 px). RapidOCR fills batches of six whatever their widths, so on a
//! page 5 to 10 % of what it computes is padding. A batch here only takes a
//! line while that keeps its narrowest line's padding within
//! [`REC_MAX_PADDING`]; lines narrower than 320 px are padded to 320 as in
//! RapidOCR, so short lines still share batches.

use image::RgbImage;
use ndarray::{Array4, Axis, Ix3};

use super::cls::{aspect_order, ratio};
use super::ctc::{Charset, greedy_decode};
use super::error::OcrError;
use super::model::Model;
use super::preprocess::{resize_linear, write_bgr_normalized};
use super::runtime::first_output;

pub const REC_H: u32 = 48;
pub const REC_MIN_W: u32 = 320;
pub const REC_BATCH: usize = 6;
/// Largest share of a batch line's tensor width that may be padding.
pub const REC_MAX_PADDING: f64 = 0.03;

/// Tensor width a crop needs on its own.
fn own_width(img: &RgbImage) -> u32 {
    ((REC_H as f64 * ratio(img)) as u32).max(REC_MIN_W)
}

/// `order` (ascending width) cut into batches of at most [`REC_BATCH`] whose
/// first (narrowest) line is padded by at most [`REC_MAX_PADDING`].
fn width_batches(crops: &[RgbImage], order: &[usize]) -> Vec<Vec<usize>> {
    let mut batches: Vec<Vec<usize>> = Vec::new();
    for &i in order {
        let w = own_width(&crops[i]);
        match batches.last_mut() {
            Some(b)
                if b.len() < REC_BATCH
                    && f64::from(own_width(&crops[b[0]])) >= f64::from(w) * (1.0 - REC_MAX_PADDING) =>
            {
                b.push(i)
            }
            _ => batches.push(vec![i]),
        }
    }
    batches
}

/// Texts and confidences in `crops` order, and the summed input width.
pub fn recognize(
    model: &mut Model,
    charset: &Charset,
    crops: &[RgbImage],
) -> Result<(Vec<(String, f32)>, u64), OcrError> {
    let mut width_px = 0u64;
    let mut results = vec![(String::new(), 0.0f32); crops.len()];
    for chunk in width_batches(crops, &aspect_order(crops)) {
        let max_ratio = chunk.iter().map(|&i| ratio(&crops[i])).fold(REC_MIN_W as f64 / REC_H as f64, f64::max);
        let batch_w = ((REC_H as f64 * max_ratio) as u32).max(1);
        let mut batch = Array4::<f32>::zeros((chunk.len(), 3, REC_H as usize, batch_w as usize));
        for (b, &i) in chunk.iter().enumerate() {
            let rw = ((REC_H as f64 * ratio(&crops[i])).ceil() as u32).clamp(1, batch_w);
            write_bgr_normalized(&resize_linear(&crops[i], rw, REC_H), batch.index_axis_mut(Axis(0), b));
        }
        width_px += u64::from(batch_w) * chunk.len() as u64;
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
    Ok((results, width_px))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(w: u32) -> RgbImage {
        RgbImage::new(w, 48)
    }

    #[test]
    fn batches_hold_lines_of_like_width_and_short_lines_share_the_minimum() {
        let crops = [line(100), line(200), line(300), line(1000), line(1020), line(1200), line(1210), line(2000)];
        let order: Vec<usize> = (0..crops.len()).collect();
        assert_eq!(width_batches(&crops, &order), vec![vec![0, 1, 2], vec![3, 4], vec![5, 6], vec![7]]);
        let many: Vec<RgbImage> = (0..8).map(|_| line(640)).collect();
        let order: Vec<usize> = (0..many.len()).collect();
        assert_eq!(width_batches(&many, &order).iter().map(Vec::len).collect::<Vec<_>>(), [6, 2]);
    }
}
