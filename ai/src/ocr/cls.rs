//! Text-line orientation classifier (0° / 180°) on windows of each line.
//!
//! Why: the recognizer only reads upright lines; a page scanned upside down
//! would otherwise come back as confident garbage.
//!
//! Why windows: the classifier's input is 192x48 (4:1). RapidOCR squeezes a
//! whole line into it, so a 35:1 line of a page becomes a smear that the
//! model calls "180°" with over 90 % confidence now and then (on our A4
//! benchmark pages, about one line in eight). We show it up to three 4:1
//! windows cut along the line at their natural scale instead, and average
//! the probabilities: each window looks like what the model was trained on,
//! and a line is only flipped when the windows agree. A line no longer than
//! 4:1 is one window, exactly as in RapidOCR.

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
/// Most windows looked at per line.
pub const MAX_WINDOWS: u32 = 3;

/// Rotates crops by 180° in place where the windows' mean probability of
/// "180" is above `CLS_THRESH` (and above "0"). Returns the flipped indices.
pub fn classify_and_flip(model: &mut Model, crops: &mut [RgbImage]) -> Result<Vec<usize>, OcrError> {
    let windows: Vec<(usize, RgbImage)> =
        crops.iter().enumerate().flat_map(|(i, c)| windows(c).into_iter().map(move |w| (i, w))).collect();
    // (sum p0, sum p180, windows) per crop.
    let mut votes = vec![(0.0f32, 0.0f32, 0u32); crops.len()];
    let order = aspect_order_by(windows.len(), |k| ratio(&windows[k].1));
    for chunk in order.chunks(CLS_BATCH) {
        let mut batch = Array4::<f32>::zeros((chunk.len(), 3, CLS_H as usize, CLS_W as usize));
        for (b, &k) in chunk.iter().enumerate() {
            let img = &windows[k].1;
            let rw = ((CLS_H as f64 * ratio(img)).ceil() as u32).clamp(1, CLS_W);
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
        for (b, &k) in chunk.iter().enumerate() {
            let row = probs.row(b);
            let v = &mut votes[windows[k].0];
            *v = (v.0 + row[0], v.1 + row[1], v.2 + 1);
        }
    }
    let mut flipped = Vec::new();
    for (i, &(p0, p180, n)) in votes.iter().enumerate() {
        let (p0, p180) = (p0 / n.max(1) as f32, p180 / n.max(1) as f32);
        if n > 0 && p180 > p0 && p180 > CLS_THRESH {
            crops[i] = imageops::rotate180(&crops[i]);
            flipped.push(i);
        }
    }
    Ok(flipped)
}

/// Width over height (a zero height counts as one).
pub fn ratio(img: &RgbImage) -> f64 {
    img.width() as f64 / img.height().max(1) as f64
}

/// Up to [`MAX_WINDOWS`] 4:1 windows spread evenly along a long line
/// (first at the left edge, last at the right); a short line is one window.
pub fn windows(crop: &RgbImage) -> Vec<RgbImage> {
    let (w, h) = crop.dimensions();
    let win = h.saturating_mul(CLS_W / CLS_H).max(1);
    if w <= win {
        return vec![crop.clone()];
    }
    let n = w.div_ceil(win).clamp(2, MAX_WINDOWS);
    let span = u64::from(w - win);
    (0..n)
        .map(|k| {
            let x = (span * u64::from(k) / u64::from(n - 1)) as u32;
            imageops::crop_imm(crop, x, 0, win, h).to_image()
        })
        .collect()
}

/// Indices sorted by width/height ratio (stable), as both cls and rec do.
pub fn aspect_order(imgs: &[RgbImage]) -> Vec<usize> {
    aspect_order_by(imgs.len(), |i| ratio(&imgs[i]))
}

fn aspect_order_by(n: usize, ratio: impl Fn(usize) -> f64) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..n).collect();
    idx.sort_by(|&a, &b| ratio(a).total_cmp(&ratio(b)));
    idx
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_short_line_is_one_window_a_long_one_up_to_three_covering_both_ends() {
        assert_eq!(windows(&RgbImage::new(150, 40)).len(), 1);
        assert_eq!(windows(&RgbImage::new(160, 40)).len(), 1);
        let two = windows(&RgbImage::new(200, 40));
        assert_eq!(two.len(), 2);
        assert!(two.iter().all(|w| w.dimensions() == (160, 40)));
        let line = RgbImage::from_fn(1400, 40, |x, _| image::Rgb([(x % 251) as u8, 0, 0]));
        let three = windows(&line);
        assert_eq!(three.len(), 3);
        assert_eq!(three[0].get_pixel(0, 0), line.get_pixel(0, 0));
        assert_eq!(three[2].get_pixel(159, 0), line.get_pixel(1399, 0));
    }
}
