//! Where the ink is: the part of a page the detector has to look at.
//!
//! Why: the detector's cost is proportional to the pixels it is shown, and it
//! is the largest single cost on a page (about 40 % at 150 dpi). Document
//! pages carry wide blank margins (on an A4 page with 2.5 cm margins, a
//! third of the area), and nothing can be found there. So the detector is
//! shown the bounding box of everything that differs from the page's
//! background, plus a margin, instead of the whole page.
//!
//! What keeps the result the same: the window is cut out of the detector's
//! input after it has been resized, so the model sees the same pixels at the
//! same scale, and boxes are mapped back through the same offset and scale
//! (`det.rs`). The window keeps [`MARGIN`] pixels of background around the
//! ink (well beyond the ~20 px that DB's unclip adds to a line's box) and is
//! at least `limit_side_len` on each side, like any detector input. The
//! background is the median colour of the image's outermost pixels; a pixel
//! is ink when any channel differs from it by more than [`INK_DELTA`], so
//! faint grey text, coloured text and light-on-dark pages count. A page with
//! no ink, or whose ink (with the margin) covers nearly all of it (photos,
//! dark scanner borders), is shown whole.

use image::RgbImage;

/// A channel difference from the background above this is ink.
pub const INK_DELTA: u8 = 24;
/// Background kept around the ink, in pixels.
pub const MARGIN: u32 = 64;
/// A window covering more than this share of the image is not used. Cutting
/// the window out costs about 1 % of a detector run, so anything smaller
/// than this saves time.
const MAX_SHARE: f64 = 0.97;

/// `(x, y, width, height)` of the part of `img` the detector must see, or
/// `None` for the whole image.
pub fn detection_window(img: &RgbImage, limit_side_len: u32) -> Option<(u32, u32, u32, u32)> {
    let (w, h) = img.dimensions();
    if w.min(h) < limit_side_len {
        return None;
    }
    let bg = background(img);
    let (x0, y0, x1, y1) = ink_box(img, bg)?;
    let (x, cw) = span(x0, x1, w, limit_side_len);
    let (y, ch) = span(y0, y1, h, limit_side_len);
    let share = f64::from(cw) * f64::from(ch) / (f64::from(w) * f64::from(h));
    (share <= MAX_SHARE).then_some((x, y, cw, ch))
}

/// `[first, last]` widened by [`MARGIN`], to at least `min_len`, and to a
/// multiple of 32 where the image allows; clamped to `0..len`.
fn span(first: u32, last: u32, len: u32, min_len: u32) -> (u32, u32) {
    let start = first.saturating_sub(MARGIN);
    let end = last.saturating_add(MARGIN + 1).min(len);
    let want = (end - start).max(min_len).div_ceil(32).saturating_mul(32).min(len);
    // Grow on both sides around the ink, then shift back inside the image.
    let grow = want - (end - start);
    let start = start.saturating_sub(grow / 2).min(len - want);
    (start, want)
}

/// The per-channel median of the outermost row and column of pixels.
fn background(img: &RgbImage) -> [u8; 3] {
    let (w, h) = img.dimensions();
    let mut hist = [[0u32; 256]; 3];
    let mut count = 0u32;
    let mut add = |x: u32, y: u32| {
        for (c, v) in img.get_pixel(x, y).0.into_iter().enumerate() {
            hist[c][usize::from(v)] += 1;
        }
        count += 1;
    };
    for x in 0..w {
        add(x, 0);
        add(x, h - 1);
    }
    for y in 1..h.saturating_sub(1) {
        add(0, y);
        add(w - 1, y);
    }
    std::array::from_fn(|c| {
        let mut seen = 0;
        let half = count.div_ceil(2);
        hist[c]
            .iter()
            .position(|&n| {
                seen += n;
                seen >= half
            })
            .map_or(255, |v| v as u8)
    })
}

/// Inclusive bounding box `(x0, y0, x1, y1)` of the ink pixels, if any.
fn ink_box(img: &RgbImage, bg: [u8; 3]) -> Option<(u32, u32, u32, u32)> {
    let w = img.width() as usize;
    let is_ink = |px: &[u8]| px.iter().zip(bg).any(|(&v, b)| v.abs_diff(b) > INK_DELTA);
    let mut found: Option<(usize, usize, usize, usize)> = None;
    for (y, row) in img.as_raw().chunks_exact(w * 3).enumerate() {
        let Some(first) = row.chunks_exact(3).position(is_ink) else { continue };
        let last = w - 1 - row.chunks_exact(3).rev().position(is_ink).unwrap_or(0);
        found = Some(match found {
            None => (first, y, last, y),
            Some((x0, y0, x1, _)) => (x0.min(first), y0, x1.max(last), y),
        });
    }
    found.map(|(x0, y0, x1, y1)| (x0 as u32, y0 as u32, x1 as u32, y1 as u32))
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Rgb;

    fn page(w: u32, h: u32, bg: [u8; 3]) -> RgbImage {
        RgbImage::from_pixel(w, h, Rgb(bg))
    }

    fn ink(img: &mut RgbImage, x0: u32, y0: u32, x1: u32, y1: u32, colour: [u8; 3]) {
        for y in y0..=y1 {
            for x in x0..=x1 {
                img.put_pixel(x, y, Rgb(colour));
            }
        }
    }

    #[test]
    fn the_window_holds_the_ink_with_a_margin_and_is_at_least_the_detector_size() {
        let mut img = page(1240, 1754, [255, 255, 255]);
        ink(&mut img, 150, 200, 1000, 1500, [0, 0, 0]);
        let (x, y, w, h) = detection_window(&img, 736).expect("a window");
        assert!(x + MARGIN <= 150 && x + w >= 1000 + MARGIN, "x {x} w {w}");
        assert!(y + MARGIN <= 200 && y + h >= 1500 + MARGIN, "y {y} h {h}");
        assert_eq!((w % 32, h % 32), (0, 0));
        assert!(x + w <= 1240 && y + h <= 1754);

        // A single line still gets a window as large as the detector's input.
        let mut img = page(1240, 1754, [255, 255, 255]);
        ink(&mut img, 100, 800, 900, 830, [0, 0, 0]);
        let (_, y, w, h) = detection_window(&img, 736).expect("a window");
        assert!(w >= 736 && h >= 736, "{w}x{h}");
        assert!(y <= 800 - MARGIN && y + h >= 830 + MARGIN);
    }

    #[test]
    fn faint_coloured_and_light_on_dark_ink_counts() {
        for (bg, colour) in
            [([255, 255, 255], [225, 225, 225]), ([255, 255, 255], [255, 255, 0]), ([20, 20, 20], [200, 200, 200])]
        {
            let mut img = page(1000, 1000, bg);
            ink(&mut img, 100, 100, 200, 120, colour);
            ink(&mut img, 800, 880, 850, 900, colour);
            let (x, y, w, h) = detection_window(&img, 736).expect("a window");
            assert!(x + MARGIN <= 100 && y + MARGIN <= 100 && x + w >= 850 + MARGIN && y + h >= 900 + MARGIN);
        }
    }

    #[test]
    fn the_whole_image_when_cropping_would_not_help_or_would_change_the_scale() {
        // Blank.
        assert_eq!(detection_window(&page(1000, 1000, [255, 255, 255]), 736), None);
        // Ink nearly everywhere.
        let mut img = page(1000, 1000, [255, 255, 255]);
        ink(&mut img, 10, 10, 990, 990, [0, 0, 0]);
        assert_eq!(detection_window(&img, 736), None);
        // Smaller than the detector's input: it is scaled up as a whole.
        let mut img = page(2000, 300, [255, 255, 255]);
        ink(&mut img, 100, 100, 300, 130, [0, 0, 0]);
        assert_eq!(detection_window(&img, 736), None);
        // Noise within the threshold is not ink.
        let img = RgbImage::from_fn(1000, 1000, |x, y| {
            let v = 240 + ((x * 7 + y * 13) % 15) as u8;
            Rgb([v, v, v])
        });
        assert_eq!(detection_window(&img, 736), None);
    }
}
