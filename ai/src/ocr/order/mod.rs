//! Reading order: the order in which a person reads the detected boxes.
//!
//! Why not RapidOCR's order ([`rapidocr_order`]: sort by the top-left corner's
//! y, a new line every 10 px, then by x): it assumes the page is square to the
//! image. On a printed invoice photographed at a slight tilt, or scanned with
//! a 1.5° skew, every right-aligned amount sits a few pixels above its label
//! and is read first ("$1,250.00 / Conference pass (2 x 625.00)"), and a
//! two-column article is read across both columns.
//!
//! [`layout_order`] works in the page's own frame instead:
//!
//! 1. `frame`: the text angle is the length-weighted median of the boxes'
//!    long-edge angles; box centres are rotated by minus that angle.
//! 2. `lines`: boxes are chained into lines along the text, by their centres
//!    relative to the box height and following each line's own lean.
//! 3. `frame` again: the shear (how far column edges drift per pixel down the
//!    page) is the median drift of aligned box edges on adjacent lines.
//! 4. `columns`: lines are read top to bottom, boxes left to right, except
//!    where a gutter separates two columns of prose, which are read one after
//!    the other (a recursive XY-cut that reads tables row by row).
//!
//! Boxes with a coordinate that is not a finite number have no place on the
//! page; they come last, in the order given. Nothing here fails or panics on
//! any input: the result is always a permutation of the input's indices.

mod columns;
mod frame;
mod lines;
mod rapidocr;

pub use rapidocr::rapidocr_order;

use super::geometry::Pt;

/// Which reading order the engine returns lines in
/// ([`super::OcrOptions::reading_order`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ReadingOrder {
    /// [`layout_order`]: lines along the page's text angle, columns of prose
    /// one after the other.
    #[default]
    Layout,
    /// [`rapidocr_order`]: RapidOCR 3.10.0's `sorted_boxes` (for parity with
    /// the reference and for comparison).
    RapidOcr,
}

impl ReadingOrder {
    /// Indices of `boxes` (tl, tr, br, bl) in this reading order.
    pub fn order(self, boxes: &[[Pt; 4]]) -> Vec<usize> {
        match self {
            Self::Layout => layout_order(boxes),
            Self::RapidOcr => rapidocr_order(boxes),
        }
    }
}

/// Indices of `boxes` (corners tl, tr, br, bl in image pixels, y down) in
/// reading order; see the module documentation.
pub fn layout_order(boxes: &[[Pt; 4]]) -> Vec<usize> {
    let angle = frame::estimate_angle(boxes);
    let (mut placed, mut unplaced) = (Vec::with_capacity(boxes.len()), Vec::new());
    for (i, q) in boxes.iter().enumerate() {
        match frame::Placed::new(i, q, angle) {
            Some(p) => placed.push(p),
            None => unplaced.push(i),
        }
    }
    let mut lines = lines::group_lines(&placed);
    lines.sort_by(|a, b| lines::line_v(a, &placed).total_cmp(&lines::line_v(b, &placed)));
    let shear = frame::estimate_shear(&placed, &lines);
    for p in &mut placed {
        p.unshear(shear);
    }
    let mut out = columns::order(&placed, lines);
    out.extend(unplaced);
    out
}

#[cfg(test)]
mod geometry_for_tests {
    use super::Pt;

    /// An axis-aligned `w` x `h` box at (`x`, `y`) turned by `deg` about the
    /// origin, counter-clockwise on screen (y down): positive angles lift the
    /// right end, as a page photographed turned to the left.
    pub fn rect(x: f64, y: f64, w: f64, h: f64, deg: f64) -> [Pt; 4] {
        let (s, c) = deg.to_radians().sin_cos();
        let r = |p: Pt| [p[0] * c + p[1] * s, -p[0] * s + p[1] * c];
        [r([x, y]), r([x + w, y]), r([x + w, y + h]), r([x, y + h])]
    }
}

#[cfg(test)]
mod tests {
    use super::geometry_for_tests::rect;
    use super::*;

    /// Box height of 22 px print after the detector's margin.
    const H: f64 = 32.0;
    const PITCH: f64 = 40.0;

    /// A labelled box on a synthetic page.
    struct Page {
        boxes: Vec<[Pt; 4]>,
        names: Vec<String>,
    }

    impl Page {
        fn new() -> Self {
            Self { boxes: Vec::new(), names: Vec::new() }
        }

        fn add(&mut self, name: &str, x: f64, y: f64, w: f64) {
            self.boxes.push([[x, y], [x + w, y], [x + w, y + H], [x, y + H]]);
            self.names.push(name.to_owned());
        }

        /// Rotated by `deg` and sheared (`x += kx * y`), boxes shuffled so
        /// that the input order says nothing.
        fn distort(&self, deg: f64, kx: f64) -> (Vec<[Pt; 4]>, Vec<String>) {
            let (s, c) = deg.to_radians().sin_cos();
            let f = |p: Pt| {
                let p = [p[0] + kx * p[1], p[1]];
                [p[0] * c + p[1] * s + 500.0, -p[0] * s + p[1] * c + 300.0]
            };
            let n = self.boxes.len();
            let perm: Vec<usize> = (0..n).map(|i| (i * 7 + 3) % n).collect();
            let perm = if n.is_multiple_of(7) { (0..n).rev().collect() } else { perm };
            (
                perm.iter().map(|&i| self.boxes[i].map(f)).collect(),
                perm.iter().map(|&i| self.names[i].clone()).collect(),
            )
        }

        fn read(&self, deg: f64, kx: f64) -> Vec<String> {
            let (boxes, names) = self.distort(deg, kx);
            let order = layout_order(&boxes);
            assert_permutation(&order, boxes.len());
            order.into_iter().map(|i| names[i].clone()).collect()
        }
    }

    fn assert_permutation(order: &[usize], n: usize) {
        let mut seen = order.to_vec();
        seen.sort_unstable();
        assert_eq!(seen, (0..n).collect::<Vec<_>>(), "not a permutation of 0..{n}: {order:?}");
    }

    fn table() -> Page {
        let mut p = Page::new();
        let rows = [("Registration fee", 190.0, 90.0), ("Workshop", 110.0, 75.0), ("Hotel, three nights", 225.0, 90.0)];
        for (i, (label, w, aw)) in rows.iter().enumerate() {
            let y = 60.0 + PITCH * i as f64;
            p.add(label, 60.0, y, *w);
            p.add(&format!("amount {i}"), 800.0 - aw, y, *aw);
        }
        p.add("Total", 60.0, 60.0 + PITCH * 3.0, 60.0);
        p.add("amount total", 700.0, 60.0 + PITCH * 3.0, 100.0);
        p
    }

    fn table_order() -> Vec<&'static str> {
        vec![
            "Registration fee",
            "amount 0",
            "Workshop",
            "amount 1",
            "Hotel, three nights",
            "amount 2",
            "Total",
            "amount total",
        ]
    }

    /// A title across the page, then two columns of eight wrapped lines.
    fn article(right_offset: f64) -> Page {
        let mut p = Page::new();
        p.add("title", 60.0, 20.0, 520.0);
        for i in 0..8 {
            let y = 90.0 + PITCH * i as f64;
            // Ragged right ends; the last line of each column is short.
            let w = if i == 7 { 150.0 } else { 330.0 - 17.0 * ((i * 5) % 4) as f64 };
            p.add(&format!("L{i}"), 60.0, y, w);
            p.add(&format!("R{i}"), 450.0, y + right_offset, w);
        }
        p
    }

    fn article_order() -> Vec<String> {
        let mut v = vec!["title".to_owned()];
        v.extend((0..8).map(|i| format!("L{i}")));
        v.extend((0..8).map(|i| format!("R{i}")));
        v
    }

    #[test]
    fn a_table_reads_label_then_amount_at_any_small_tilt() {
        for deg in [0.0, 1.5, -1.5, 5.0, -5.0, 12.0] {
            assert_eq!(table().read(deg, 0.0), table_order(), "rotated by {deg}°");
        }
    }

    #[test]
    fn the_old_order_is_what_fails_on_a_tilted_table() {
        let (boxes, names) = table().distort(1.5, 0.0);
        let old: Vec<String> = rapidocr_order(&boxes).into_iter().map(|i| names[i].clone()).collect();
        assert_ne!(old, table_order());
        assert_eq!(ReadingOrder::default(), ReadingOrder::Layout);
        assert_eq!(ReadingOrder::RapidOcr.order(&boxes), rapidocr_order(&boxes));
    }

    #[test]
    fn a_two_column_article_reads_column_by_column() {
        for deg in [0.0, 1.5, -1.5, 5.0, -5.0] {
            assert_eq!(article(0.0).read(deg, 0.0), article_order(), "rotated by {deg}°");
        }
    }

    #[test]
    fn columns_that_do_not_line_up_read_column_by_column() {
        for deg in [0.0, 1.5, -4.0] {
            assert_eq!(article(PITCH / 2.0).read(deg, 0.0), article_order(), "rotated by {deg}°");
        }
    }

    #[test]
    fn a_sheared_scan_keeps_its_columns() {
        // Down the 300 px of the columns the 60 px gutter drifts sideways by
        // about 36 px: with the shear left in, no gap a box height wide runs
        // through all the lines and the article would read row by row.
        for (deg, kx) in [(0.0, 0.12), (0.0, -0.12), (1.5, 0.12), (-3.0, -0.12)] {
            assert_eq!(article(0.0).read(deg, kx), article_order(), "rotated by {deg}°, sheared by {kx}");
            assert_eq!(table().read(deg, kx), table_order(), "rotated by {deg}°, sheared by {kx}");
        }
    }

    #[test]
    fn an_invoice_reads_its_header_then_its_rows() {
        let mut p = Page::new();
        p.add("company", 60.0, 20.0, 330.0);
        p.add("address", 60.0, 70.0, 300.0);
        p.add("invoice no", 60.0, 110.0, 200.0);
        let items = [("pass", 330.0), ("workshop", 290.0), ("dinner", 170.0), ("subtotal", 100.0), ("total", 110.0)];
        for (i, (label, w)) in items.iter().enumerate() {
            let y = 180.0 + PITCH * i as f64;
            p.add(label, 60.0, y, *w);
            p.add(&format!("{label} $"), 680.0, y, 120.0);
        }
        p.add("footer", 60.0, 400.0, 260.0);
        let mut expected = vec!["company", "address", "invoice no"].into_iter().map(String::from).collect::<Vec<_>>();
        for (label, _) in items {
            expected.extend([label.to_owned(), format!("{label} $")]);
        }
        expected.push("footer".into());
        for deg in [0.0, 1.5, -1.5, 4.0, -5.0] {
            assert_eq!(p.read(deg, 0.0), expected, "rotated by {deg}°");
        }
    }

    #[test]
    fn a_single_line_reads_left_to_right() {
        let mut p = Page::new();
        // The last two touch (the detector's margins overlap by 10 px).
        for (i, x) in [0.0, 220.0, 400.0, 570.0].into_iter().enumerate() {
            p.add(&format!("w{i}"), x, 0.0, 180.0);
        }
        for deg in [0.0, 3.0, -3.0] {
            assert_eq!(p.read(deg, 0.0), ["w0", "w1", "w2", "w3"], "rotated by {deg}°");
        }
        assert_eq!(layout_order(&p.boxes[..1]), [0]);
    }

    #[test]
    fn no_boxes_no_order() {
        assert!(layout_order(&[]).is_empty());
    }

    #[test]
    fn degenerate_boxes_keep_a_place() {
        let point = [[100.0, 100.0]; 4];
        let line = [[10.0, 50.0], [300.0, 50.0], [300.0, 50.0], [10.0, 50.0]];
        let nan = [[f64::NAN, 1.0], [2.0, 1.0], [2.0, 3.0], [0.0, 3.0]];
        let inf = [[f64::INFINITY, 0.0]; 4];
        let huge = [[1e308, 1e308], [-1e308, 1e308], [-1e308, -1e308], [1e308, -1e308]];
        let normal = rect(0.0, 0.0, 200.0, 30.0, 0.0);
        let boxes = [nan, point, line, normal, inf, huge];
        let order = layout_order(&boxes);
        assert_permutation(&order, boxes.len());
        // Unplaceable boxes (here also the one whose sides overflow) come
        // last, in input order.
        assert_eq!(&order[order.len() - 3..], [0, 4, 5]);
        assert_eq!(layout_order(&[point]), [0]);
    }

    #[test]
    fn any_boxes_give_a_permutation() {
        // A small linear congruential generator: deterministic, no crate.
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = || {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            (seed >> 11) as f64 / (1u64 << 53) as f64
        };
        for n in [2, 3, 10, 60] {
            for _ in 0..50 {
                let boxes: Vec<[Pt; 4]> = (0..n)
                    .map(|_| {
                        let (x, y, w, h, a) =
                            (next() * 900.0, next() * 900.0, next() * 400.0, next() * 40.0, next() * 90.0 - 45.0);
                        rect(x, y, w, h, a)
                    })
                    .collect();
                assert_permutation(&layout_order(&boxes), n);
            }
        }
    }
}
