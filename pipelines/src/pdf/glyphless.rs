//! A minimal embedded TrueType font with no visible glyphs, for the OCR text
//! layer.
//!
//! The layer's text is drawn in render mode 3 (invisible), so no glyph is ever
//! painted, but a font that is not embedded makes some viewers (Acrobat among
//! them) substitute one and warn, and PDF/A forbids it. Tesseract and
//! OCRmyPDF solve this the same way: embed a tiny "GlyphLessFont" whose every
//! glyph is empty with a half-em advance, and map every CID to glyph 1 through
//! `/CIDToGIDMap`. The font is built here table by table (well under 1 KB)
//! rather than shipped as a binary blob, so what it contains is reviewable.

/// Units per em, and the advance of every glyph (half an em, as `/DW 500`).
pub(crate) const UNITS_PER_EM: u16 = 1000;
pub(crate) const ADVANCE: u16 = 500;

/// The font program, as a `/FontFile2` stream holds it.
pub(crate) fn font_program() -> Vec<u8> {
    let mut tables: Vec<([u8; 4], Vec<u8>)> = vec![
        (*b"OS/2", os2()),
        (*b"cmap", cmap()),
        (*b"glyf", vec![0; 4]),
        (*b"head", head()),
        (*b"hhea", hhea()),
        (*b"hmtx", [ADVANCE, 0, ADVANCE, 0].iter().flat_map(|v| v.to_be_bytes()).collect()),
        // Short offsets (offset / 2): both glyphs empty.
        (*b"loca", vec![0; 6]),
        (*b"maxp", maxp()),
        (*b"name", name()),
        (*b"post", post()),
    ];
    tables.sort_by_key(|(tag, _)| *tag);
    let num_tables = tables.len() as u16;
    let entry_selector = 15 - num_tables.leading_zeros() as u16; // floor(log2(n))
    let search_range = (1u16 << entry_selector) * 16;
    let mut out = Vec::new();
    out.extend(0x0001_0000u32.to_be_bytes());
    for v in [num_tables, search_range, entry_selector, num_tables * 16 - search_range] {
        out.extend(v.to_be_bytes());
    }
    let mut offset = 12 + 16 * tables.len();
    let mut body = Vec::new();
    let mut head_at = 0;
    for (tag, data) in &tables {
        out.extend(tag);
        out.extend(checksum(data).to_be_bytes());
        out.extend((offset as u32).to_be_bytes());
        out.extend((data.len() as u32).to_be_bytes());
        if tag == b"head" {
            head_at = offset;
        }
        body.extend(data);
        while body.len() % 4 != 0 {
            body.push(0);
        }
        offset = 12 + 16 * tables.len() + body.len();
    }
    out.extend(body);
    // head.checkSumAdjustment makes the whole file sum to 0xB1B0AFBA.
    let adjust = 0xB1B0_AFBAu32.wrapping_sub(checksum(&out));
    out[head_at + 8..head_at + 12].copy_from_slice(&adjust.to_be_bytes());
    out
}

fn checksum(data: &[u8]) -> u32 {
    data.chunks(4).fold(0u32, |sum, c| {
        let mut word = [0u8; 4];
        word[..c.len()].copy_from_slice(c);
        sum.wrapping_add(u32::from_be_bytes(word))
    })
}

fn be(values: &[i32], sizes: &[usize]) -> Vec<u8> {
    values
        .iter()
        .zip(sizes)
        .flat_map(|(v, size)| match size {
            2 => (*v as u16).to_be_bytes().to_vec(),
            _ => (*v as u32).to_be_bytes().to_vec(),
        })
        .collect()
}

fn head() -> Vec<u8> {
    let mut t = Vec::new();
    t.extend(0x0001_0000u32.to_be_bytes()); // version
    t.extend(0x0001_0000u32.to_be_bytes()); // fontRevision
    t.extend(0u32.to_be_bytes()); // checkSumAdjustment, set last
    t.extend(0x5F0F_3CF5u32.to_be_bytes()); // magic
    t.extend(0x000Bu16.to_be_bytes()); // flags: baseline at y=0, lsb at x=0, integer ppem
    t.extend(UNITS_PER_EM.to_be_bytes());
    t.extend([0u8; 16]); // created, modified
    t.extend(be(&[0, 0, i32::from(ADVANCE), i32::from(UNITS_PER_EM)], &[2; 4])); // bbox
    t.extend(be(&[0, 3, 2, 0, 0], &[2; 5])); // macStyle, lowestRecPPEM, direction, short loca, glyf format
    t
}

fn hhea() -> Vec<u8> {
    let mut t = 0x0001_0000u32.to_be_bytes().to_vec();
    // ascender, descender, lineGap, advanceWidthMax, minLSB, minRSB, xMaxExtent,
    // caretSlopeRise, caretSlopeRun, caretOffset, 4 reserved, metricDataFormat, numberOfHMetrics
    t.extend(be(&[1000, 0, 0, i32::from(ADVANCE), 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2], &[2; 16]));
    t
}

fn maxp() -> Vec<u8> {
    let mut t = 0x0001_0000u32.to_be_bytes().to_vec();
    // numGlyphs, then the TrueType limits (maxZones 2, everything else 0).
    t.extend(be(&[2, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0], &[2; 14]));
    t
}

fn cmap() -> Vec<u8> {
    // One (3,1) format-4 subtable with only the closing 0xFFFF segment.
    let mut t = be(&[0, 1, 3, 1, 12], &[2, 2, 2, 2, 4]);
    t.extend(be(&[4, 24, 0, 2, 2, 0, 0, 0xFFFF, 0, 0xFFFF, 1, 0], &[2; 12]));
    t
}

fn os2() -> Vec<u8> {
    let mut t = be(&[1, i32::from(ADVANCE), 400, 5, 0], &[2; 5]);
    // Sub/superscript sizes and offsets, strikeout size and position, family class.
    t.extend(be(&[650, 600, 0, 75, 650, 600, 0, 350, 50, 300, 0], &[2; 11]));
    t.extend([0u8; 10]); // PANOSE
    t.extend([0u8; 16]); // Unicode ranges
    t.extend(*b"NONE"); // vendor
    // fsSelection REGULAR, first and last char, typo ascender/descender/gap, win ascent/descent.
    t.extend(be(&[0x40, 0, 0xFFFF, 1000, 0, 0, 1000, 0], &[2; 8]));
    t.extend([0u8; 8]); // code page ranges
    t
}

fn post() -> Vec<u8> {
    let mut t = 0x0003_0000u32.to_be_bytes().to_vec();
    t.extend(0u32.to_be_bytes()); // italic angle
    t.extend(be(&[-100, 50], &[2, 2]));
    t.extend(be(&[1, 0, 0, 0, 0], &[4; 5])); // isFixedPitch, memory hints
    t
}

fn name() -> Vec<u8> {
    let strings: [(u16, &str); 4] = [(1, "GlyphLessFont"), (2, "Regular"), (4, "GlyphLessFont"), (6, "GlyphLessFont")];
    let encoded: Vec<Vec<u8>> =
        strings.iter().map(|(_, s)| s.encode_utf16().flat_map(u16::to_be_bytes).collect()).collect();
    let count = strings.len() as i32;
    let mut t = be(&[0, count, 6 + 12 * count], &[2; 3]);
    let mut offset = 0;
    for ((id, _), data) in strings.iter().zip(&encoded) {
        t.extend(be(&[3, 1, 0x409, i32::from(*id), data.len() as i32, offset], &[2; 6]));
        offset += data.len() as i32;
    }
    for data in encoded {
        t.extend(data);
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_font_is_well_formed() {
        let font = font_program();
        assert_eq!(&font[..4], &[0, 1, 0, 0]);
        let num_tables = u16::from_be_bytes([font[4], font[5]]) as usize;
        assert_eq!(num_tables, 10);
        assert_eq!(checksum(&font), 0xB1B0_AFBA);
        for i in 0..num_tables {
            let rec = &font[12 + 16 * i..28 + 16 * i];
            let offset = u32::from_be_bytes([rec[8], rec[9], rec[10], rec[11]]) as usize;
            let len = u32::from_be_bytes([rec[12], rec[13], rec[14], rec[15]]) as usize;
            assert_eq!(offset % 4, 0);
            assert!(offset + len <= font.len());
        }
        // Table sizes fixed by the specification.
        let size = |tag: &[u8]| {
            (0..num_tables)
                .map(|i| &font[12 + 16 * i..28 + 16 * i])
                .find(|r| &r[..4] == tag)
                .map(|r| u32::from_be_bytes([r[12], r[13], r[14], r[15]]))
        };
        assert_eq!(size(b"head"), Some(54));
        assert_eq!(size(b"hhea"), Some(36));
        assert_eq!(size(b"maxp"), Some(32));
        assert_eq!(size(b"OS/2"), Some(86));
        assert_eq!(size(b"post"), Some(32));
    }
}
