//! What can go wrong converting a document, split by whose fault it is.
//!
//! The job runtime needs two answers from an error: a stable code to record
//! (`code()`), and whether trying again can help (`is_retryable()`). A
//! document that LibreOffice cannot load will not load on the next attempt
//! either, so it fails for good; a crashed or restarting instance says
//! nothing about the document, so the job goes back to the queue. A timeout
//! is retryable too: the instance was killed, and a document that hangs
//! every time ends up dead with `document.conversion_timeout` once the job
//! runs out of attempts.

use std::time::Duration;

/// Why LibreOffice could not turn a document into a PDF.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConversionFailure {
    /// LibreOffice could not open it (corrupt, truncated, not what its
    /// extension says).
    LoadFailed,
    /// It opened but the PDF export failed.
    ExportFailed,
    /// It opened as something that has no PDF export, or the caller's
    /// extension is not one we accept.
    Unsupported,
}

impl ConversionFailure {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::LoadFailed => "load_failed",
            Self::ExportFailed => "export_failed",
            Self::Unsupported => "unsupported",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum OfficeError {
    /// The conversion ran past its limit; the instance was killed and is
    /// being restarted.
    #[error("the conversion did not finish within {}s", after.as_secs_f32())]
    Timeout { after: Duration },
    /// LibreOffice asked for a password.
    #[error("the document is password-protected")]
    Encrypted,
    /// The document itself is the problem: retrying will not help.
    #[error("LibreOffice could not convert the document ({}): {detail}", reason.as_str())]
    ConversionFailed { reason: ConversionFailure, detail: String },
    /// The instance died or stopped making sense mid-conversion; it is being
    /// restarted.
    #[error("LibreOffice crashed: {detail}")]
    Crashed { detail: String },
    /// No instance could take the document (the pool is shutting down, an
    /// instance failed to restart, the work dir is not writable).
    #[error("LibreOffice is unavailable: {detail}")]
    Unavailable { detail: String },
    /// The pool could not start: LibreOffice, the Python bridge or the
    /// network isolation are missing, or the settings are invalid.
    #[error("LibreOffice could not start: {detail}")]
    StartFailed { detail: String },
}

impl OfficeError {
    /// The stable code recorded on a failed job.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Timeout { .. } => "document.conversion_timeout",
            Self::Encrypted => "document.encrypted",
            Self::ConversionFailed { .. } => "document.conversion_failed",
            Self::Crashed { .. } => "office.crashed",
            Self::Unavailable { .. } => "office.unavailable",
            Self::StartFailed { .. } => "office.start_failed",
        }
    }

    /// Whether the same document may succeed on another attempt.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Timeout { .. } | Self::Crashed { .. } | Self::Unavailable { .. } => true,
            Self::Encrypted | Self::ConversionFailed { .. } | Self::StartFailed { .. } => false,
        }
    }

    pub(crate) fn unavailable(detail: impl Into<String>) -> Self {
        Self::Unavailable { detail: detail.into() }
    }

    pub(crate) fn start_failed(detail: impl Into<String>) -> Self {
        Self::StartFailed { detail: detail.into() }
    }

    pub(crate) fn crashed(detail: impl Into<String>) -> Self {
        Self::Crashed { detail: detail.into() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_retryability() {
        let cases = [
            (OfficeError::Timeout { after: Duration::from_secs(1) }, "document.conversion_timeout", true),
            (OfficeError::Encrypted, "document.encrypted", false),
            (
                OfficeError::ConversionFailed { reason: ConversionFailure::LoadFailed, detail: String::new() },
                "document.conversion_failed",
                false,
            ),
            (OfficeError::crashed("x"), "office.crashed", true),
            (OfficeError::unavailable("x"), "office.unavailable", true),
            (OfficeError::start_failed("x"), "office.start_failed", false),
        ];
        for (error, code, retryable) in cases {
            assert_eq!(error.code(), code);
            assert_eq!(error.is_retryable(), retryable, "{code}");
        }
    }
}
