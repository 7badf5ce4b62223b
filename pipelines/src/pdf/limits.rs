//! The caps every PDF operation runs under, and the deadline clock.
//!
//! A PDF is a program-like graph that the uploader controls, so every walk in
//! this module is bounded twice: by counts (pages, characters, pixels) that
//! stop the obvious bombs early and cheaply, and by a wall-clock deadline that
//! catches whatever the counts did not foresee. The deadline is checked
//! cooperatively (between pages and every few thousand content operators); the
//! one step that cannot check it, lopdf's parse of the file, is covered by
//! [`crate::pdf`]'s guard thread, which stops waiting for it at the deadline.

use std::time::{Duration, Instant};

use super::PdfError;

/// Caps for [`crate::pdf::inspect`], [`crate::pdf::normalize`] and
/// [`crate::pdf::extract_page_images`].
#[derive(Debug, Clone)]
pub struct PdfLimits {
    /// More pages than this is [`PdfError::TooManyPages`], found before any
    /// content is read. Default 1000.
    pub max_pages: u32,
    /// Wall-clock budget for the whole call, parse included. Default 60 s.
    pub deadline: Duration,
    /// Text beyond this many characters on one page is dropped (the page's
    /// text is truncated, the call does not fail). Default 200,000.
    pub max_text_chars_per_page: usize,
    /// An embedded image with more pixels than this is not decoded by
    /// [`crate::pdf::extract_page_images`]; the page is rendered instead, at a
    /// resolution that fits the renderer's own cap. Default 60 million (an A4
    /// page at 600 dpi is 35 million).
    pub max_image_pixels: u64,
}

impl Default for PdfLimits {
    fn default() -> Self {
        Self {
            max_pages: 1000,
            deadline: Duration::from_secs(60),
            max_text_chars_per_page: 200_000,
            max_image_pixels: 60_000_000,
        }
    }
}

/// A point in time after which work stops with [`PdfError::Timeout`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct Deadline(Instant);

impl Deadline {
    pub(crate) fn after(budget: Duration) -> Self {
        // A budget so large that it overflows `Instant` is "no deadline".
        Self(Instant::now().checked_add(budget).unwrap_or_else(|| Instant::now() + Duration::from_secs(86_400 * 365)))
    }

    pub(crate) fn check(&self) -> Result<(), PdfError> {
        if Instant::now() >= self.0 { Err(PdfError::Timeout) } else { Ok(()) }
    }

    pub(crate) fn remaining(&self) -> Duration {
        self.0.saturating_duration_since(Instant::now())
    }
}
