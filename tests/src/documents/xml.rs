//! XML text escaping shared by the OOXML and ODF writers.
//!
//! Fixture text comes from test code and may contain `&`, `<` or quotes (a
//! test of "Q&A" agendas, say); written raw, that would produce a package
//! LibreOffice rejects as corrupt, and the test would fail for the wrong
//! reason. Characters XML 1.0 forbids (most C0 controls) become spaces.

/// Escapes `text` for use in XML character data or a quoted attribute value.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// The lines of a page of fixture text: split on `\n`, with a trailing `\r`
/// (Windows line ends in a test literal) dropped.
pub(crate) fn lines(page: &str) -> impl Iterator<Item = &str> {
    page.split('\n').map(|line| line.strip_suffix('\r').unwrap_or(line))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_drops_controls() {
        assert_eq!(escape("Q&A <b>\"x\" 'y'\u{1}"), "Q&amp;A &lt;b&gt;&quot;x&quot; &apos;y&apos; ");
        assert_eq!(escape("会议日程"), "会议日程");
    }

    #[test]
    fn splits_lines_and_strips_carriage_returns() {
        assert_eq!(lines("a\r\nb\n").collect::<Vec<_>>(), vec!["a", "b", ""]);
    }
}
