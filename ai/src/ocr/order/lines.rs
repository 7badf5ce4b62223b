//! Text lines: boxes chained along the page's text direction.
//!
//! Why chaining along the line instead of grouping by image row: once the
//! page's angle is taken out (see `frame`), boxes of one line share their
//! centre across the text, up to what the photo bends. Boxes are taken left to
//! right; each joins the line whose last box it continues (no overlap along
//! the text, and its centre within half a box height of where that line runs
//! at this point), else it starts a line. "Where the line runs" follows the
//! line's own lean (the length-weighted mean of its boxes' tilts), so a label
//! and a right-aligned amount 600 px away stay on one line in a warped photo
//! whose lines lean a degree or two off the page's median. The tolerance is
//! relative to the boxes' height, not a fixed 10 px, so it holds for small
//! print and headings alike.

use super::frame::Placed;

/// A box continues a line when its centre is within this fraction of the
/// smaller box height from where the line runs (lines of text are at least a
/// box height apart, so adjacent lines are twice as far away as this).
const SAME_LINE: f64 = 0.5;
/// Boxes on one line may overlap along it by this fraction of their height
/// (the detector's margins touch); more and they are on different lines.
const MAX_OVERLAP: f64 = 0.5;

/// Where `line` runs across the text (v) at `u`, from its last box and its
/// lean (with `candidate`'s own lean counted in).
fn predicted_v(line: &[usize], placed: &[Placed], candidate: &Placed) -> Option<f64> {
    let last = placed.get(*line.last()?)?;
    let (mut sum, mut weight) = (0.0, 0.0);
    for p in line.iter().filter_map(|&i| placed.get(i)).chain(std::iter::once(candidate)) {
        if let Some(t) = p.tilt {
            sum += t * p.length;
            weight += p.length;
        }
    }
    let lean = if weight > 0.0 { sum / weight } else { 0.0 };
    Some(last.cv + lean.tan() * (candidate.cu - last.cu))
}

/// Groups `placed` into lines; each line lists indices into `placed` in order
/// along the text. Lines come out in no particular order.
pub(super) fn group_lines(placed: &[Placed]) -> Vec<Vec<usize>> {
    let mut by_u: Vec<usize> = (0..placed.len()).collect();
    by_u.sort_by(|&a, &b| placed[a].u0.total_cmp(&placed[b].u0).then(placed[a].cv.total_cmp(&placed[b].cv)));
    let mut lines: Vec<Vec<usize>> = Vec::new();
    for i in by_u {
        let b = &placed[i];
        let mut best: Option<(f64, usize)> = None;
        for (k, line) in lines.iter().enumerate() {
            let Some(last) = line.last().and_then(|&j| placed.get(j)) else { continue };
            let height = last.thickness.min(b.thickness);
            if b.u0 < last.u1 - MAX_OVERLAP * height {
                continue;
            }
            let Some(v) = predicted_v(line, placed, b) else { continue };
            let off = (b.cv - v).abs() / height;
            if off <= SAME_LINE && best.is_none_or(|(o, _)| off < o) {
                best = Some((off, k));
            }
        }
        match best.and_then(|(_, k)| lines.get_mut(k)) {
            Some(line) => line.push(i),
            None => lines.push(vec![i]),
        }
    }
    lines
}

/// Where a line sits across the text: the mean centre of its boxes.
pub(super) fn line_v(line: &[usize], placed: &[Placed]) -> f64 {
    let vs: Vec<f64> = line.iter().filter_map(|&i| placed.get(i)).map(|p| p.cv).collect();
    if vs.is_empty() { f64::INFINITY } else { vs.iter().sum::<f64>() / vs.len() as f64 }
}

#[cfg(test)]
mod tests {
    use super::super::geometry_for_tests::rect;
    use super::*;

    fn place(quads: &[[[f64; 2]; 4]], angle: f64) -> Vec<Placed> {
        quads.iter().enumerate().filter_map(|(i, q)| Placed::new(i, q, angle)).collect()
    }

    fn sorted(mut lines: Vec<Vec<usize>>, placed: &[Placed]) -> Vec<Vec<usize>> {
        lines.sort_by(|a, b| line_v(a, placed).total_cmp(&line_v(b, placed)));
        lines.into_iter().map(|l| l.into_iter().map(|i| placed[i].index).collect()).collect()
    }

    #[test]
    fn a_far_amount_joins_its_label_not_the_line_above() {
        // The page frame is right but the lines lean 1.5° (a bent photo): the
        // amount 600 px to the right sits 16 px higher, half a line pitch.
        let quads: Vec<_> = (0..3)
            .flat_map(|i| {
                let y = 40.0 * i as f64;
                [rect(50.0, y, 300.0, 30.0, 1.5), rect(650.0, y, 100.0, 30.0, 1.5)]
            })
            .collect();
        let placed = place(&quads, 0.0);
        let lines = sorted(group_lines(&placed), &placed);
        assert_eq!(lines, vec![vec![0, 1], vec![2, 3], vec![4, 5]]);
    }

    #[test]
    fn overlapping_boxes_are_different_lines() {
        let quads = [rect(0.0, 0.0, 300.0, 30.0, 0.0), rect(100.0, 5.0, 300.0, 30.0, 0.0)];
        let placed = place(&quads, 0.0);
        assert_eq!(group_lines(&placed).len(), 2);
    }

    #[test]
    fn a_heading_and_body_text_are_different_lines() {
        let quads = [rect(0.0, 0.0, 300.0, 50.0, 0.0), rect(320.0, 36.0, 200.0, 24.0, 0.0)];
        let placed = place(&quads, 0.0);
        assert_eq!(group_lines(&placed).len(), 2);
    }
}
