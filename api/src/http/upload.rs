//! Reading a multipart upload: one `file` part plus small text fields.
//!
//! The route's body limit (`DefaultBodyLimit`) caps the whole request, so an
//! oversize upload is a 413 before it is read whole.

use std::collections::HashMap;

use axum::extract::Multipart;
use axum::http::StatusCode;

use super::error::ApiError;

#[derive(Debug, Default)]
pub struct Upload {
    /// The first file part.
    pub file: Option<UploadedFile>,
    /// Further file parts, in order (multi-image document uploads).
    pub more_files: Vec<UploadedFile>,
    /// Text fields; a repeated name (`timestamp_granularities[]`) keeps all values.
    pub fields: HashMap<String, Vec<String>>,
}

#[derive(Debug)]
pub struct UploadedFile {
    /// The client's file name, sanitized for display only (never a path).
    pub filename: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

impl Upload {
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields.get(name).and_then(|v| v.first()).map(String::as_str).filter(|s| !s.is_empty())
    }
}

/// Keeps printable characters of the last path component, at most 200.
pub fn sanitize_filename(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or("");
    let clean: String = base.chars().filter(|c| !c.is_control()).take(200).collect();
    let clean = clean.trim().trim_start_matches('.').to_string();
    if clean.is_empty() { "upload".into() } else { clean }
}

fn multipart_error(e: axum::extract::multipart::MultipartError) -> ApiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::TooLarge
    } else {
        ApiError::invalid("body", "malformed multipart body")
    }
}

/// Most file parts one request may carry.
pub const MAX_FILES: usize = 200;

/// Whether a part name carries a file (`file`, `files`, `file[]`, `files[]`).
fn is_file_part(name: &str) -> bool {
    matches!(name, "file" | "files" | "file[]" | "files[]")
}

pub async fn read(mut mp: Multipart) -> Result<Upload, ApiError> {
    let mut up = Upload::default();
    while let Some(field) = mp.next_field().await.map_err(multipart_error)? {
        let name = field.name().unwrap_or_default().to_string();
        if is_file_part(&name) {
            let filename = sanitize_filename(field.file_name().unwrap_or("upload"));
            let content_type = field.content_type().unwrap_or("application/octet-stream").to_string();
            let bytes = field.bytes().await.map_err(multipart_error)?.to_vec();
            let file = UploadedFile { filename, content_type, bytes };
            if up.file.is_none() {
                up.file = Some(file);
            } else if up.more_files.len() + 1 < MAX_FILES {
                up.more_files.push(file);
            } else {
                return Err(ApiError::invalid("file", "too many files in one request"));
            }
        } else {
            let text = field.text().await.map_err(multipart_error)?;
            if text.len() > 4096 {
                return Err(ApiError::invalid(name, "field too long"));
            }
            up.fields.entry(name).or_default().push(text);
        }
    }
    Ok(up)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filenames_never_become_paths() {
        assert_eq!(sanitize_filename("../../etc/passwd"), "passwd");
        assert_eq!(sanitize_filename("C:\\Users\\a\\voice.wav"), "voice.wav");
        assert_eq!(sanitize_filename("a\u{0}b\nc.wav"), "abc.wav");
        assert_eq!(sanitize_filename("..."), "upload");
    }
}
