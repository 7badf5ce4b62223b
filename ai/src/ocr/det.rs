//! Text detection: resize to multiples of 32, run the DB model, post-process.
//!
//! Why the upscaling: RapidOCR's `limit_type: min` scales the *short* side up
//! to 736 px; the det model was tuned for that size, so single-line images are
//! blown up too (that is why they cost about as much as a page).

use image::RgbImage;
use ndarray::Ix4;

use super::content::detection_window;
use super::det_post::{DbParams, boxes_from_map};
use super::error::OcrError;
use super::geometry::Pt;
use super::model::Model;
use super::preprocess::{py_round, resize_linear, to_tensor};
use super::runtime::first_output;

/// RapidOCR `DetPreProcess` with `limit_type: min`, `limit_side_len: 736`:
/// the *shorter* side is scaled up to at least 736, both sides rounded to 32.
pub fn det_size(w: u32, h: u32, limit_side_len: u32) -> (u32, u32) {
    let (wf, hf) = (w as f64, h as f64);
    let ratio = if w.min(h) < limit_side_len { limit_side_len as f64 / if h < w { hf } else { wf } } else { 1.0 };
    let rw = py_round(((wf * ratio) as i64) as f64 / 32.0) * 32;
    let rh = py_round(((hf * ratio) as i64) as f64 / 32.0) * 32;
    (rw.max(32) as u32, rh.max(32) as u32)
}

/// Boxes in `img` pixels. With `crop_to_content`, the model sees only the
/// inked window of its input (see [`super::content`]), cut after the resize
/// so that it sees the same pixels at the same scale as without it.
pub fn detect(
    model: &mut Model,
    img: &RgbImage,
    limit_side_len: u32,
    p: &DbParams,
    crop_to_content: bool,
) -> Result<Vec<([Pt; 4], f32)>, OcrError> {
    let (rw, rh) = det_size(img.width(), img.height(), limit_side_len);
    let resized = resize_linear(img, rw, rh);
    let window = if crop_to_content { detection_window(&resized, limit_side_len) } else { None };
    let (input, offset) = match window {
        Some((x, y, w, h)) => {
            (to_tensor(&image::imageops::crop_imm(&resized, x, y, w, h).to_image()), [f64::from(x), f64::from(y)])
        }
        None => (to_tensor(&resized), [0.0, 0.0]),
    };
    drop(resized);
    let outputs = model.run(&input)?;
    let map = first_output(&outputs, "det")?.try_extract_array::<f32>()?;
    let shape = map.shape().to_vec();
    let map =
        map.into_dimensionality::<Ix4>().map_err(|_| OcrError::BadOutput { model: "det", shape: shape.clone() })?;
    if map.shape()[0] < 1 || map.shape()[1] < 1 {
        return Err(OcrError::BadOutput { model: "det", shape });
    }
    let pred = map.index_axis(ndarray::Axis(0), 0).index_axis_move(ndarray::Axis(0), 0);
    Ok(boxes_from_map(pred, p, offset, (rw as usize, rh as usize), img.width(), img.height()))
}

#[cfg(test)]
mod tests {
    use super::det_size;

    #[test]
    fn short_side_scaled_to_limit_and_rounded_to_32() {
        assert_eq!(det_size(1240, 1754, 736), (1248, 1760));
        assert_eq!(det_size(1000, 250, 736), (2944, 736));
        assert_eq!(det_size(10, 10, 736), (736, 736));
    }
}
