//! The page's own frame, measured from the detected boxes: the direction the
//! text runs in (skew) and the direction its columns run in (shear).
//!
//! Why from the boxes: a photographed or skewed page is not square to the
//! image, so "the same line" is not "the same image row" (a label and its
//! right-aligned amount 600 px apart differ by 16 px at 1.5°). Every detected
//! box is a rotated rectangle around a run of text, so its long edge already
//! measures the text angle where it sits; a length-weighted median of those
//! angles is the page's angle, and one stray box (a stamp, a diagonal note)
//! cannot move it. Columns lean on their own under a shear (a scanner feeding
//! the page at a slant moves each row sideways): left-aligned (and
//! right-aligned) edges of consecutive lines then drift by the same amount per
//! pixel down the page, and the median of that drift is the shear.

use super::super::geometry::Pt;

/// Boxes steeper than this (vertical text, noise) do not vote on the angle;
/// the angle found is therefore within ±30°.
const MAX_SKEW: f64 = 30.0 * std::f64::consts::PI / 180.0;
/// A box votes on the angle only when its long side is at least this many
/// times its short side: the angle of a near-square box (one character, a
/// short number) is not defined by its text.
const MIN_ELONGATION: f64 = 2.0;
/// Edges that drift more than this per pixel down the page (about 10°) are
/// not the same column edge and do not vote on the shear.
const MAX_SHEAR: f64 = 0.18;
/// Fewer shear votes than this and the page is taken as unsheared.
const MIN_SHEAR_VOTES: usize = 3;
/// Box thickness never counts as less than this, so that a degenerate box
/// does not make every tolerance zero.
const MIN_THICKNESS: f64 = 1.0;

/// One box measured in the page frame: `u` runs along the text, `v` across it
/// (down the page), `x` is `u` with the shear taken out (the column axis).
#[derive(Debug, Clone, Copy)]
pub(super) struct Placed {
    /// Index into the caller's boxes.
    pub index: usize,
    pub u0: f64,
    pub u1: f64,
    pub cu: f64,
    pub cv: f64,
    /// Extent along the column axis (set by [`Placed::unshear`]).
    pub x0: f64,
    pub x1: f64,
    /// The short side: the text height plus the detector's margin.
    pub thickness: f64,
    /// The long side.
    pub length: f64,
    /// The box's own angle minus the page's (radians), for elongated boxes:
    /// how much its line leans in the page frame (a photographed page is not
    /// flat, so lines lean a little differently).
    pub tilt: Option<f64>,
}

/// The text direction of one quad: (angle in radians within (-90°, 90°],
/// long side, short side).
fn direction(q: &[Pt; 4]) -> (f64, f64, f64) {
    let sub = |a: Pt, b: Pt| [a[0] - b[0], a[1] - b[1]];
    let len = |d: Pt| d[0].hypot(d[1]);
    // Opposite edges summed: tl→tr with bl→br, and tr→br with tl→bl.
    let along = {
        let (a, b) = (sub(q[1], q[0]), sub(q[2], q[3]));
        [a[0] + b[0], a[1] + b[1]]
    };
    let across = {
        let (a, b) = (sub(q[2], q[1]), sub(q[3], q[0]));
        [a[0] + b[0], a[1] + b[1]]
    };
    let (la, lc) = (len(along) / 2.0, len(across) / 2.0);
    let mut d = if la >= lc { along } else { across };
    if d[0] < 0.0 || (d[0] == 0.0 && d[1] < 0.0) {
        d = [-d[0], -d[1]];
    }
    (d[1].atan2(d[0]), la.max(lc), la.min(lc))
}

fn is_finite_quad(q: &[Pt; 4]) -> bool {
    q.iter().flatten().all(|c| c.is_finite())
}

/// The value at half the total weight of `(value, weight)` pairs; `None` when
/// there is no positive finite weight.
pub(super) fn weighted_median(mut votes: Vec<(f64, f64)>) -> Option<f64> {
    votes.retain(|(v, w)| v.is_finite() && w.is_finite() && *w > 0.0);
    votes.sort_by(|a, b| a.0.total_cmp(&b.0));
    let total: f64 = votes.iter().map(|(_, w)| w).sum();
    if !(total > 0.0 && total.is_finite()) {
        return None;
    }
    let mut acc = 0.0;
    for (v, w) in &votes {
        acc += w;
        if acc >= total / 2.0 {
            return Some(*v);
        }
    }
    votes.last().map(|(v, _)| *v)
}

/// The page's text angle (radians, image y pointing down): the median of the
/// elongated boxes' long-edge angles, weighted by their length. 0 when no box
/// says anything (single characters, no boxes).
pub(super) fn estimate_angle(boxes: &[[Pt; 4]]) -> f64 {
    let votes = boxes
        .iter()
        .filter(|q| is_finite_quad(q))
        .map(direction)
        .filter(|&(angle, long, short)| angle.abs() <= MAX_SKEW && long >= MIN_ELONGATION * short.max(MIN_THICKNESS))
        .map(|(angle, long, _)| (angle, long))
        .collect();
    weighted_median(votes).unwrap_or(0.0)
}

impl Placed {
    /// `q` in the frame rotated by `-angle`; `None` when a coordinate is not
    /// finite (then the box has no place on the page).
    pub(super) fn new(index: usize, q: &[Pt; 4], angle: f64) -> Option<Self> {
        if !is_finite_quad(q) {
            return None;
        }
        let (sin, cos) = angle.sin_cos();
        let (mut u0, mut u1, mut v0, mut v1) = (f64::INFINITY, f64::NEG_INFINITY, f64::INFINITY, f64::NEG_INFINITY);
        for p in q {
            let u = p[0] * cos + p[1] * sin;
            let v = -p[0] * sin + p[1] * cos;
            (u0, u1, v0, v1) = (u0.min(u), u1.max(u), v0.min(v), v1.max(v));
        }
        let (own, length, short) = direction(q);
        let tilt = own - angle;
        let tilt = (length >= MIN_ELONGATION * short.max(MIN_THICKNESS) && tilt.abs() <= MAX_SKEW).then_some(tilt);
        let placed = Self {
            index,
            u0,
            u1,
            cu: (u0 + u1) / 2.0,
            cv: (v0 + v1) / 2.0,
            x0: u0,
            x1: u1,
            thickness: short.max(MIN_THICKNESS),
            length,
            tilt,
        };
        [u0, u1, v0, v1, length, short].iter().all(|c| c.is_finite()).then_some(placed)
    }

    /// Takes the shear out: `x = u - shear * v` at the box's centre.
    pub(super) fn unshear(&mut self, shear: f64) {
        let dx = shear * self.cv;
        (self.x0, self.x1) = (self.u0 - dx, self.u1 - dx);
    }
}

/// How far column edges drift along the text per pixel across it: the median
/// of `Δu / Δv` over the left edges and the right edges of boxes on adjacent
/// lines that line up within [`MAX_SHEAR`]. Left-aligned text, right-aligned
/// amounts and both sides of justified columns all vote for the same value;
/// ragged line ends mostly fall outside the window and, when they do not,
/// scatter on both sides of it. 0 with fewer than [`MIN_SHEAR_VOTES`] votes.
pub(super) fn estimate_shear(placed: &[Placed], lines: &[Vec<usize>]) -> f64 {
    let mut votes = Vec::new();
    for pair in lines.windows(2) {
        let [upper, lower] = pair else { continue };
        for a in upper.iter().filter_map(|&i| placed.get(i)) {
            for b in lower.iter().filter_map(|&i| placed.get(i)) {
                let dv = b.cv - a.cv;
                if dv < 0.5 * a.thickness.min(b.thickness) {
                    continue;
                }
                for du in [b.u0 - a.u0, b.u1 - a.u1] {
                    let s = du / dv;
                    if s.abs() <= MAX_SHEAR {
                        votes.push((s, 1.0));
                    }
                }
            }
        }
    }
    if votes.len() < MIN_SHEAR_VOTES {
        return 0.0;
    }
    weighted_median(votes).unwrap_or(0.0)
}

#[cfg(test)]
mod tests {
    use super::super::geometry_for_tests::rect;
    use super::*;

    #[test]
    fn the_angle_is_the_long_edges_median() {
        for deg in [-5.0, -1.5, 0.0, 1.5, 5.0] {
            let mut boxes: Vec<[Pt; 4]> = (0..6).map(|i| rect(50.0, 40.0 * i as f64, 300.0, 30.0, deg)).collect();
            // A stray steep box and two near-square ones do not move it.
            boxes.push(rect(400.0, 10.0, 200.0, 30.0, 25.0));
            boxes.push(rect(500.0, 100.0, 30.0, 30.0, 40.0));
            boxes.push(rect(500.0, 200.0, 30.0, 28.0, -20.0));
            let got = -estimate_angle(&boxes).to_degrees();
            assert!((got - deg).abs() < 1e-6, "{deg}° estimated as {got}°");
        }
    }

    #[test]
    fn the_long_edge_wins_whichever_corner_comes_first() {
        let q = rect(0.0, 0.0, 200.0, 20.0, 3.0);
        let rolled = [q[1], q[2], q[3], q[0]];
        for quad in [q, rolled] {
            let (a, long, short) = direction(&quad);
            assert!((a.to_degrees() + 3.0).abs() < 1e-9 && (long - 200.0).abs() < 1e-9 && (short - 20.0).abs() < 1e-9);
        }
    }

    #[test]
    fn no_elongated_box_means_no_angle() {
        assert_eq!(estimate_angle(&[]), 0.0);
        assert_eq!(estimate_angle(&[rect(0.0, 0.0, 20.0, 20.0, 10.0)]), 0.0);
        assert_eq!(estimate_angle(&[[[f64::NAN, 0.0]; 4]]), 0.0);
    }

    #[test]
    fn the_weighted_median_ignores_what_is_not_a_number() {
        assert_eq!(weighted_median(vec![(1.0, 1.0), (f64::NAN, 5.0), (2.0, 3.0), (9.0, f64::INFINITY)]), Some(2.0));
        assert_eq!(weighted_median(vec![(1.0, 0.0)]), None);
    }

    #[test]
    fn shear_is_the_drift_of_aligned_edges() {
        // Two columns, each line moved right by 0.05 px per px down the page.
        let mut placed = Vec::new();
        let mut lines = Vec::new();
        for i in 0..6 {
            let y = 40.0 * i as f64;
            let dx = 0.05 * y;
            let w = 200.0 + 13.0 * ((i * 7) % 5) as f64; // ragged right ends
            let left = rect(50.0 + dx, y, w, 30.0, 0.0);
            let right = rect(400.0 + dx, y, w, 30.0, 0.0);
            let n = placed.len();
            placed.push(Placed::new(n, &left, 0.0).expect("finite"));
            placed.push(Placed::new(n + 1, &right, 0.0).expect("finite"));
            lines.push(vec![n, n + 1]);
        }
        let k = estimate_shear(&placed, &lines);
        assert!((k - 0.05).abs() < 1e-9, "shear {k}");
        assert_eq!(estimate_shear(&placed, &lines[..1]), 0.0);
    }
}
