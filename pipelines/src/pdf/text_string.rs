//! PDF "text strings" (the `/Info` values) and PDF dates.
//!
//! A text string is UTF-16BE when it starts with the byte-order mark FE FF,
//! UTF-8 when it starts with EF BB BF (PDF 2.0), and PDFDocEncoding otherwise.
//! Decoding is lossy on purpose: a title with one broken surrogate should still
//! show the rest. lopdf's own `decode_text_string` fails the whole string
//! instead, so it is used only for the PDFDocEncoding table.

use lopdf::{Document, Object, StringFormat};

/// Longest metadata value kept, in characters; the rest is cut.
const MAX_CHARS: usize = 4096;

/// Decodes a text string; `None` when it is not a string or holds nothing.
pub(crate) fn decode(doc: &Document, value: &Object) -> Option<String> {
    let (_, value) = doc.dereference(value).ok()?;
    let bytes = value.as_str().ok()?;
    let text = decode_bytes(bytes);
    let text: String = text.chars().filter(|c| *c != '\0').take(MAX_CHARS).collect();
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_string())
}

pub(crate) fn decode_bytes(bytes: &[u8]) -> String {
    if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        let units: Vec<u16> = rest.chunks_exact(2).map(|c| u16::from_be_bytes([c[0], c[1]])).collect();
        String::from_utf16_lossy(&units)
    } else if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        String::from_utf8_lossy(rest).into_owned()
    } else {
        let obj = Object::String(bytes.to_vec(), StringFormat::Literal);
        lopdf::decode_text_string(&obj).unwrap_or_else(|_| String::from_utf8_lossy(bytes).into_owned())
    }
}

/// Converts a PDF date (`D:YYYYMMDDHHmmSSOHH'mm'`, every part after the year
/// optional) to RFC 3339. Anything that does not parse is returned as it was,
/// so no information is lost.
pub(crate) fn date(raw: String) -> String {
    parse_date(&raw).unwrap_or(raw)
}

fn parse_date(raw: &str) -> Option<String> {
    let s = raw.strip_prefix("D:").unwrap_or(raw);
    let digits = |from: usize, len: usize, default: u32| -> Option<u32> {
        match s.get(from..from + len) {
            Some(part) if part.bytes().all(|b| b.is_ascii_digit()) => part.parse().ok(),
            Some(_) => None,
            None if from >= s.len() || !s.as_bytes()[from].is_ascii_digit() => Some(default),
            None => None,
        }
    };
    let year = digits(0, 4, 0)?;
    if s.len() < 4 {
        return None;
    }
    let month = digits(4, 2, 1)?;
    let day = digits(6, 2, 1)?;
    let hour = digits(8, 2, 0)?;
    let minute = digits(10, 2, 0)?;
    let second = digits(12, 2, 0)?;
    let digits_end = s.bytes().take(14).take_while(u8::is_ascii_digit).count();
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let zone = &s[digits_end..];
    let offset = match zone.chars().next() {
        None | Some('Z') => "Z".to_string(),
        Some(sign @ ('+' | '-')) => {
            let rest: String = zone[1..].chars().filter(char::is_ascii_digit).collect();
            let oh: u32 = rest.get(0..2).and_then(|h| h.parse().ok()).unwrap_or(0);
            let om: u32 = rest.get(2..4).and_then(|m| m.parse().ok()).unwrap_or(0);
            if oh > 23 || om > 59 {
                return None;
            }
            format!("{sign}{oh:02}:{om:02}")
        }
        Some(_) => return None,
    };
    Some(format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}{offset}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_strings_in_all_three_encodings() {
        assert_eq!(decode_bytes(b"\xFE\xFF\x4F\x1A\x8B\xAE"), "会议");
        assert_eq!(decode_bytes("\u{feff}Ünïcode".as_bytes()), "Ünïcode");
        // PDFDocEncoding: 0x84 is an em dash, 0xE9 é (Latin-1 range).
        assert_eq!(decode_bytes(b"a\x84b\xE9"), "a\u{2014}b\u{e9}");
        // A lone surrogate does not lose the rest.
        assert_eq!(decode_bytes(b"\xFE\xFF\xD8\x00\x00A"), "\u{fffd}A");
    }

    #[test]
    fn dates_become_rfc3339_or_stay_as_they_were() {
        assert_eq!(date("D:20261128001358Z'".into()), "2026-11-28T00:13:58Z");
        assert_eq!(date("D:20240102030405+05'30'".into()), "2024-01-02T03:04:05+05:30");
        assert_eq!(date("D:2024".into()), "2024-01-01T00:00:00Z");
        assert_eq!(date("yesterday".into()), "yesterday");
        assert_eq!(date("D:20241399".into()), "D:20241399");
    }
}
