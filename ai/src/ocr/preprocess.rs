//! Image resizing (OpenCV `INTER_LINEAR` semantics), bounds and padding, and
//! tensor packing.
//!
//! Why not `image::imageops`: its filters differ from OpenCV's, and the models
//! were trained on OpenCV-resized input; small differences move box edges and
//! change borderline recognitions.

use image::RgbImage;
use ndarray::{Array4, ArrayViewMut3, Axis};

/// Bilinear resize with OpenCV's half-pixel mapping and edge clamping, so
/// downscaling behaves like `cv2.resize(.., INTER_LINEAR)` (no antialias).
pub fn resize_linear(src: &RgbImage, dst_w: u32, dst_h: u32) -> RgbImage {
    let (sw, sh) = (src.width().max(1), src.height().max(1));
    let (dw, dh) = (dst_w.max(1), dst_h.max(1));
    if (sw, sh) == (dw, dh) {
        return src.clone();
    }
    let xs = axis_weights(sw, dw);
    let ys = axis_weights(sh, dh);
    let raw = src.as_raw();
    let stride = sw as usize * 3;
    let mut out = vec![0u8; dw as usize * dh as usize * 3];
    for (dy, &(y0, y1, fy)) in ys.iter().enumerate() {
        let (r0, r1) = (y0 * stride, y1 * stride);
        let row = &mut out[dy * dw as usize * 3..(dy + 1) * dw as usize * 3];
        for (dx, &(x0, x1, fx)) in xs.iter().enumerate() {
            for c in 0..3 {
                let p00 = raw[r0 + x0 * 3 + c] as f32;
                let p01 = raw[r0 + x1 * 3 + c] as f32;
                let p10 = raw[r1 + x0 * 3 + c] as f32;
                let p11 = raw[r1 + x1 * 3 + c] as f32;
                let top = p00 + (p01 - p00) * fx;
                let bot = p10 + (p11 - p10) * fx;
                row[dx * 3 + c] = (top + (bot - top) * fy).round().clamp(0.0, 255.0) as u8;
            }
        }
    }
    // Buffer length is exactly w*h*3 by construction.
    RgbImage::from_raw(dw, dh, out).unwrap_or_else(|| RgbImage::new(dw, dh))
}

fn axis_weights(src: u32, dst: u32) -> Vec<(usize, usize, f32)> {
    let scale = src as f64 / dst as f64;
    (0..dst)
        .map(|d| {
            let f = (d as f64 + 0.5) * scale - 0.5;
            let mut i = f.floor();
            let mut frac = f - i;
            if i < 0.0 {
                i = 0.0;
                frac = 0.0;
            }
            let last = (src - 1) as f64;
            if i >= last {
                i = last;
                frac = 0.0;
            }
            let i0 = i as usize;
            let i1 = (i0 + 1).min(src as usize - 1);
            (i0, i1, frac as f32)
        })
        .collect()
}

/// Writes `img` into a `[3, H, W]` slot as BGR, normalized `(v/255-0.5)/0.5`.
/// Pixels beyond the image width are left untouched (zero padding).
pub fn write_bgr_normalized(img: &RgbImage, mut dst: ArrayViewMut3<f32>) {
    let w = (img.width() as usize).min(dst.shape()[2]);
    let h = (img.height() as usize).min(dst.shape()[1]);
    let stride = img.width() as usize * 3;
    let raw = img.as_raw();
    // One lookup instead of a division per value: (v/255 - 0.5)/0.5.
    let lut: [f32; 256] = std::array::from_fn(|v| (v as f32 / 255.0 - 0.5) / 0.5);
    for (c, rgb) in [2usize, 1, 0].into_iter().enumerate() {
        let mut plane = dst.index_axis_mut(Axis(0), c);
        for y in 0..h {
            let src = &raw[y * stride..y * stride + w * 3];
            let mut row = plane.index_axis_mut(Axis(0), y);
            match row.as_slice_mut() {
                Some(out) => {
                    for (o, px) in out[..w].iter_mut().zip(src.chunks_exact(3)) {
                        *o = lut[px[rgb] as usize];
                    }
                }
                None => {
                    for (x, px) in src.chunks_exact(3).enumerate() {
                        row[x] = lut[px[rgb] as usize];
                    }
                }
            }
        }
    }
}

/// Packs one image into a `[1, 3, H, W]` tensor.
pub fn to_tensor(img: &RgbImage) -> Array4<f32> {
    let mut t = Array4::<f32>::zeros((1, 3, img.height() as usize, img.width() as usize));
    write_bgr_normalized(img, t.index_axis_mut(Axis(0), 0));
    t
}

/// Python's `round()` (ties to even) then to i64 — used for the /32 buckets.
pub fn py_round(v: f64) -> i64 {
    v.round_ties_even() as i64
}

/// Adds `top` rows of black above and below (RapidOCR `add_round_letterbox`).
pub fn pad_vertical(img: &RgbImage, pad: u32) -> RgbImage {
    let mut out = RgbImage::new(img.width(), img.height() + 2 * pad);
    image::imageops::replace(&mut out, img, 0, pad as i64);
    out
}

/// Converts any input to RGB8. Transparent images are composited on white
/// (dark content) or black (light content), as RapidOCR `LoadImage` does.
pub fn flatten_to_rgb(img: &image::DynamicImage) -> RgbImage {
    if !img.color().has_alpha() {
        return img.to_rgb8();
    }
    let rgba = img.to_rgba8();
    let (mut sum, mut n) = (0.0f64, 0usize);
    for p in rgba.pixels().filter(|p| p.0[3] > 0) {
        sum += 0.299 * p.0[0] as f64 + 0.587 * p.0[1] as f64 + 0.114 * p.0[2] as f64;
        n += 1;
    }
    let bg = if n == 0 || sum / (n as f64) < 128.0 { 255.0 } else { 0.0 };
    RgbImage::from_fn(rgba.width(), rgba.height(), |x, y| {
        let p = rgba.get_pixel(x, y).0;
        let a = p[3] as f32 / 255.0;
        image::Rgb([0, 1, 2].map(|c| (p[c] as f32 * a + bg * (1.0 - a)) as u8))
    })
}

/// RapidOCR `resize_image_within_bounds`: shrink so the long side <= max,
/// grow so the short side >= min; sides rounded to multiples of 32.
/// Returns the image and the factors mapping back to the original.
pub fn resize_within_bounds(img: &RgbImage, min_side: u32, max_side: u32) -> (RgbImage, f64, f64) {
    let (w, h) = img.dimensions();
    let mut out = None;
    let (mut rw, mut rh) = (1.0, 1.0);
    if w.max(h) > max_side {
        let ratio = max_side as f64 / w.max(h) as f64;
        out = Some(scale32(img, ratio));
    }
    let cur = out.as_ref().unwrap_or(img);
    if cur.width().min(cur.height()) < min_side {
        let ratio = min_side as f64 / cur.width().min(cur.height()) as f64;
        out = Some(scale32(cur, ratio));
    }
    match out {
        Some(o) => {
            rw = w as f64 / o.width() as f64;
            rh = h as f64 / o.height() as f64;
            (o, rw, rh)
        }
        None => (img.clone(), rw, rh),
    }
}

fn scale32(img: &RgbImage, ratio: f64) -> RgbImage {
    let nw = (py_round(((img.width() as f64 * ratio) as i64) as f64 / 32.0) * 32).max(32) as u32;
    let nh = (py_round(((img.height() as f64 * ratio) as i64) as f64 / 32.0) * 32).max(32) as u32;
    resize_linear(img, nw, nh)
}

/// RapidOCR `apply_vertical_padding`: very wide or very short images get
/// black bands above and below so the detector sees a sane aspect ratio.
pub fn vertical_padding(w: u32, h: u32, ratio_limit: f64, min_height: u32) -> u32 {
    let too_wide = ratio_limit > 0.0 && w as f64 / h as f64 > ratio_limit;
    if h > min_height && !too_wide {
        return 0;
    }
    let new_h = ((w as f64 / ratio_limit) as i64).max(min_height as i64) * 2;
    ((new_h - h as i64).unsigned_abs() / 2) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wide_or_short_images_get_black_bands() {
        // A 1000x60 strip: w/h > 8, so it is padded towards 2 * max(1000/8, 30) rows.
        assert_eq!(vertical_padding(1000, 60, 8.0, 30), 95);
        // A 300x20 label: too short, padded to 2 * max(300/8, 30) rows.
        assert_eq!(vertical_padding(300, 20, 8.0, 30), 27);
        assert_eq!(vertical_padding(400, 300, 8.0, 30), 0);
    }

    #[test]
    fn bounds_shrink_long_and_grow_short_sides_to_multiples_of_32() {
        let (big, rw, rh) = resize_within_bounds(&RgbImage::new(4000, 1000), 30, 2000);
        assert_eq!(big.dimensions(), (1984, 512));
        assert!((rw - 4000.0 / 1984.0).abs() < 1e-12 && (rh - 1000.0 / 512.0).abs() < 1e-12);
        let (small, _, _) = resize_within_bounds(&RgbImage::new(100, 20), 30, 2000);
        assert_eq!(small.dimensions(), (160, 32));
        let (same, rw, rh) = resize_within_bounds(&RgbImage::new(640, 480), 30, 2000);
        assert_eq!((same.dimensions(), rw, rh), ((640, 480), 1.0, 1.0));
    }

    #[test]
    fn tensors_are_bgr_planes_scaled_to_minus_one_one_with_padding_untouched() {
        let img = RgbImage::from_fn(3, 2, |x, y| image::Rgb([x as u8 * 100, y as u8 * 255, 51]));
        let mut t = Array4::<f32>::from_elem((1, 3, 2, 5), 7.0);
        write_bgr_normalized(&img, t.index_axis_mut(Axis(0), 0));
        let norm = |v: u8| (v as f32 / 255.0 - 0.5) / 0.5;
        for y in 0..2 {
            for x in 0..3 {
                let p = img.get_pixel(x, y).0;
                let (x, y) = (x as usize, y as usize);
                assert_eq!([t[[0, 0, y, x]], t[[0, 1, y, x]], t[[0, 2, y, x]]], [norm(p[2]), norm(p[1]), norm(p[0])]);
            }
            assert_eq!([t[[0, 0, y as usize, 3]], t[[0, 2, y as usize, 4]]], [7.0, 7.0], "padding is left alone");
        }
    }

    #[test]
    fn linear_resize_keeps_flat_images_flat() {
        let img = RgbImage::from_pixel(7, 5, image::Rgb([10, 200, 99]));
        let out = resize_linear(&img, 13, 3);
        assert!(out.pixels().all(|p| p.0 == [10, 200, 99]));
    }
}
