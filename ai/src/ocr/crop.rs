//! Perspective crop of a detected quadrilateral (RapidOCR
//! `get_rotate_crop_image`: `cv2.warpPerspective`, bicubic, replicate border).
//!
//! Why by hand: detected boxes are rotated rectangles (skewed scans, photos);
//! the recognizer needs each line straightened into its own upright image, and
//! matching OpenCV's interpolation keeps results comparable with RapidOCR.

use image::{RgbImage, imageops};

use super::geometry::{Pt, dist};

/// Crops `quad` (tl, tr, br, bl) to an axis-aligned image. Tall results
/// (h/w >= 1.5) are rotated 90° counter-clockwise like `np.rot90`.
pub fn crop_quad(img: &RgbImage, quad: &[Pt; 4]) -> Option<RgbImage> {
    let w = dist(quad[0], quad[1]).max(dist(quad[2], quad[3])) as u32;
    let h = dist(quad[0], quad[3]).max(dist(quad[1], quad[2])) as u32;
    if w == 0 || h == 0 || img.width() == 0 || img.height() == 0 {
        return None;
    }
    let dst: [Pt; 4] = [[0.0, 0.0], [w as f64, 0.0], [w as f64, h as f64], [0.0, h as f64]];
    // Homography mapping output pixels back into the source image.
    let m = homography(&dst, quad)?;
    let mut out = RgbImage::new(w, h);
    for y in 0..h {
        for x in 0..w {
            let (xf, yf) = (x as f64, y as f64);
            let z = m[6] * xf + m[7] * yf + m[8];
            if z.abs() < 1e-12 {
                continue;
            }
            let sx = (m[0] * xf + m[1] * yf + m[2]) / z;
            let sy = (m[3] * xf + m[4] * yf + m[5]) / z;
            out.put_pixel(x, y, image::Rgb(bicubic(img, sx, sy)));
        }
    }
    if h as f64 / w as f64 >= 1.5 {
        out = imageops::rotate270(&out);
    }
    Some(out)
}

/// Solves the 8-unknown DLT system (h33 = 1) with partial pivoting.
fn homography(src: &[Pt; 4], dst: &[Pt; 4]) -> Option<[f64; 9]> {
    let mut a = [[0.0f64; 9]; 8];
    for i in 0..4 {
        let ([x, y], [u, v]) = (src[i], dst[i]);
        a[2 * i] = [x, y, 1.0, 0.0, 0.0, 0.0, -u * x, -u * y, u];
        a[2 * i + 1] = [0.0, 0.0, 0.0, x, y, 1.0, -v * x, -v * y, v];
    }
    for col in 0..8 {
        let piv = (col..8).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
        if a[piv][col].abs() < 1e-12 {
            return None;
        }
        a.swap(col, piv);
        for r in 0..8 {
            if r != col {
                let (f, pivot) = (a[r][col] / a[col][col], a[col]);
                for (v, p) in a[r][col..].iter_mut().zip(&pivot[col..]) {
                    *v -= f * p;
                }
            }
        }
    }
    let mut m = [0.0; 9];
    for i in 0..8 {
        m[i] = a[i][8] / a[i][i];
    }
    m[8] = 1.0;
    Some(m)
}

/// OpenCV bicubic (a = -0.75) with replicated borders.
fn bicubic(img: &RgbImage, x: f64, y: f64) -> [u8; 3] {
    let (w, h) = (img.width() as i64, img.height() as i64);
    let (x0, y0) = (x.floor(), y.floor());
    let (wx, wy) = (cubic_weights(x - x0), cubic_weights(y - y0));
    let mut acc = [0.0f64; 3];
    for (j, wyj) in wy.iter().enumerate() {
        let sy = (y0 as i64 - 1 + j as i64).clamp(0, h - 1) as u32;
        for (i, wxi) in wx.iter().enumerate() {
            let sx = (x0 as i64 - 1 + i as i64).clamp(0, w - 1) as u32;
            let p = img.get_pixel(sx, sy).0;
            let wgt = wxi * wyj;
            for c in 0..3 {
                acc[c] += wgt * p[c] as f64;
            }
        }
    }
    acc.map(|v| v.round().clamp(0.0, 255.0) as u8)
}

fn cubic_weights(t: f64) -> [f64; 4] {
    const A: f64 = -0.75;
    let w0 = ((A * (t + 1.0) - 5.0 * A) * (t + 1.0) + 8.0 * A) * (t + 1.0) - 4.0 * A;
    let w1 = ((A + 2.0) * t - (A + 3.0)) * t * t + 1.0;
    let w2 = ((A + 2.0) * (1.0 - t) - (A + 3.0)) * (1.0 - t) * (1.0 - t) + 1.0;
    [w0, w1, w2, 1.0 - w0 - w1 - w2]
}

#[cfg(test)]
mod tests {
    use super::crop_quad;
    use image::RgbImage;

    #[test]
    fn axis_aligned_crop_matches_subimage() {
        let img = RgbImage::from_fn(40, 30, |x, y| image::Rgb([x as u8 * 5, y as u8 * 7, 100]));
        let q = [[5.0, 4.0], [25.0, 4.0], [25.0, 14.0], [5.0, 14.0]];
        let c = crop_quad(&img, &q).expect("crop");
        assert_eq!(c.dimensions(), (20, 10));
        assert_eq!(c.get_pixel(0, 0), img.get_pixel(5, 4));
        assert_eq!(c.get_pixel(19, 9), img.get_pixel(24, 13));
    }

    #[test]
    fn degenerate_quad_is_none() {
        let img = RgbImage::new(10, 10);
        assert!(crop_quad(&img, &[[1.0, 1.0]; 4]).is_none());
    }
}
