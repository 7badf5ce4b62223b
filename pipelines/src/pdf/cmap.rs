//! A bounded reader for CMap streams: `/ToUnicode` maps and the code-space
//! ranges of embedded `/Encoding` CMaps.
//!
//! lopdf 0.47 has a ToUnicode parser too, but after parsing it builds a reverse
//! map by walking every code of every `bfrange`: a single hostile line
//! `<00000000> <FFFFFFFF> <0000>` means four billion insertions. This reader
//! keeps ranges as ranges (lookups are a binary search) and caps the number of
//! entries, so its cost is linear in the stream's size.

use std::collections::HashMap;

/// Most `bfchar` + `bfrange` entries kept from one CMap.
const MAX_ENTRIES: usize = 200_000;
/// Longest Unicode destination kept for one code (in UTF-16 units).
const MAX_DEST_UNITS: usize = 64;

/// A code-space range: codes of `len` bytes whose bytes each lie between the
/// corresponding bytes of `lo` and `hi`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CodeSpace {
    pub lo: u32,
    pub hi: u32,
    pub len: u8,
}

impl CodeSpace {
    fn contains(&self, code: u32) -> bool {
        (0..self.len).all(|i| {
            let shift = 8 * u32::from(i);
            let (b, l, h) = ((code >> shift) & 0xFF, (self.lo >> shift) & 0xFF, (self.hi >> shift) & 0xFF);
            l <= b && b <= h
        })
    }
}

#[derive(Debug, Clone)]
enum Target {
    /// The destination of the range's first code; later codes increment the last unit.
    Base(Vec<u16>),
    /// One destination per code.
    Each(Vec<Vec<u16>>),
}

#[derive(Debug, Clone)]
struct Range {
    len: u8,
    lo: u32,
    hi: u32,
    target: Target,
}

/// A parsed CMap: code space and (for ToUnicode maps) code → Unicode.
#[derive(Debug, Default, Clone)]
pub(crate) struct CMap {
    pub codespace: Vec<CodeSpace>,
    chars: HashMap<(u8, u32), Vec<u16>>,
    /// Sorted by `(len, lo)`.
    ranges: Vec<Range>,
}

impl CMap {
    pub(crate) fn parse(data: &[u8]) -> CMap {
        let mut cmap = CMap::default();
        let mut tokens = Tokens { data, pos: 0 };
        let mut entries = 0usize;
        while let Some(token) = tokens.next() {
            let Token::Keyword(keyword) = token else { continue };
            match keyword {
                b"begincodespacerange" => {
                    while let Some(Token::Hex(lo)) = tokens.next() {
                        let Some(Token::Hex(hi)) = tokens.next() else { break };
                        if let (Some(lo_code), Some(hi_code)) = (code_of(&lo), code_of(&hi))
                            && lo.len() == hi.len()
                        {
                            cmap.codespace.push(CodeSpace { lo: lo_code, hi: hi_code, len: lo.len() as u8 });
                        }
                    }
                }
                b"beginbfchar" => {
                    while let Some(Token::Hex(src)) = tokens.next() {
                        let Some(dst) = tokens.next() else { break };
                        let (Some(code), Some(dst)) = (code_of(&src), destination(dst)) else { continue };
                        if entries < MAX_ENTRIES {
                            entries += 1;
                            cmap.chars.insert((src.len() as u8, code), dst);
                        }
                    }
                }
                b"beginbfrange" => {
                    while let Some(Token::Hex(lo)) = tokens.next() {
                        let Some(Token::Hex(hi)) = tokens.next() else { break };
                        let target = match tokens.next() {
                            Some(Token::ArrayStart) => {
                                let mut each = Vec::new();
                                while let Some(Token::Hex(dst)) = tokens.next() {
                                    if each.len() < MAX_ENTRIES {
                                        each.push(utf16_units(&dst));
                                    }
                                }
                                Target::Each(each)
                            }
                            Some(Token::Hex(dst)) => Target::Base(utf16_units(&dst)),
                            _ => break,
                        };
                        let (Some(lo_code), Some(hi_code)) = (code_of(&lo), code_of(&hi)) else { continue };
                        if lo.len() != hi.len() || hi_code < lo_code || entries >= MAX_ENTRIES {
                            continue;
                        }
                        entries += 1;
                        cmap.ranges.push(Range { len: lo.len() as u8, lo: lo_code, hi: hi_code, target });
                    }
                }
                _ => {}
            }
        }
        cmap.ranges.sort_by_key(|r| (r.len, r.lo));
        cmap
    }

    /// Whether the map has any code → Unicode entries at all.
    pub(crate) fn maps_anything(&self) -> bool {
        !self.chars.is_empty() || !self.ranges.is_empty()
    }

    /// Appends the Unicode text for a code of `len` bytes; false when unmapped.
    pub(crate) fn lookup(&self, code: u32, len: u8, out: &mut String) -> bool {
        if let Some(units) = self.chars.get(&(len, code)) {
            out.extend(char::decode_utf16(units.iter().copied()).map(|c| c.unwrap_or('\u{fffd}')));
            return true;
        }
        // The last range starting at or before `code` among those of this length.
        let idx = self.ranges.partition_point(|r| (r.len, r.lo) <= (len, code));
        let Some(range) = idx.checked_sub(1).and_then(|i| self.ranges.get(i)) else { return false };
        if range.len != len || code > range.hi {
            return false;
        }
        let offset = code - range.lo;
        match &range.target {
            Target::Base(base) => {
                let mut units = base.clone();
                if let Some(last) = units.last_mut() {
                    // The offset can exceed 16 bits only in a broken map; wrap as
                    // readers do rather than fail.
                    *last = last.wrapping_add(offset as u16);
                }
                out.extend(char::decode_utf16(units).map(|c| c.unwrap_or('\u{fffd}')));
                true
            }
            Target::Each(each) => match each.get(offset as usize) {
                Some(units) => {
                    out.extend(char::decode_utf16(units.iter().copied()).map(|c| c.unwrap_or('\u{fffd}')));
                    true
                }
                None => false,
            },
        }
    }

    /// Splits the next code off `bytes` by the code space: the shortest length
    /// whose leading bytes fall in a range of that length. With no match, one
    /// byte (or the length of the first range) is consumed, as readers do.
    pub(crate) fn next_code(codespace: &[CodeSpace], bytes: &[u8]) -> (u32, u8) {
        for len in 1..=4u8 {
            if bytes.len() < usize::from(len) {
                break;
            }
            let code = bytes[..usize::from(len)].iter().fold(0u32, |acc, b| (acc << 8) | u32::from(*b));
            if codespace.iter().any(|cs| cs.len == len && cs.contains(code)) {
                return (code, len);
            }
        }
        let len = codespace.first().map_or(1, |cs| cs.len).clamp(1, 4).min(bytes.len().max(1) as u8);
        let code = bytes.iter().take(usize::from(len)).fold(0u32, |acc, b| (acc << 8) | u32::from(*b));
        (code, len)
    }
}

fn code_of(hex: &[u8]) -> Option<u32> {
    (1..=4).contains(&hex.len()).then(|| hex.iter().fold(0u32, |acc, b| (acc << 8) | u32::from(*b)))
}

fn utf16_units(bytes: &[u8]) -> Vec<u16> {
    bytes.chunks(2).take(MAX_DEST_UNITS).map(|c| u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)])).collect()
}

fn destination(token: Token<'_>) -> Option<Vec<u16>> {
    match token {
        Token::Hex(dst) => Some(utf16_units(&dst)),
        // A glyph name as destination (rare): map through the glyph list.
        Token::Name(name) => super::encoding::glyph_to_unicode(name).map(|s| s.encode_utf16().collect()),
        _ => None,
    }
}

enum Token<'a> {
    Hex(Vec<u8>),
    Name(&'a [u8]),
    Keyword(&'a [u8]),
    ArrayStart,
    ArrayEnd,
    Other,
}

/// A PostScript-ish tokenizer, just enough for CMaps.
struct Tokens<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Tokens<'a> {
    fn next(&mut self) -> Option<Token<'a>> {
        let data = self.data;
        loop {
            let b = *data.get(self.pos)?;
            match b {
                b'%' => {
                    while self.pos < data.len() && data[self.pos] != b'\n' && data[self.pos] != b'\r' {
                        self.pos += 1;
                    }
                }
                b if is_space(b) => self.pos += 1,
                _ => break,
            }
        }
        let start = self.pos;
        let b = data[start];
        self.pos += 1;
        Some(match b {
            b'<' if data.get(self.pos) == Some(&b'<') => {
                self.pos += 1;
                Token::Other
            }
            b'>' if data.get(self.pos) == Some(&b'>') => {
                self.pos += 1;
                Token::Other
            }
            b'<' => {
                let mut nibbles = Vec::new();
                while let Some(&c) = data.get(self.pos) {
                    self.pos += 1;
                    match c {
                        b'>' => break,
                        c if c.is_ascii_hexdigit() => nibbles.push((c as char).to_digit(16).unwrap_or(0) as u8),
                        _ => {}
                    }
                }
                if nibbles.len() % 2 == 1 {
                    nibbles.push(0);
                }
                Token::Hex(nibbles.chunks(2).map(|p| (p[0] << 4) | p[1]).collect())
            }
            b'[' => Token::ArrayStart,
            b']' => Token::ArrayEnd,
            b'(' => {
                // Skip a literal string, honouring nesting and escapes.
                let mut depth = 1usize;
                while let Some(&c) = data.get(self.pos) {
                    self.pos += 1;
                    match c {
                        b'\\' => self.pos += 1,
                        b'(' => depth += 1,
                        b')' => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                }
                Token::Other
            }
            b'/' => {
                while self.pos < data.len() && !is_space(data[self.pos]) && !is_delimiter(data[self.pos]) {
                    self.pos += 1;
                }
                Token::Name(&data[start + 1..self.pos])
            }
            b'{' | b'}' | b'>' | b')' => Token::Other,
            _ => {
                while self.pos < data.len() && !is_space(data[self.pos]) && !is_delimiter(data[self.pos]) {
                    self.pos += 1;
                }
                Token::Keyword(&data[start..self.pos])
            }
        })
    }
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b'\x0c' | b'\0')
}

fn is_delimiter(b: u8) -> bool {
    matches!(b, b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(cmap: &CMap, code: u32, len: u8) -> Option<String> {
        let mut s = String::new();
        cmap.lookup(code, len, &mut s).then_some(s)
    }

    #[test]
    fn bfchar_bfrange_and_arrays() {
        let cmap = CMap::parse(
            b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n\
              1 begincodespacerange <0000> <FFFF> endcodespacerange\n\
              2 beginbfchar <0003> <0020> <0010> <00660069> endbfchar\n\
              2 beginbfrange <0041> <0043> <4F1A>\n<0100> <0101> [<0061> <D83DDE00>] endbfrange\n\
              endcmap",
        );
        assert_eq!(text(&cmap, 3, 2).as_deref(), Some(" "));
        assert_eq!(text(&cmap, 0x10, 2).as_deref(), Some("fi"));
        assert_eq!(text(&cmap, 0x42, 2).as_deref(), Some("\u{4F1B}"));
        assert_eq!(text(&cmap, 0x101, 2).as_deref(), Some("😀"));
        assert_eq!(text(&cmap, 0x44, 2), None);
        // Same value, other length: not the same code.
        assert_eq!(text(&cmap, 3, 1), None);
        assert_eq!(CMap::next_code(&cmap.codespace, &[0x4F, 0x1A, 0x00]), (0x4F1A, 2));
    }

    #[test]
    fn a_four_billion_code_range_costs_nothing() {
        let cmap = CMap::parse(b"1 beginbfrange <00000000> <FFFFFFFF> <0041> endbfrange");
        assert_eq!(text(&cmap, 1, 4).as_deref(), Some("B"));
    }

    #[test]
    fn mixed_length_code_space() {
        let cmap = CMap::parse(b"2 begincodespacerange <00> <80> <8140> <FEFE> endcodespacerange");
        assert_eq!(CMap::next_code(&cmap.codespace, b"A\x81\x40"), (0x41, 1));
        assert_eq!(CMap::next_code(&cmap.codespace, b"\x81\x40"), (0x8140, 2));
    }
}
