//! Why an upload cannot be processed, with stable codes.

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DocumentError {
    #[error("the file is empty")]
    Empty,
    #[error("the file type is not supported (recognized from its content, not its name)")]
    Unsupported,
    #[error("the document is password-protected")]
    Encrypted,
    #[error("the document inflates to more than {limit} bytes")]
    TooLargeUncompressed { limit: u64 },
    #[error("the document has more than {limit} archive entries")]
    TooManyEntries { limit: usize },
    #[error("the document is damaged: {0}")]
    Corrupt(String),
}

impl DocumentError {
    pub fn code(&self) -> &'static str {
        match self {
            DocumentError::Empty => "document.empty",
            DocumentError::Unsupported => "document.unsupported_format",
            DocumentError::Encrypted => "document.encrypted",
            DocumentError::TooLargeUncompressed { .. } | DocumentError::TooManyEntries { .. } => {
                "document.too_large_uncompressed"
            }
            DocumentError::Corrupt(_) => "document.corrupt",
        }
    }
}
