//! Type recognition from content. Cheap: magic bytes, plus the entry names
//! of a zip's central directory or an OLE file's directory. Nothing is
//! inflated here (that is [`super::check_container`]'s job).

use std::io::{Cursor, Read};

use super::ole;
use super::{DocType, DocumentError};

/// How much of a text file is looked at to decide it is text.
const TEXT_PROBE: usize = 64 * 1024;
/// A `[Content_Types].xml` or ODF `mimetype` larger than this is not one.
const SMALL_PART: u64 = 1024 * 1024;

/// Recognizes an upload from its bytes.
pub fn sniff(bytes: &[u8]) -> Result<DocType, DocumentError> {
    if bytes.is_empty() {
        return Err(DocumentError::Empty);
    }
    let head = &bytes[..bytes.len().min(1024)];
    if head.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Ok(DocType::Png);
    }
    if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Ok(DocType::Jpeg);
    }
    if head.starts_with(b"II*\0") || head.starts_with(b"MM\0*") {
        return Ok(DocType::Tiff);
    }
    if head.len() >= 12 && &head[..4] == b"RIFF" && &head[8..12] == b"WEBP" {
        return Ok(DocType::Webp);
    }
    if is_bmp(head) {
        return Ok(DocType::Bmp);
    }
    // PDF readers accept the header anywhere in the first KiB.
    if find(head, b"%PDF-").is_some() {
        return Ok(DocType::Pdf);
    }
    if head.starts_with(&ole::MAGIC) {
        return ole::sniff(bytes);
    }
    if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
        return sniff_zip(bytes);
    }
    if head.starts_with(b"{\\rtf") {
        return Ok(DocType::Rtf);
    }
    if is_text(bytes) {
        return Ok(DocType::Txt);
    }
    Err(DocumentError::Unsupported)
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// `BM` alone is two letters of text; also require a sane DIB header size.
fn is_bmp(head: &[u8]) -> bool {
    if head.len() < 18 || !head.starts_with(b"BM") {
        return false;
    }
    let dib = u32::from_le_bytes([head[14], head[15], head[16], head[17]]);
    matches!(dib, 12 | 16 | 40 | 52 | 56 | 64 | 108 | 124)
}

/// UTF-8 (or UTF-16 with a BOM) without NULs, mostly printable.
fn is_text(bytes: &[u8]) -> bool {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return true;
    }
    let probe = &bytes[..bytes.len().min(TEXT_PROBE)];
    let text = match std::str::from_utf8(probe) {
        Ok(t) => t,
        // A multi-byte character cut by the probe window is fine.
        Err(e) if e.error_len().is_none() && probe.len() == TEXT_PROBE => {
            std::str::from_utf8(&probe[..e.valid_up_to()]).unwrap_or_default()
        }
        Err(_) => return false,
    };
    if text.is_empty() {
        return false;
    }
    let (mut total, mut bad) = (0usize, 0usize);
    for c in text.chars() {
        total += 1;
        if c == '\0' {
            return false;
        }
        if c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\u{c}') {
            bad += 1;
        }
    }
    bad * 100 <= total * 2
}

fn sniff_zip(bytes: &[u8]) -> Result<DocType, DocumentError> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| DocumentError::Corrupt(format!("the archive cannot be read ({e})")))?;
    if let Some(mime) = read_small(&mut zip, "mimetype") {
        let mime = mime.trim();
        let ty = if mime.starts_with("application/vnd.oasis.opendocument.text") {
            Some(DocType::Odt)
        } else if mime.starts_with("application/vnd.oasis.opendocument.spreadsheet") {
            Some(DocType::Ods)
        } else if mime.starts_with("application/vnd.oasis.opendocument.presentation") {
            Some(DocType::Odp)
        } else {
            None
        };
        return ty.ok_or(DocumentError::Unsupported);
    }
    if let Some(types) = read_small(&mut zip, "[Content_Types].xml") {
        // Main parts of documents, templates and macro-enabled variants
        // (macros never run: LibreOffice loads with NEVER_EXECUTE).
        let t = types.as_str();
        if t.contains("wordprocessingml.document.main")
            || t.contains("wordprocessingml.template.main")
            || t.contains("ms-word.document.macroEnabled.main")
            || t.contains("ms-word.template.macroEnabledTemplate.main")
        {
            return Ok(DocType::Docx);
        }
        if t.contains("spreadsheetml.sheet.main")
            || t.contains("spreadsheetml.template.main")
            || t.contains("ms-excel.sheet.macroEnabled.main")
            || t.contains("ms-excel.template.macroEnabled.main")
        {
            return Ok(DocType::Xlsx);
        }
        if t.contains("presentationml.presentation.main")
            || t.contains("presentationml.slideshow.main")
            || t.contains("presentationml.template.main")
            || t.contains("ms-powerpoint.presentation.macroEnabled.main")
            || t.contains("ms-powerpoint.slideshow.macroEnabled.main")
        {
            return Ok(DocType::Pptx);
        }
    }
    // Some writers omit or mangle [Content_Types].xml; fall back to names.
    let has = |zip: &zip::ZipArchive<Cursor<&[u8]>>, n: &str| zip.index_for_name(n).is_some();
    if has(&zip, "word/document.xml") {
        Ok(DocType::Docx)
    } else if has(&zip, "xl/workbook.xml") {
        Ok(DocType::Xlsx)
    } else if has(&zip, "ppt/presentation.xml") {
        Ok(DocType::Pptx)
    } else {
        Err(DocumentError::Unsupported)
    }
}

/// Reads a small, unencrypted entry as text; `None` if absent or unusable.
fn read_small(zip: &mut zip::ZipArchive<Cursor<&[u8]>>, name: &str) -> Option<String> {
    let entry = zip.by_name(name).ok()?;
    if entry.encrypted() || entry.size() > SMALL_PART {
        return None;
    }
    let mut out = String::new();
    entry.take(SMALL_PART).read_to_string(&mut out).ok()?;
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn magic_bytes_decide_not_names() {
        assert_eq!(sniff(b""), Err(DocumentError::Empty));
        assert_eq!(sniff(b"%PDF-1.7\n..."), Ok(DocType::Pdf));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), Ok(DocType::Png));
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 16]), Ok(DocType::Jpeg));
        assert_eq!(sniff(b"{\\rtf1\\ansi hello}"), Ok(DocType::Rtf));
        assert_eq!(sniff("会议日程\nagenda\n".as_bytes()), Ok(DocType::Txt));
        assert_eq!(sniff(b"BMW is a car"), Ok(DocType::Txt));
        assert_eq!(sniff(&[0u8, 1, 2, 3, 255, 254, 0, 7]), Err(DocumentError::Unsupported));
        // A zip without a central directory (truncated) is damaged, not "unknown".
        assert!(matches!(sniff(b"PK\x03\x04\x14\0\0\0\x08\0"), Err(DocumentError::Corrupt(_))));
    }

    #[test]
    fn text_probe_tolerates_a_cut_character() {
        let mut t = "a".repeat(TEXT_PROBE - 1).into_bytes();
        t.extend_from_slice("中".as_bytes());
        assert_eq!(sniff(&t), Ok(DocType::Txt));
    }
}
