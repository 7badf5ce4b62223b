//! Rendering a page to PNG with `pdftoppm`, for the pages whose image cannot
//! be taken out as it is (see [`super::images`]).
//!
//! Why poppler's `pdftoppm` (Debian `poppler-utils`): it renders everything a
//! scanned PDF can hold that lopdf cannot decode (CCITT G3/G4 and JBIG2
//! bilevel scans, JPEG 2000, indexed and CMYK colour, soft masks, vector
//! pages), it is what `pdftotext` (our searchability check) is built on, and
//! it is a separate process: a crash or a hang on a hostile file costs one
//! page, not the worker. It is killed at the timeout (`kill_on_drop`), and it
//! writes into a private temporary directory that is removed afterwards.
//! Pure-Rust renderers (pdf-render, hayro) do not cover JBIG2 and JPEG 2000
//! yet; pdfium would mean shipping a large binary.
//!
//! `pdftoppm` renders the media box, turned by `/Rotate`, so the placement
//! maps pixels back through that rotation; one pixel is `72 / dpi` points.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use super::images::{EncodedImage, ImageFormat, PageImage, RenderSpec};
use super::matrix::Matrix;
use super::{PdfError, image_info};

/// The most pixels a rendering may have whatever the caller asks for; the
/// resolution is lowered to fit.
pub const MAX_RENDER_PIXELS: u64 = 60_000_000;

/// The `pdftoppm` binary; `MEETEASY_PDFTOPPM` overrides it.
fn pdftoppm() -> String {
    std::env::var("MEETEASY_PDFTOPPM").unwrap_or_else(|_| "pdftoppm".to_string())
}

/// Renders one page to PNG at `dpi`, lowered if the page would have more
/// than `max_pixels` (at most [`MAX_RENDER_PIXELS`]): the caller passes the
/// cap its consumer enforces (the OCR job's), so a large page is rendered
/// smaller rather than refused downstream.
pub async fn render_page(
    pdf_path: &Path,
    spec: &RenderSpec,
    dpi: u32,
    max_pixels: u64,
    timeout: Duration,
) -> Result<PageImage, PdfError> {
    let [llx, lly, urx, ury] = spec.media_box;
    let (w_in, h_in) = ((urx - llx) / 72.0, (ury - lly) / 72.0);
    if !(w_in > 0.0 && h_in > 0.0 && w_in.is_finite() && h_in.is_finite()) {
        return Err(PdfError::Render("the page has no area".into()));
    }
    let mut dpi = f64::from(dpi.clamp(10, 1200));
    // 1 % below the cap: pdftoppm rounds each side up to whole pixels.
    let cap = max_pixels.clamp(1, MAX_RENDER_PIXELS) as f64 * 0.99;
    let pixels = w_in * h_in * dpi * dpi;
    if pixels > cap {
        dpi = (dpi * (cap / pixels).sqrt()).floor().max(1.0);
    }
    let dir = TempDir::new()?;
    let prefix = dir.path.join("page");
    let mut cmd = tokio::process::Command::new(pdftoppm());
    cmd.arg("-png")
        .arg("-r")
        .arg(format!("{dpi}"))
        .arg("-f")
        .arg(spec.page.to_string())
        .arg("-l")
        .arg(spec.page.to_string())
        .arg("-singlefile")
        .arg(pdf_path)
        .arg(&prefix)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    let child = cmd.spawn().map_err(|e| PdfError::Render(format!("cannot run pdftoppm: {e}")))?;
    let output = match tokio::time::timeout(timeout, child.wait_with_output()).await {
        // Dropping the future drops the child, which kills it.
        Err(_) => return Err(PdfError::Timeout),
        Ok(Err(e)) => return Err(PdfError::Render(format!("pdftoppm: {e}"))),
        Ok(Ok(output)) => output,
    };
    let png_path = prefix.with_extension("png");
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let stderr: String = stderr.chars().take(500).collect();
        return Err(PdfError::Render(format!("pdftoppm exited with {}: {}", output.status, stderr.trim())));
    }
    let bytes = tokio::fs::read(&png_path).await.map_err(|e| PdfError::Render(format!("no output: {e}")))?;
    let (w, h) = image_info::png_size(&bytes).ok_or_else(|| PdfError::Render("pdftoppm wrote no PNG".into()))?;
    Ok(PageImage {
        page: spec.page,
        image: EncodedImage { bytes, format: ImageFormat::Png },
        width_px: w,
        height_px: h,
        placement: placement(spec, dpi),
    })
}

/// Pixels of a `pdftoppm` rendering → user space.
pub(crate) fn placement(spec: &RenderSpec, dpi: f64) -> Matrix {
    let s = 72.0 / dpi;
    let [llx, lly, urx, ury] = spec.media_box;
    match spec.rotate {
        90 => Matrix::new(0.0, s, s, 0.0, llx, lly),
        180 => Matrix::new(-s, 0.0, 0.0, s, urx, lly),
        270 => Matrix::new(0.0, -s, -s, 0.0, urx, ury),
        _ => Matrix::new(s, 0.0, 0.0, -s, llx, ury),
    }
}

/// A private directory, removed on drop.
struct TempDir {
    path: PathBuf,
}

impl TempDir {
    fn new() -> Result<Self, PdfError> {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
        let name = format!("meeteasy-render-{}-{}-{nanos}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed));
        let path = std::env::temp_dir().join(name);
        std::fs::create_dir(&path).map_err(|e| PdfError::Render(format!("temporary directory: {e}")))?;
        Ok(Self { path })
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(rotate: u32) -> RenderSpec {
        RenderSpec { page: 1, media_box: [0.0, 0.0, 200.0, 100.0], rotate, reason: String::new() }
    }

    #[test]
    fn placement_follows_the_rotation() {
        // 72 dpi: one pixel per point. Unrotated: 200 × 100 px, top-left = (0, 100).
        let p = placement(&spec(0), 72.0);
        assert_eq!(p.apply(0.0, 0.0), (0.0, 100.0));
        assert_eq!(p.apply(200.0, 100.0), (200.0, 0.0));
        // Turned a quarter clockwise: 100 × 200 px; the top-left pixel shows the
        // page's bottom-left corner, the top-right pixel its top-left.
        let p = placement(&spec(90), 72.0);
        assert_eq!(p.apply(0.0, 0.0), (0.0, 0.0));
        assert_eq!(p.apply(100.0, 0.0), (0.0, 100.0));
        assert_eq!(p.apply(100.0, 200.0), (200.0, 100.0));
        let p = placement(&spec(180), 72.0);
        assert_eq!(p.apply(0.0, 0.0), (200.0, 0.0));
        let p = placement(&spec(270), 72.0);
        assert_eq!(p.apply(0.0, 0.0), (200.0, 100.0));
        assert_eq!(p.apply(100.0, 200.0), (0.0, 0.0));
    }
}
