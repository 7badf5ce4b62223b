//! Single-byte font encodings and glyph names, for simple fonts that carry no
//! `/ToUnicode` map.
//!
//! lopdf already holds the standard tables (Standard, WinAnsi, MacRoman,
//! PDFDoc) and the Adobe Glyph List, but keeps them in a private module. Its
//! public font-encoding API reaches them, so each table is read out once by
//! asking lopdf to decode the 256 byte values of a one-line synthetic font, and
//! a glyph name is looked up by decoding byte 0 of a synthetic font whose
//! `/Differences` names that glyph (byte 0 is empty in the Standard encoding
//! lopdf falls back to, so an unknown name reads as "no character").
//! `uniXXXX` and `uXXXX[XX]` names, which the list does not spell out, are
//! decoded here, as are ligature names joined with `_` and `.suffix` variants.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use lopdf::{Dictionary, Document, Object};

/// 256 entries, byte value → text (empty for unmapped bytes).
pub(crate) type ByteTable = [Option<char>; 256];

/// The base encodings a simple font can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum BaseEncoding {
    Standard,
    WinAnsi,
    MacRoman,
    PdfDoc,
}

impl BaseEncoding {
    pub(crate) fn from_name(name: &[u8]) -> Option<Self> {
        match name {
            b"StandardEncoding" => Some(Self::Standard),
            b"WinAnsiEncoding" => Some(Self::WinAnsi),
            b"MacRomanEncoding" => Some(Self::MacRoman),
            b"PDFDocEncoding" => Some(Self::PdfDoc),
            _ => None,
        }
    }

    fn lopdf_name(self) -> &'static str {
        match self {
            Self::Standard => "StandardEncoding",
            Self::WinAnsi => "WinAnsiEncoding",
            Self::MacRoman => "MacRomanEncoding",
            Self::PdfDoc => "PDFDocEncoding",
        }
    }

    /// The table, read out of lopdf once per process.
    pub(crate) fn table(self) -> &'static ByteTable {
        static TABLES: OnceLock<[ByteTable; 4]> = OnceLock::new();
        let tables = TABLES.get_or_init(|| {
            [Self::Standard, Self::WinAnsi, Self::MacRoman, Self::PdfDoc].map(|enc| {
                let mut font = synthetic_font();
                font.set("Encoding", Object::Name(enc.lopdf_name().as_bytes().to_vec()));
                let doc = Document::new();
                let mut table: ByteTable = [None; 256];
                if let Ok(encoding) = font.get_font_encoding(&doc) {
                    for (byte, slot) in table.iter_mut().enumerate() {
                        let text = encoding.bytes_to_string(&[byte as u8]).unwrap_or_default();
                        let mut chars = text.chars();
                        if let (Some(c), None) = (chars.next(), chars.next()) {
                            *slot = Some(c);
                        }
                    }
                }
                table
            })
        });
        match self {
            Self::Standard => &tables[0],
            Self::WinAnsi => &tables[1],
            Self::MacRoman => &tables[2],
            Self::PdfDoc => &tables[3],
        }
    }
}

fn synthetic_font() -> Dictionary {
    let mut font = Dictionary::new();
    font.set("Type", Object::Name(b"Font".to_vec()));
    font.set("Subtype", Object::Name(b"Type1".to_vec()));
    font
}

/// Unicode text for a glyph name, or `None` when the name means nothing.
pub(crate) fn glyph_to_unicode(name: &[u8]) -> Option<String> {
    // "a.sc" → "a"; "f_f_i" → "f" "f" "i".
    let base = name.split(|b| *b == b'.').next().unwrap_or(name);
    if base.is_empty() {
        return None;
    }
    let mut out = String::new();
    for part in base.split(|b| *b == b'_') {
        out.push_str(&component(part)?);
    }
    (!out.is_empty()).then_some(out)
}

fn component(name: &[u8]) -> Option<String> {
    let hex = |s: &[u8]| std::str::from_utf8(s).ok().and_then(|s| u32::from_str_radix(s, 16).ok());
    let valid = char::from_u32;
    if let Some(rest) = name.strip_prefix(b"uni")
        && !rest.is_empty()
        && rest.len() % 4 == 0
        && rest.iter().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_lowercase())
    {
        return rest.chunks(4).map(|c| hex(c).and_then(valid)).collect();
    }
    if let Some(rest) = name.strip_prefix(b"u")
        && (4..=6).contains(&rest.len())
        && rest.iter().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_lowercase())
    {
        return hex(rest).and_then(valid).map(String::from);
    }
    glyph_list(name)
}

/// The Adobe Glyph List, through lopdf (see the module doc), cached.
fn glyph_list(name: &[u8]) -> Option<String> {
    static CACHE: OnceLock<Mutex<HashMap<Vec<u8>, Option<String>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    if let Ok(cache) = cache.lock()
        && let Some(hit) = cache.get(name)
    {
        return hit.clone();
    }
    let mut font = synthetic_font();
    let mut encoding = Dictionary::new();
    encoding.set("Differences", Object::Array(vec![Object::Integer(0), Object::Name(name.to_vec())]));
    font.set("Encoding", Object::Dictionary(encoding));
    let doc = Document::new();
    let text = font
        .get_font_encoding(&doc)
        .ok()
        .and_then(|enc| enc.bytes_to_string(&[0]).ok())
        .filter(|s| !s.is_empty() && !s.contains('\0'));
    if let Ok(mut cache) = cache.lock()
        && cache.len() < 65_536
    {
        cache.insert(name.to_vec(), text.clone());
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_come_out_of_lopdf() {
        assert_eq!(BaseEncoding::WinAnsi.table()[0x41], Some('A'));
        assert_eq!(BaseEncoding::WinAnsi.table()[0x80], Some('€'));
        assert_eq!(BaseEncoding::Standard.table()[0x27], Some('’'));
        assert_eq!(BaseEncoding::Standard.table()[0], None);
    }

    #[test]
    fn glyph_names() {
        assert_eq!(glyph_to_unicode(b"quoteright").as_deref(), Some("’"));
        assert_eq!(glyph_to_unicode(b"A").as_deref(), Some("A"));
        assert_eq!(glyph_to_unicode(b"uni4F1A").as_deref(), Some("会"));
        assert_eq!(glyph_to_unicode(b"u1F600").as_deref(), Some("😀"));
        assert_eq!(glyph_to_unicode(b"f_f_i").as_deref(), Some("ffi"));
        assert_eq!(glyph_to_unicode(b"a.sc").as_deref(), Some("a"));
        assert_eq!(glyph_to_unicode(b"g123"), None);
    }
}
