//! DB post-processing (RapidOCR `DBPostProcess`): binarize → dilate →
//! contours → min-area rect → score → unclip → scale → clamp.
//!
//! Why: the det model outputs a probability map, not boxes; this turns it into
//! rotated text-line quadrilaterals with the reference's thresholds, so the
//! boxes agree with RapidOCR within ±1 px.

use image::GrayImage;
use imageproc::contours::find_contours;
use imageproc::geometry::convex_hull;
use imageproc::point::Point;
use ndarray::ArrayView2;

use super::geometry::{Pt, area_perimeter, dist, in_convex, min_area_rect, order_clockwise, order_mini_box};

#[derive(Debug, Clone, Copy)]
pub struct DbParams {
    pub thresh: f32,
    pub box_thresh: f32,
    pub unclip_ratio: f64,
    pub max_candidates: usize,
    pub use_dilation: bool,
}

impl Default for DbParams {
    fn default() -> Self {
        Self { thresh: 0.3, box_thresh: 0.5, unclip_ratio: 1.6, max_candidates: 1000, use_dilation: true }
    }
}

const MIN_SIZE: f64 = 3.0;

/// Boxes (tl, tr, br, bl) in the coordinates of a `dest_w` x `dest_h` image.
///
/// `pred` may be a window of the detector's full input: `offset` is where it
/// sits in that input and `full` the input's `(width, height)`; boxes are
/// scaled from the full input to `dest_w` x `dest_h` exactly as if the whole
/// map had been processed.
pub fn boxes_from_map(
    pred: ArrayView2<f32>,
    p: &DbParams,
    offset: [f64; 2],
    full: (usize, usize),
    dest_w: u32,
    dest_h: u32,
) -> Vec<([Pt; 4], f32)> {
    let (h, w) = pred.dim();
    if h == 0 || w == 0 || full.0 == 0 || full.1 == 0 {
        return Vec::new();
    }
    let mask = binarize(pred, p.thresh, p.use_dilation);
    let contours = find_contours::<i32>(&mask);
    let mut out = Vec::new();
    for c in contours.iter().take(p.max_candidates) {
        let Some((pts, sside)) = mini_box(&c.points) else { continue };
        if sside < MIN_SIZE {
            continue;
        }
        let score = box_score_fast(pred, &pts);
        if score < p.box_thresh {
            continue;
        }
        let (bx, sside) = unclip(&pts, p.unclip_ratio);
        if sside < MIN_SIZE + 2.0 {
            continue;
        }
        let (sx, sy) = (dest_w as f64 / full.0 as f64, dest_h as f64 / full.1 as f64);
        let scaled = bx.map(|q| {
            [
                ((q[0] + offset[0]) * sx).round_ties_even().clamp(0.0, dest_w as f64),
                ((q[1] + offset[1]) * sy).round_ties_even().clamp(0.0, dest_h as f64),
            ]
        });
        // filter_det_res: clockwise order, clamp to the last pixel, drop tiny.
        let ordered = order_clockwise(scaled)
            .map(|q| [q[0].clamp(0.0, dest_w as f64 - 1.0).trunc(), q[1].clamp(0.0, dest_h as f64 - 1.0).trunc()]);
        if dist(ordered[0], ordered[1]).trunc() <= 3.0 || dist(ordered[0], ordered[3]).trunc() <= 3.0 {
            continue;
        }
        out.push((ordered, score));
    }
    out
}

fn binarize(pred: ArrayView2<f32>, thresh: f32, dilate: bool) -> GrayImage {
    let (h, w) = pred.dim();
    let on = |x: usize, y: usize| pred[[y, x]] > thresh;
    GrayImage::from_fn(w as u32, h as u32, |x, y| {
        let (x, y) = (x as usize, y as usize);
        // cv2.dilate with a 2x2 kernel, anchor (1,1): looks up/left.
        let v = on(x, y)
            || (dilate && ((x > 0 && on(x - 1, y)) || (y > 0 && on(x, y - 1)) || (x > 0 && y > 0 && on(x - 1, y - 1))));
        image::Luma([if v { 255 } else { 0 }])
    })
}

fn mini_box(points: &[Point<i32>]) -> Option<([Pt; 4], f64)> {
    let hull: Vec<Pt> = convex_hull(points.to_vec()).iter().map(|p| [p.x as f64, p.y as f64]).collect();
    let r = min_area_rect(&hull)?;
    Some((order_mini_box(r.corners), r.w.min(r.h)))
}

/// Mean probability inside the (integer-truncated) box polygon.
fn box_score_fast(pred: ArrayView2<f32>, b: &[Pt; 4]) -> f32 {
    let (h, w) = pred.dim();
    let clampi = |v: f64, hi: usize| (v as i64).clamp(0, hi as i64 - 1) as usize;
    let xmin = clampi(b.iter().map(|p| p[0]).fold(f64::MAX, f64::min).floor(), w);
    let xmax = clampi(b.iter().map(|p| p[0]).fold(f64::MIN, f64::max).ceil(), w);
    let ymin = clampi(b.iter().map(|p| p[1]).fold(f64::MAX, f64::min).floor(), h);
    let ymax = clampi(b.iter().map(|p| p[1]).fold(f64::MIN, f64::max).ceil(), h);
    let poly: Vec<Pt> = b.iter().map(|p| [(p[0] - xmin as f64).trunc(), (p[1] - ymin as f64).trunc()]).collect();
    let (mut sum, mut n) = (0.0f64, 0usize);
    for y in ymin..=ymax {
        for x in xmin..=xmax {
            if in_convex(&poly, [(x - xmin) as f64, (y - ymin) as f64]) {
                sum += pred[[y, x]] as f64;
                n += 1;
            }
        }
    }
    if n == 0 { 0.0 } else { (sum / n as f64) as f32 }
}

/// Offset the rectangle outward by `area * ratio / perimeter` (pyclipper,
/// round joins). For a rectangle the min-area rect of that offset is the
/// rectangle grown by `d` on every side, so it is computed directly.
fn unclip(b: &[Pt; 4], ratio: f64) -> ([Pt; 4], f64) {
    let (area, perim) = area_perimeter(b);
    let d = if perim > 0.0 { area * ratio / perim } else { 0.0 };
    let c = [(b[0][0] + b[2][0]) / 2.0, (b[0][1] + b[2][1]) / 2.0];
    let (w, h) = (dist(b[0], b[1]), dist(b[0], b[3]));
    let unit = |a: Pt, z: Pt, len: f64| if len > 0.0 { [(z[0] - a[0]) / len, (z[1] - a[1]) / len] } else { [0.0, 0.0] };
    let (u, v) = (unit(b[0], b[1], w), unit(b[0], b[3], h));
    let (hw, hh) = (w / 2.0 + d, h / 2.0 + d);
    let at = |su: f64, sv: f64| [c[0] + su * hw * u[0] + sv * hh * v[0], c[1] + su * hw * u[1] + sv * hh * v[1]];
    let corners = [at(-1.0, -1.0), at(1.0, -1.0), at(1.0, 1.0), at(-1.0, 1.0)];
    (order_mini_box(corners), (w.min(h)) + 2.0 * d)
}
