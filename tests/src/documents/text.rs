//! Rich text (`.rtf`) and plain text (`.txt`) fixtures.
//!
//! RTF is 7-bit: everything outside ASCII is written as `\uN?` escapes
//! (UTF-16 code units, as signed 16-bit numbers), and runs of CJK
//! characters are set in the CJK font from the font table so they are
//! rendered, not substituted by boxes. A line feed ends a paragraph; a form
//! feed (`\x0C`) starts a new page, which gives multi-page RTF fixtures.

/// An `.rtf` document: one paragraph per line of `text`, a page break at
/// each form feed.
pub fn rtf(text: &str) -> Vec<u8> {
    let mut out = String::from(concat!(
        "{\\rtf1\\ansi\\ansicpg1252\\deff0\\uc1\n",
        "{\\fonttbl{\\f0\\fswiss\\fcharset0 DejaVu Sans;}{\\f1\\fnil\\fcharset134 Noto Sans CJK SC;}}\n",
        "\\pard\\plain\\f0\\fs22 "
    ));
    let mut in_cjk = false;
    for c in text.chars() {
        let cjk = c as u32 >= 0x2E80;
        if cjk != in_cjk {
            out.push_str(if cjk { "{\\f1 " } else { "}" });
            in_cjk = cjk;
        }
        match c {
            '\\' | '{' | '}' => {
                out.push('\\');
                out.push(c);
            }
            '\n' => out.push_str("\\par\n"),
            '\r' => {}
            '\u{c}' => out.push_str("\\page\n"),
            '\t' => out.push_str("\\tab "),
            ' '..='~' => out.push(c),
            c if (c as u32) < 0x20 => out.push(' '),
            c => {
                for unit in c.encode_utf16(&mut [0; 2]) {
                    out.push_str(&format!("\\u{}?", *unit as i16));
                }
            }
        }
    }
    if in_cjk {
        out.push('}');
    }
    out.push_str("\\par\n}\n");
    out.into_bytes()
}

/// A UTF-8 `.txt` file (no byte-order mark), `text` as given.
pub fn txt(text: &str) -> Vec<u8> {
    text.as_bytes().to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_unicode_and_markup() {
        let rtf = String::from_utf8(rtf("a{b}\\ é会\n😀")).unwrap_or_default();
        assert!(rtf.contains("a\\{b\\}\\\\ \\u233?{\\f1 \\u20250?}\\par\n"), "{rtf}");
        assert!(rtf.contains("\\u-10179?\\u-8704?"), "{rtf}");
        assert!(rtf.is_ascii());
    }
}
