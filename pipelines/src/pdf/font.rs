//! What the bytes of a `Tj` mean: splitting them into character codes, the
//! Unicode text of each code, and each glyph's advance width.
//!
//! Order of trust for the text of a code, as in pdf.js and poppler: the font's
//! `/ToUnicode` map first; then, for simple fonts, the `/Encoding` (a base
//! table plus `/Differences` glyph names); for composite fonts with a UCS-2 /
//! UTF-16 predefined CMap, the code itself. A composite font with an
//! `Identity` encoding and no `/ToUnicode` has no recoverable text (its codes
//! are glyph ids); its glyphs still advance the pen, so spacing stays right.
//!
//! lopdf's `get_font_encoding` is not used: it prefers `/Encoding` over
//! `/ToUnicode` for simple fonts (wrong for subset fonts with made-up glyph
//! names), and its ToUnicode parser has the cost problem described in
//! [`super::cmap`].

use lopdf::{Dictionary, Document, Object};

use super::cmap::{CMap, CodeSpace};
use super::encoding::{BaseEncoding, ByteTable, glyph_to_unicode};

/// Decoded size cap for a `/ToUnicode` or embedded CMap stream.
const MAX_CMAP_BYTES: usize = 4 * 1024 * 1024;
/// Most `/W` entries read from a CID font.
const MAX_WIDTH_ENTRIES: usize = 100_000;

#[derive(Debug)]
enum Codes {
    OneByte,
    TwoByte,
    Ranges(Vec<CodeSpace>),
}

#[derive(Debug)]
enum Fallback {
    /// Simple font: byte → text (a base encoding with `/Differences` applied).
    Table(Box<[Option<String>; 256]>),
    /// Composite font whose codes are UTF-16 code units.
    Ucs2,
    None,
}

#[derive(Debug)]
enum Widths {
    Simple {
        first: u32,
        widths: Vec<f64>,
        missing: f64,
    },
    /// `(first, last, width)`, sorted by `first`.
    Cid {
        default: f64,
        ranges: Vec<(u32, u32, f64)>,
    },
}

/// A font, reduced to what text extraction needs.
#[derive(Debug)]
pub(crate) struct Font {
    codes: Codes,
    to_unicode: Option<CMap>,
    fallback: Fallback,
    widths: Widths,
    /// Glyph space → text space (1/1000, or a Type 3 font's `/FontMatrix`).
    scale: f64,
}

/// One character code read from a string.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Code {
    pub code: u32,
    pub len: u8,
}

impl Font {
    /// A stand-in when `Tf` names no usable font: one-byte codes, no text,
    /// half-em advances.
    pub(crate) fn unknown() -> Font {
        Font {
            codes: Codes::OneByte,
            to_unicode: None,
            fallback: Fallback::None,
            widths: Widths::Simple { first: 0, widths: Vec::new(), missing: 500.0 },
            scale: 0.001,
        }
    }

    pub(crate) fn load(doc: &Document, font: &Dictionary) -> Font {
        let subtype = name(doc, font, b"Subtype").unwrap_or_default();
        let to_unicode =
            stream_bytes(doc, font.get(b"ToUnicode").ok()).map(|data| CMap::parse(&data)).filter(CMap::maps_anything);
        if subtype == b"Type0" {
            Self::composite(doc, font, to_unicode)
        } else {
            Self::simple(doc, font, &subtype, to_unicode)
        }
    }

    fn composite(doc: &Document, font: &Dictionary, to_unicode: Option<CMap>) -> Font {
        let mut fallback = Fallback::None;
        let codes = match font.get(b"Encoding").ok().map(|e| deref(doc, e)) {
            Some(Object::Name(enc)) => {
                let enc = enc.as_slice();
                let ucs2 = enc.starts_with(b"Uni") && (enc.ends_with(b"UCS2-H") || enc.ends_with(b"UCS2-V"))
                    || enc.starts_with(b"Uni") && (enc.ends_with(b"UTF16-H") || enc.ends_with(b"UTF16-V"));
                if ucs2 {
                    fallback = Fallback::Ucs2;
                }
                if enc == b"Identity-H" || enc == b"Identity-V" || ucs2 {
                    Codes::TwoByte
                } else {
                    // Another predefined CMap (Shift-JIS, EUC, ...): its code space
                    // is not at hand; the ToUnicode map's usually repeats it.
                    to_unicode_codes(&to_unicode)
                }
            }
            Some(Object::Stream(_)) => {
                let space = stream_bytes(doc, font.get(b"Encoding").ok()).map(|d| CMap::parse(&d).codespace);
                match space {
                    Some(space) if !space.is_empty() => Codes::Ranges(space),
                    _ => to_unicode_codes(&to_unicode),
                }
            }
            _ => Codes::TwoByte,
        };
        let descendant = font
            .get(b"DescendantFonts")
            .ok()
            .and_then(|d| deref(doc, d).as_array().ok())
            .and_then(|a| a.first())
            .and_then(|d| deref(doc, d).as_dict().ok());
        let widths = match descendant {
            Some(cid) => {
                let default = cid.get(b"DW").ok().and_then(|w| number(doc, w)).unwrap_or(1000.0);
                Widths::Cid { default, ranges: cid_widths(doc, cid) }
            }
            None => Widths::Cid { default: 1000.0, ranges: Vec::new() },
        };
        Font { codes, to_unicode, fallback, widths, scale: 0.001 }
    }

    fn simple(doc: &Document, font: &Dictionary, subtype: &[u8], to_unicode: Option<CMap>) -> Font {
        let base_font = name(doc, font, b"BaseFont").unwrap_or_default();
        let symbolic_builtin = base_font.ends_with(b"Symbol") || base_font.ends_with(b"ZapfDingbats");
        let default_base = if subtype == b"TrueType" { BaseEncoding::WinAnsi } else { BaseEncoding::Standard };
        let mut table: Option<Box<[Option<String>; 256]>> = None;
        let from_base = |base: &'static ByteTable| -> Box<[Option<String>; 256]> {
            Box::new(std::array::from_fn(|i| base[i].map(String::from)))
        };
        match font.get(b"Encoding").ok().map(|e| deref(doc, e)) {
            Some(Object::Name(enc)) => {
                table = BaseEncoding::from_name(enc).map(|b| from_base(b.table()));
            }
            Some(Object::Dictionary(enc)) => {
                let base = name(doc, enc, b"BaseEncoding").and_then(|n| BaseEncoding::from_name(&n));
                let mut t = match (base, symbolic_builtin) {
                    (Some(base), _) => from_base(base.table()),
                    (None, false) => from_base(default_base.table()),
                    (None, true) => Box::new(std::array::from_fn(|_| None)),
                };
                if let Some(Object::Array(diffs)) = enc.get(b"Differences").ok().map(|d| deref(doc, d)) {
                    let mut code: i64 = -1;
                    for item in diffs.iter().take(4096) {
                        match deref(doc, item) {
                            Object::Integer(n) => code = *n,
                            Object::Name(glyph) => {
                                if let Some(slot) = usize::try_from(code).ok().and_then(|c| t.get_mut(c)) {
                                    *slot = glyph_to_unicode(glyph);
                                }
                                code = code.saturating_add(1);
                            }
                            _ => {}
                        }
                    }
                }
                table = Some(t);
            }
            _ if !symbolic_builtin && subtype != b"Type3" => table = Some(from_base(default_base.table())),
            _ => {}
        }
        let scale = if subtype == b"Type3" {
            font.get(b"FontMatrix")
                .ok()
                .and_then(|m| deref(doc, m).as_array().ok())
                .and_then(|m| m.first())
                .and_then(|a| number(doc, a))
                .filter(|a| a.is_finite() && *a != 0.0)
                .map_or(0.001, f64::abs)
        } else {
            0.001
        };
        let first = font.get(b"FirstChar").ok().and_then(|f| number(doc, f)).unwrap_or(0.0).clamp(0.0, 255.0) as u32;
        let widths: Vec<f64> = font
            .get(b"Widths")
            .ok()
            .and_then(|w| deref(doc, w).as_array().ok())
            .map(|w| w.iter().take(256).map(|v| number(doc, v).unwrap_or(0.0)).collect())
            .unwrap_or_default();
        let missing = font
            .get(b"FontDescriptor")
            .ok()
            .and_then(|d| deref(doc, d).as_dict().ok())
            .and_then(|d| d.get(b"MissingWidth").ok())
            .and_then(|w| number(doc, w))
            .filter(|w| *w > 0.0)
            .unwrap_or(if base_font.starts_with(b"Courier") { 600.0 } else { 500.0 });
        Font {
            codes: Codes::OneByte,
            to_unicode,
            fallback: table.map_or(Fallback::None, Fallback::Table),
            widths: Widths::Simple { first, widths, missing },
            scale,
        }
    }

    /// Splits a shown string into character codes.
    pub(crate) fn codes<'s>(&'s self, bytes: &'s [u8]) -> impl Iterator<Item = Code> + 's {
        let mut rest = bytes;
        std::iter::from_fn(move || {
            if rest.is_empty() {
                return None;
            }
            let (code, len) = match &self.codes {
                Codes::OneByte => (u32::from(rest[0]), 1),
                Codes::TwoByte if rest.len() >= 2 => ((u32::from(rest[0]) << 8) | u32::from(rest[1]), 2),
                Codes::TwoByte => (u32::from(rest[0]), 1),
                Codes::Ranges(space) => CMap::next_code(space, rest),
            };
            rest = &rest[usize::from(len).min(rest.len())..];
            Some(Code { code, len })
        })
    }

    /// Appends the text of a code; false when the code has none.
    pub(crate) fn unicode(&self, code: Code, out: &mut String) -> bool {
        if let Some(map) = &self.to_unicode
            && map.lookup(code.code, code.len, out)
        {
            return true;
        }
        match &self.fallback {
            Fallback::Table(table) => match table.get(code.code as usize).and_then(Option::as_deref) {
                Some(text) => {
                    out.push_str(text);
                    true
                }
                None => false,
            },
            Fallback::Ucs2 => match char::from_u32(code.code) {
                Some(c) => {
                    out.push(c);
                    true
                }
                None => false,
            },
            Fallback::None => false,
        }
    }

    /// The advance of a code in text-space units (before font size and `Tz`).
    pub(crate) fn width(&self, code: Code) -> f64 {
        let w = match &self.widths {
            Widths::Simple { first, widths, missing } => code
                .code
                .checked_sub(*first)
                .and_then(|i| widths.get(i as usize))
                .copied()
                .filter(|w| *w > 0.0)
                .unwrap_or(*missing),
            Widths::Cid { default, ranges } => {
                let idx = ranges.partition_point(|r| r.0 <= code.code);
                idx.checked_sub(1).and_then(|i| ranges.get(i)).filter(|r| code.code <= r.1).map_or(*default, |r| r.2)
            }
        };
        w * self.scale
    }

    /// Word spacing (`Tw`) applies to the single-byte code 32 only.
    pub(crate) fn is_word_space(code: Code) -> bool {
        code.len == 1 && code.code == 32
    }
}

fn to_unicode_codes(to_unicode: &Option<CMap>) -> Codes {
    match to_unicode {
        Some(map) if !map.codespace.is_empty() => Codes::Ranges(map.codespace.clone()),
        _ => Codes::TwoByte,
    }
}

/// A CID font's `/W` array: `c [w1 w2 ...]` and `c_first c_last w` entries.
fn cid_widths(doc: &Document, cid: &Dictionary) -> Vec<(u32, u32, f64)> {
    let Some(Object::Array(w)) = cid.get(b"W").ok().map(|w| deref(doc, w)) else { return Vec::new() };
    let mut out = Vec::new();
    let mut i = 0;
    while i < w.len() && out.len() < MAX_WIDTH_ENTRIES {
        let Some(first) = number(doc, &w[i]).filter(|f| *f >= 0.0) else { break };
        let first = first as u32;
        match w.get(i + 1).map(|o| deref(doc, o)) {
            Some(Object::Array(list)) => {
                for (k, v) in list.iter().enumerate().take(MAX_WIDTH_ENTRIES) {
                    let c = first.saturating_add(k as u32);
                    out.push((c, c, number(doc, v).unwrap_or(0.0)));
                }
                i += 2;
            }
            Some(last) => {
                let (Some(last), Some(width)) = (number(doc, last), w.get(i + 2).and_then(|v| number(doc, v))) else {
                    break;
                };
                if last >= f64::from(first) {
                    out.push((first, last.min(f64::from(u32::MAX)) as u32, width));
                }
                i += 3;
            }
            None => break,
        }
    }
    out.sort_by_key(|r| r.0);
    out
}

pub(crate) fn deref<'a>(doc: &'a Document, obj: &'a Object) -> &'a Object {
    doc.dereference(obj).map_or(&Object::Null, |(_, o)| o)
}

fn number(doc: &Document, obj: &Object) -> Option<f64> {
    deref(doc, obj).as_float().ok().map(f64::from).filter(|v| v.is_finite())
}

fn name(doc: &Document, dict: &Dictionary, key: &[u8]) -> Option<Vec<u8>> {
    dict.get(key).ok().and_then(|n| deref(doc, n).as_name().ok()).map(<[u8]>::to_vec)
}

/// The decoded bytes of a stream (by reference or direct), capped.
pub(crate) fn stream_bytes(doc: &Document, obj: Option<&Object>) -> Option<Vec<u8>> {
    let stream = deref(doc, obj?).as_stream().ok()?;
    match stream.dict.get(b"Filter") {
        Ok(_) => stream.decompressed_content_with_limit(MAX_CMAP_BYTES).ok(),
        Err(_) => (stream.content.len() <= MAX_CMAP_BYTES).then(|| stream.content.clone()),
    }
}
