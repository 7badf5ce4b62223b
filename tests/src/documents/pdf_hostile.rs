//! Hostile PDFs: page trees that loop, references that resolve to
//! themselves, and nesting deep enough to overflow a recursive parser.
//!
//! Each file is otherwise well-formed (see `raw_pdf`), so a validator that
//! survives must survive because it bounds the walk, not because the file
//! failed to parse early. Each has one drawable page with text "Loop", so a
//! reader that detects the defect can still say something sensible.

use super::raw_pdf::{obj, stream, write};

const PAGE_TEXT: &str = "BT /F1 24 Tf 72 700 Td (Loop) Tj ET";
const FONT: &str = "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>";

/// A page tree whose `/Kids` lead back to the root: the root's second kid
/// is a `/Pages` node whose only kid is the root. A page counter that
/// follows `/Kids` without remembering where it has been never ends.
pub fn pdf_kids_loop() -> Vec<u8> {
    write(
        &[
            obj(1, "<< /Type /Catalog /Pages 2 0 R >>"),
            obj(2, "<< /Type /Pages /Kids [4 0 R 3 0 R] /Count 2 /MediaBox [0 0 595 842] >>"),
            obj(3, "<< /Type /Pages /Parent 2 0 R /Kids [2 0 R] /Count 1 >>"),
            obj(4, "<< /Type /Page /Parent 2 0 R /Contents 5 0 R /Resources << /Font << /F1 6 0 R >> >> >>"),
            stream(5, PAGE_TEXT),
            obj(6, FONT),
        ],
        1,
    )
}

/// A page whose inherited attributes are only found by walking `/Parent`,
/// and the parents form a cycle (2 → 3 → 2): `/Resources` is found two
/// levels up, `/MediaBox` nowhere, so a lookup that climbs until it finds
/// one never ends.
pub fn pdf_parent_loop() -> Vec<u8> {
    write(
        &[
            obj(1, "<< /Type /Catalog /Pages 2 0 R >>"),
            obj(2, "<< /Type /Pages /Parent 3 0 R /Kids [4 0 R] /Count 1 >>"),
            obj(3, "<< /Type /Pages /Parent 2 0 R /Kids [2 0 R] /Count 1 /Resources << /Font << /F1 6 0 R >> >> >>"),
            obj(4, "<< /Type /Page /Parent 2 0 R /Contents 5 0 R >>"),
            stream(5, PAGE_TEXT),
            obj(6, FONT),
        ],
        1,
    )
}

/// A content stream whose `/Length` is `5 0 R`, and object 5 is itself
/// `5 0 R`: resolving the length follows a reference to itself forever.
pub fn pdf_self_ref() -> Vec<u8> {
    write(
        &[
            obj(1, "<< /Type /Catalog /Pages 2 0 R >>"),
            obj(2, "<< /Type /Pages /Kids [3 0 R] /Count 1 /MediaBox [0 0 595 842] >>"),
            obj(3, "<< /Type /Page /Parent 2 0 R /Contents 4 0 R /Resources << /Font << /F1 6 0 R >> >> >>"),
            obj(4, &format!("<< /Length 5 0 R >>\nstream\n{PAGE_TEXT}\nendstream")),
            obj(5, "5 0 R"),
            obj(6, FONT),
        ],
        1,
    )
}

/// A one-page PDF whose catalog points (`/MeetEasyDeep`) at an array nested
/// `depth` levels deep (`[[[…]]]`). lopdf and most parsers parse arrays
/// recursively, one stack frame or more per level; 100,000 levels is about
/// 200 KB of file.
pub fn pdf_deep_nesting(depth: usize) -> Vec<u8> {
    let deep = if depth == 0 { "null".to_string() } else { format!("{}{}", "[".repeat(depth), "]".repeat(depth)) };
    write(
        &[
            obj(1, "<< /Type /Catalog /Pages 2 0 R /MeetEasyDeep 7 0 R >>"),
            obj(2, "<< /Type /Pages /Kids [3 0 R] /Count 1 /MediaBox [0 0 595 842] >>"),
            obj(3, "<< /Type /Page /Parent 2 0 R /Contents 4 0 R /Resources << /Font << /F1 6 0 R >> >> >>"),
            stream(4, "BT /F1 24 Tf 72 700 Td (Deep) Tj ET"),
            obj(6, FONT),
            obj(7, &deep),
        ],
        1,
    )
}
