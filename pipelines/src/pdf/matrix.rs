//! 2-D affine matrices in PDF's row-vector convention.
//!
//! PDF writes `[a b c d e f]` for the map `(x, y) -> (a·x + c·y + e, b·x + d·y + f)`,
//! and composes `cm` as `M × CTM` (the new matrix applies first). Everything
//! that places things on a page (image draws, text runs, the OCR text layer)
//! goes through this one type, so the convention is written down once.

use serde::{Deserialize, Serialize};

/// An affine map `(x, y) -> (a·x + c·y + e, b·x + d·y + f)`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Matrix {
    pub a: f64,
    pub b: f64,
    pub c: f64,
    pub d: f64,
    pub e: f64,
    pub f: f64,
}

impl Matrix {
    pub const IDENTITY: Matrix = Matrix { a: 1.0, b: 0.0, c: 0.0, d: 1.0, e: 0.0, f: 0.0 };

    pub fn new(a: f64, b: f64, c: f64, d: f64, e: f64, f: f64) -> Self {
        Self { a, b, c, d, e, f }
    }

    pub fn translate(x: f64, y: f64) -> Self {
        Self::new(1.0, 0.0, 0.0, 1.0, x, y)
    }

    /// `self` applied first, then `then` (PDF's `self × then`).
    pub fn then(&self, then: &Matrix) -> Matrix {
        Matrix {
            a: self.a * then.a + self.b * then.c,
            b: self.a * then.b + self.b * then.d,
            c: self.c * then.a + self.d * then.c,
            d: self.c * then.b + self.d * then.d,
            e: self.e * then.a + self.f * then.c + then.e,
            f: self.e * then.b + self.f * then.d + then.f,
        }
    }

    pub fn apply(&self, x: f64, y: f64) -> (f64, f64) {
        (self.a * x + self.c * y + self.e, self.b * x + self.d * y + self.f)
    }

    /// Applies only the linear part (for directions and lengths).
    pub fn apply_vector(&self, x: f64, y: f64) -> (f64, f64) {
        (self.a * x + self.c * y, self.b * x + self.d * y)
    }

    /// The area scale factor (absolute determinant of the linear part).
    pub fn area_scale(&self) -> f64 {
        (self.a * self.d - self.b * self.c).abs()
    }

    pub fn is_finite(&self) -> bool {
        [self.a, self.b, self.c, self.d, self.e, self.f].iter().all(|v| v.is_finite())
    }

    /// Reads six numbers from content-stream operands or a `/Matrix` array.
    pub(crate) fn from_operands(ops: &[lopdf::Object]) -> Option<Matrix> {
        if ops.len() != 6 {
            return None;
        }
        let mut v = [0f64; 6];
        for (slot, op) in v.iter_mut().zip(ops) {
            *slot = f64::from(op.as_float().ok()?);
        }
        let m = Matrix::new(v[0], v[1], v[2], v[3], v[4], v[5]);
        m.is_finite().then_some(m)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn then_applies_the_left_matrix_first() {
        let scale = Matrix::new(2.0, 0.0, 0.0, 3.0, 0.0, 0.0);
        let shift = Matrix::translate(10.0, 20.0);
        // Scale, then shift.
        assert_eq!(scale.then(&shift).apply(1.0, 1.0), (12.0, 23.0));
        // Shift, then scale.
        assert_eq!(shift.then(&scale).apply(1.0, 1.0), (22.0, 63.0));
    }
}
