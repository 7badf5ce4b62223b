//! Small 2-D geometry helpers: rotated min-area rectangle (`cv2.minAreaRect`
//! + `boxPoints`), point ordering, polygon tests.
//!
//! Why here: these are the few OpenCV primitives the pipeline needs; writing
//! them out avoids linking OpenCV for a hundred lines of arithmetic.

pub type Pt = [f64; 2];

/// A rotated rectangle as 4 corners plus its side lengths.
#[derive(Debug, Clone, Copy)]
pub struct RotRect {
    pub corners: [Pt; 4],
    pub w: f64,
    pub h: f64,
}

/// Minimum-area enclosing rectangle of a convex hull (rotating calipers,
/// O(n²) on the hull, which is tiny for text contours).
pub fn min_area_rect(hull: &[Pt]) -> Option<RotRect> {
    if hull.is_empty() {
        return None;
    }
    if hull.len() < 3 {
        let (a, b) = (hull[0], hull[hull.len() - 1]);
        let len = dist(a, b);
        return Some(RotRect { corners: [a, b, b, a], w: len, h: 0.0 });
    }
    let mut best: Option<(f64, RotRect)> = None;
    for i in 0..hull.len() {
        let (a, b) = (hull[i], hull[(i + 1) % hull.len()]);
        let len = dist(a, b);
        if len < 1e-12 {
            continue;
        }
        let u = [(b[0] - a[0]) / len, (b[1] - a[1]) / len];
        let v = [-u[1], u[0]];
        let (mut umin, mut umax, mut vmin, mut vmax) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
        for p in hull {
            let pu = p[0] * u[0] + p[1] * u[1];
            let pv = p[0] * v[0] + p[1] * v[1];
            umin = umin.min(pu);
            umax = umax.max(pu);
            vmin = vmin.min(pv);
            vmax = vmax.max(pv);
        }
        let area = (umax - umin) * (vmax - vmin);
        if best.as_ref().is_none_or(|(ba, _)| area < *ba) {
            let at = |pu: f64, pv: f64| [pu * u[0] + pv * v[0], pu * u[1] + pv * v[1]];
            let corners = [at(umin, vmin), at(umax, vmin), at(umax, vmax), at(umin, vmax)];
            best = Some((area, RotRect { corners, w: umax - umin, h: vmax - vmin }));
        }
    }
    best.map(|(_, r)| r)
}

/// RapidOCR `get_mini_boxes` ordering: sort by x, then pick
/// top-left, top-right, bottom-right, bottom-left by y within each pair.
pub fn order_mini_box(mut pts: [Pt; 4]) -> [Pt; 4] {
    pts.sort_by(|a, b| a[0].total_cmp(&b[0]));
    let (i1, i4) = if pts[1][1] > pts[0][1] { (0, 1) } else { (1, 0) };
    let (i2, i3) = if pts[3][1] > pts[2][1] { (2, 3) } else { (3, 2) };
    [pts[i1], pts[i2], pts[i3], pts[i4]]
}

/// RapidOCR `order_points_clockwise`: tl, tr, br, bl.
pub fn order_clockwise(mut pts: [Pt; 4]) -> [Pt; 4] {
    pts.sort_by(|a, b| a[0].total_cmp(&b[0]));
    let (mut l, mut r) = ([pts[0], pts[1]], [pts[2], pts[3]]);
    l.sort_by(|a, b| a[1].total_cmp(&b[1]));
    r.sort_by(|a, b| a[1].total_cmp(&b[1]));
    [l[0], r[0], r[1], l[1]]
}

pub fn dist(a: Pt, b: Pt) -> f64 {
    ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2)).sqrt()
}

/// Shoelace area and perimeter of a polygon.
pub fn area_perimeter(poly: &[Pt]) -> (f64, f64) {
    let n = poly.len();
    let (mut a, mut p) = (0.0, 0.0);
    for i in 0..n {
        let (u, v) = (poly[i], poly[(i + 1) % n]);
        a += u[0] * v[1] - v[0] * u[1];
        p += dist(u, v);
    }
    (a.abs() / 2.0, p)
}

/// Inclusive point-in-convex-polygon test (either winding).
pub fn in_convex(poly: &[Pt], q: Pt) -> bool {
    let n = poly.len();
    let (mut pos, mut neg) = (false, false);
    for i in 0..n {
        let (a, b) = (poly[i], poly[(i + 1) % n]);
        let cr = (b[0] - a[0]) * (q[1] - a[1]) - (b[1] - a[1]) * (q[0] - a[0]);
        let tol = 1e-9 * (1.0 + dist(a, b));
        if cr > tol {
            pos = true;
        } else if cr < -tol {
            neg = true;
        }
        if pos && neg {
            return false;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn min_rect_of_rotated_square() {
        let hull = [[0.0, 5.0], [5.0, 0.0], [10.0, 5.0], [5.0, 10.0]];
        let r = min_area_rect(&hull).expect("rect");
        assert!((r.w * r.h - 50.0).abs() < 1e-9);
        let o = order_clockwise(r.corners);
        assert!(dist(o[0], [0.0, 5.0]) < 1e-9 || dist(o[0], [5.0, 0.0]) < 1e-9, "{o:?}");
    }
}
