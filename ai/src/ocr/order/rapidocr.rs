//! RapidOCR's reading order (`sorted_boxes`), kept for comparison: stable sort
//! by top-left y, start a new line when consecutive y values differ by >= 10
//! px, then sort by x.
//!
//! Why keep it: the reading-order benchmark (`ai/benches/reading_order.rs`)
//! measures the layout order against it on the same detections, and
//! [`super::ReadingOrder::RapidOcr`] reproduces the reference's output for
//! parity runs. It fails on tilted pages: a right-aligned amount a few pixels
//! higher than its label is read before it.

use super::super::geometry::Pt;

const LINE_Y_THRESHOLD: f64 = 10.0;

/// Indices of `boxes` in RapidOCR's reading order.
pub fn rapidocr_order(boxes: &[[Pt; 4]]) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..boxes.len()).collect();
    idx.sort_by(|&a, &b| boxes[a][0][1].total_cmp(&boxes[b][0][1]));
    let mut line_ids = Vec::with_capacity(idx.len());
    let mut line = 0usize;
    for (k, &i) in idx.iter().enumerate() {
        if k > 0 && boxes[i][0][1] - boxes[idx[k - 1]][0][1] >= LINE_Y_THRESHOLD {
            line += 1;
        }
        line_ids.push(line);
    }
    let mut keyed: Vec<(usize, f64, usize)> = idx.iter().zip(line_ids).map(|(&i, l)| (l, boxes[i][0][0], i)).collect();
    keyed.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)));
    keyed.into_iter().map(|(_, _, i)| i).collect()
}

#[cfg(test)]
mod tests {
    use super::rapidocr_order;

    fn b(x: f64, y: f64) -> [[f64; 2]; 4] {
        [[x, y], [x + 10.0, y], [x + 10.0, y + 5.0], [x, y + 5.0]]
    }

    #[test]
    fn rows_then_columns() {
        let boxes = [b(50.0, 104.0), b(0.0, 100.0), b(0.0, 0.0), b(30.0, 3.0)];
        assert_eq!(rapidocr_order(&boxes), vec![2, 3, 1, 0]);
    }
}
