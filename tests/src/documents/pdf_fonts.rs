//! Fonts for text PDFs: Helvetica for Latin text, a CID font for the rest.
//!
//! Latin lines use the standard Helvetica with WinAnsiEncoding, which every
//! PDF reader knows without an embedded font program. Text WinAnsi cannot
//! encode (Chinese, say) uses a Type0 font with Identity-H encoding whose
//! two-byte codes are the UTF-16 code units of the text, and a ToUnicode
//! CMap that maps each code back to itself: text extraction (poppler's
//! `pdftotext`, lopdf's `extract_text`) then returns the original Unicode.
//! The CJK font is not embedded, so how its glyphs *look* depends on the
//! viewer's substitution; fixtures that need rendered CJK pixels (OCR) are
//! made as images with [`super::pdf_scanned`].

use lopdf::{Dictionary, Document, Object, Stream, StringFormat, dictionary};

/// The name under which the CJK font is listed in a page's resources.
pub(crate) const CJK_FONT: &str = "F2";
/// The name of the Helvetica font in a page's resources.
pub(crate) const LATIN_FONT: &str = "F1";

/// The standard Helvetica font dictionary, WinAnsi-encoded.
pub(crate) fn helvetica() -> Dictionary {
    dictionary! {
        "Type" => "Font",
        "Subtype" => "Type1",
        "BaseFont" => "Helvetica",
        "Encoding" => "WinAnsiEncoding",
    }
}

/// Adds the Type0 CJK font and its ToUnicode CMap to `doc` and returns the
/// font's object id. `used` is all the text the font will show, so the CMap
/// only covers the code ranges in use.
pub(crate) fn add_cjk_font(doc: &mut Document, used: &str) -> lopdf::ObjectId {
    let to_unicode = doc.add_object(Stream::new(Dictionary::new(), to_unicode_cmap(used).into_bytes()));
    let descriptor = doc.add_object(dictionary! {
        "Type" => "FontDescriptor",
        "FontName" => "NotoSansCJKsc-Regular",
        "Flags" => 4,
        "FontBBox" => vec![(-1000).into(), (-300).into(), 2000.into(), 1100.into()],
        "ItalicAngle" => 0,
        "Ascent" => 880,
        "Descent" => -120,
        "CapHeight" => 733,
        "StemV" => 80,
    });
    let descendant = doc.add_object(dictionary! {
        "Type" => "Font",
        "Subtype" => "CIDFontType2",
        "BaseFont" => "NotoSansCJKsc-Regular",
        "CIDSystemInfo" => dictionary! {
            "Registry" => Object::string_literal("Adobe"),
            "Ordering" => Object::string_literal("Identity"),
            "Supplement" => 0,
        },
        "FontDescriptor" => descriptor,
        "DW" => 1000,
        "CIDToGIDMap" => "Identity",
    });
    doc.add_object(dictionary! {
        "Type" => "Font",
        "Subtype" => "Type0",
        "BaseFont" => "NotoSansCJKsc-Regular",
        "Encoding" => "Identity-H",
        "DescendantFonts" => vec![descendant.into()],
        "ToUnicode" => to_unicode,
    })
}

/// WinAnsi bytes for `text`, or `None` if some character has no WinAnsi code.
pub(crate) fn win_ansi(text: &str) -> Option<Vec<u8>> {
    text.chars().map(win_ansi_byte).collect()
}

/// The CJK font's string for `text`: big-endian UTF-16 code units, one per
/// character (characters outside the BMP become `?`).
pub(crate) fn cid_string(text: &str) -> Object {
    let bytes = text.chars().flat_map(|c| bmp_unit(c).to_be_bytes()).collect();
    Object::String(bytes, StringFormat::Hexadecimal)
}

fn bmp_unit(c: char) -> u16 {
    u16::try_from(c as u32).unwrap_or(u16::from(b'?'))
}

fn win_ansi_byte(c: char) -> Option<u8> {
    const HIGH: [(char, u8); 27] = [
        ('€', 0x80),
        ('‚', 0x82),
        ('ƒ', 0x83),
        ('„', 0x84),
        ('…', 0x85),
        ('†', 0x86),
        ('‡', 0x87),
        ('ˆ', 0x88),
        ('‰', 0x89),
        ('Š', 0x8A),
        ('‹', 0x8B),
        ('Œ', 0x8C),
        ('Ž', 0x8E),
        ('‘', 0x91),
        ('’', 0x92),
        ('“', 0x93),
        ('”', 0x94),
        ('•', 0x95),
        ('–', 0x96),
        ('—', 0x97),
        ('˜', 0x98),
        ('™', 0x99),
        ('š', 0x9A),
        ('›', 0x9B),
        ('œ', 0x9C),
        ('ž', 0x9E),
        ('Ÿ', 0x9F),
    ];
    match c as u32 {
        0x20..=0x7E | 0xA0..=0xFF => u8::try_from(c as u32).ok(),
        _ => HIGH.iter().find(|(ch, _)| *ch == c).map(|(_, byte)| *byte),
    }
}

/// A ToUnicode CMap mapping each two-byte code to the same UTF-16 unit,
/// one `bfrange` per high byte that `used` needs.
fn to_unicode_cmap(used: &str) -> String {
    let mut high: Vec<u8> = used.chars().map(|c| (bmp_unit(c) >> 8) as u8).collect();
    high.sort_unstable();
    high.dedup();
    let mut cmap = String::from(concat!(
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n",
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n",
        "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n",
        "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"
    ));
    for chunk in high.chunks(100) {
        cmap.push_str(&format!("{} beginbfrange\n", chunk.len()));
        for byte in chunk {
            cmap.push_str(&format!("<{byte:02X}00> <{byte:02X}FF> <{byte:02X}00>\n"));
        }
        cmap.push_str("endbfrange\n");
    }
    cmap.push_str("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
    cmap
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_win_ansi_or_refuses() {
        assert_eq!(win_ansi("Café €5"), Some(b"Caf\xE9 \x805".to_vec()));
        assert_eq!(win_ansi("会议"), None);
    }

    #[test]
    fn cmap_covers_the_high_bytes_in_use() {
        let cmap = to_unicode_cmap("会A");
        assert!(cmap.contains("2 beginbfrange\n<0000> <00FF> <0000>\n<4F00> <4FFF> <4F00>\n"), "{cmap}");
    }
}
