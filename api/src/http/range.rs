//! Serving a stored file with HTTP range support (RFC 9110 §14).
//!
//! One `bytes=` range is honoured (`a-b`, `a-`, `-n`); a request with
//! several ranges gets the whole file with `200`, which the RFC allows and
//! which every PDF viewer handles. An unsatisfiable range is `416` with
//! `Content-Range: bytes */len`. `If-Range` with a stale ETag also gets the
//! whole file, so a resumed download never splices two versions.

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// The byte span of a single satisfiable range, inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub start: u64,
    pub end: u64,
}

#[derive(Debug, PartialEq, Eq)]
pub enum RangeRequest {
    /// No (usable) Range header: the whole file.
    Full,
    Partial(Span),
    Unsatisfiable,
}

/// Parses `Range` against a file of `len` bytes.
pub fn parse(value: &str, len: u64) -> RangeRequest {
    let Some(spec) = value.trim().strip_prefix("bytes=") else { return RangeRequest::Full };
    if spec.contains(',') {
        return RangeRequest::Full;
    }
    let Some((a, b)) = spec.trim().split_once('-') else { return RangeRequest::Full };
    let (a, b) = (a.trim(), b.trim());
    let span = match (a.is_empty(), b.is_empty()) {
        (true, true) => return RangeRequest::Full,
        (true, false) => match b.parse::<u64>() {
            Ok(0) => return RangeRequest::Unsatisfiable,
            Ok(n) if len > 0 => Span { start: len.saturating_sub(n), end: len - 1 },
            Ok(_) => return RangeRequest::Unsatisfiable,
            Err(_) => return RangeRequest::Full,
        },
        (false, _) => {
            let Ok(start) = a.parse::<u64>() else { return RangeRequest::Full };
            let end = if b.is_empty() {
                len.saturating_sub(1)
            } else {
                match b.parse::<u64>() {
                    Ok(e) if e >= start => e.min(len.saturating_sub(1)),
                    _ => return RangeRequest::Full,
                }
            };
            if start >= len {
                return RangeRequest::Unsatisfiable;
            }
            Span { start, end }
        }
    };
    RangeRequest::Partial(span)
}

/// A file response honouring `Range` and `If-Range`.
pub fn respond(headers: &HeaderMap, bytes: Vec<u8>, content_type: &str, disposition: &str, etag: &str) -> Response {
    let len = bytes.len() as u64;
    let quoted = format!("\"{etag}\"");
    let if_range_ok = headers.get(header::IF_RANGE).and_then(|v| v.to_str().ok()).is_none_or(|v| v.trim() == quoted);
    let req = match headers.get(header::RANGE).and_then(|v| v.to_str().ok()) {
        Some(r) if if_range_ok => parse(r, len),
        _ => RangeRequest::Full,
    };
    let mut h = HeaderMap::new();
    let put = |h: &mut HeaderMap, k: header::HeaderName, v: &str| {
        if let Ok(v) = HeaderValue::from_str(v) {
            h.insert(k, v);
        }
    };
    put(&mut h, header::CONTENT_TYPE, content_type);
    put(&mut h, header::CONTENT_DISPOSITION, disposition);
    put(&mut h, header::ACCEPT_RANGES, "bytes");
    put(&mut h, header::ETAG, &quoted);
    put(&mut h, header::CACHE_CONTROL, "private, max-age=0, must-revalidate");
    match req {
        RangeRequest::Full => (StatusCode::OK, h, Body::from(bytes)).into_response(),
        RangeRequest::Unsatisfiable => {
            put(&mut h, header::CONTENT_RANGE, &format!("bytes */{len}"));
            h.remove(header::CONTENT_DISPOSITION);
            (StatusCode::RANGE_NOT_SATISFIABLE, h).into_response()
        }
        RangeRequest::Partial(Span { start, end }) => {
            put(&mut h, header::CONTENT_RANGE, &format!("bytes {start}-{end}/{len}"));
            let (s, e) = (start as usize, end as usize);
            let part = bytes.get(s..=e).map(<[u8]>::to_vec).unwrap_or_default();
            (StatusCode::PARTIAL_CONTENT, h, Body::from(part)).into_response()
        }
    }
}

/// `attachment` (or `inline`) with an ASCII fallback name and the UTF-8
/// name in `filename*` (RFC 6266 / 8187). The name is already sanitized.
pub fn content_disposition(kind: &str, filename: &str) -> String {
    let ascii: String = filename
        .chars()
        .map(|c| if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' { c } else { '_' })
        .collect();
    let mut encoded = String::new();
    for b in filename.bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            encoded.push(b as char);
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    format!("{kind}; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        assert_eq!(parse("bytes=0-9", 100), RangeRequest::Partial(Span { start: 0, end: 9 }));
        assert_eq!(parse("bytes=90-", 100), RangeRequest::Partial(Span { start: 90, end: 99 }));
        assert_eq!(parse("bytes=-10", 100), RangeRequest::Partial(Span { start: 90, end: 99 }));
        assert_eq!(parse("bytes=-500", 100), RangeRequest::Partial(Span { start: 0, end: 99 }));
        assert_eq!(parse("bytes=50-5000", 100), RangeRequest::Partial(Span { start: 50, end: 99 }));
        assert_eq!(parse("bytes=100-", 100), RangeRequest::Unsatisfiable);
        assert_eq!(parse("bytes=0-1,5-6", 100), RangeRequest::Full);
        assert_eq!(parse("items=0-1", 100), RangeRequest::Full);
        assert_eq!(parse("bytes=9-1", 100), RangeRequest::Full);
    }

    #[test]
    fn disposition_is_header_safe() {
        let d = content_disposition("attachment", "会议 \"agenda\".pdf");
        assert!(d.starts_with("attachment; filename=\"__ _agenda_.pdf\""), "{d}");
        assert!(d.contains("filename*=UTF-8''%E4%BC%9A%E8%AE%AE%20%22agenda%22.pdf"), "{d}");
    }
}
