//! The JSON-lines protocol between the worker and `bridge.py`.
//!
//! One line per message, in both directions, so a reader needs nothing but
//! a line buffer and a reply can be matched to its request by `id`. The
//! bridge's first line announces that its LibreOffice is ready (or why it is
//! not); after that, each request line gets exactly one reply line. Anything
//! else on the bridge's stdout (a partial line, bad JSON, a wrong id) means
//! the bridge can no longer be trusted, and the instance is restarted.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::error::{ConversionFailure, OfficeError};

/// A reply line longer than this is garbage, not a reply.
pub(crate) const MAX_LINE: u64 = 64 * 1024;

/// The bridge's first line.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Ready {
    pub ready: bool,
    #[serde(default)]
    pub version: Option<String>,
    #[serde(default)]
    pub soffice_pid: Option<u32>,
    #[serde(default)]
    pub macro_security_level: Option<i64>,
    #[serde(default)]
    pub macros_disabled: Option<bool>,
    /// When not ready: `uno_missing`, `soffice_missing`, `soffice_exited`,
    /// `start_timeout`.
    #[serde(default)]
    pub error: Option<String>,
    #[serde(default)]
    pub detail: Option<String>,
}

#[derive(Debug, Serialize)]
pub(crate) struct Request<'a> {
    pub id: u64,
    pub input: &'a Path,
    pub output: &'a Path,
}

#[derive(Debug, Deserialize)]
pub(crate) struct Reply {
    #[serde(default)]
    pub id: Option<u64>,
    pub ok: bool,
    #[serde(default)]
    pub filter: Option<String>,
    #[serde(default)]
    pub error: Option<String>,
    #[serde(default)]
    pub detail: Option<String>,
}

impl Reply {
    /// The export filter on success, the typed error otherwise.
    pub(crate) fn into_result(self) -> Result<String, OfficeError> {
        let detail = self.detail.unwrap_or_default();
        if self.ok {
            return Ok(self.filter.unwrap_or_default());
        }
        let reason = match self.error.as_deref() {
            Some("encrypted") => return Err(OfficeError::Encrypted),
            Some("load_failed") => ConversionFailure::LoadFailed,
            Some("export_failed") => ConversionFailure::ExportFailed,
            Some("unsupported") => ConversionFailure::Unsupported,
            Some("crashed") => return Err(OfficeError::crashed(detail)),
            other => {
                return Err(OfficeError::crashed(format!("the bridge answered an unknown error {other:?}: {detail}")));
            }
        };
        Err(OfficeError::ConversionFailed { reason, detail })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(line: &str) -> Result<Reply, serde_json::Error> {
        serde_json::from_str(line)
    }

    #[test]
    fn replies_map_to_typed_errors() -> Result<(), serde_json::Error> {
        let ok = reply(r#"{"id":1,"ok":true,"filter":"writer_pdf_Export"}"#)?.into_result();
        assert_eq!(ok.ok().as_deref(), Some("writer_pdf_Export"));
        let enc = reply(r#"{"id":1,"ok":false,"error":"encrypted","detail":"x"}"#)?.into_result();
        assert!(matches!(enc, Err(OfficeError::Encrypted)));
        let load = reply(r#"{"id":1,"ok":false,"error":"load_failed","detail":"x"}"#)?.into_result();
        assert!(matches!(load, Err(OfficeError::ConversionFailed { reason: ConversionFailure::LoadFailed, .. })));
        let crashed = reply(r#"{"id":1,"ok":false,"error":"crashed"}"#)?.into_result();
        assert!(matches!(crashed, Err(OfficeError::Crashed { .. })));
        let odd = reply(r#"{"id":1,"ok":false,"error":"???"}"#)?.into_result();
        assert!(matches!(odd, Err(OfficeError::Crashed { .. })));
        Ok(())
    }

    #[test]
    fn requests_are_one_json_object() -> Result<(), serde_json::Error> {
        let line =
            serde_json::to_string(&Request { id: 7, input: Path::new("/w/in-7.docx"), output: Path::new("/w/o.pdf") })?;
        assert_eq!(line, r#"{"id":7,"input":"/w/in-7.docx","output":"/w/o.pdf"}"#);
        Ok(())
    }
}
