//! A byte-level PDF writer for files no PDF library would write.
//!
//! lopdf refuses to (or cannot) write a page tree that loops, a `/Length`
//! that refers to itself or an array nested 100,000 deep, which is exactly
//! what the hostile fixtures need. This writer takes object bodies as raw
//! text and adds only what keeps the rest of the file well-formed: the
//! header, `obj`/`endobj`, a correct cross-reference table and trailer.
//! So a parser meets the one defect a fixture is about, not a broken xref.

/// Writes a PDF whose objects are `objects` (`(number, body)`, generation
/// 0) and whose catalog is object `root`.
pub(crate) fn write(objects: &[(u32, Vec<u8>)], root: u32) -> Vec<u8> {
    let mut out = b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let size = objects.iter().map(|(number, _)| number + 1).max().unwrap_or(1);
    let mut offsets = vec![None; size as usize];
    for (number, body) in objects {
        offsets[*number as usize] = Some(out.len());
        out.extend_from_slice(format!("{number} 0 obj\n").as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend_from_slice(format!("xref\n0 {size}\n").as_bytes());
    for (number, offset) in offsets.iter().enumerate() {
        // Each entry is exactly 20 bytes, its line end included.
        match offset {
            Some(offset) => out.extend_from_slice(format!("{offset:010} 00000 n\r\n").as_bytes()),
            None if number == 0 => out.extend_from_slice(b"0000000000 65535 f\r\n"),
            None => out.extend_from_slice(b"0000000000 00000 f\r\n"),
        }
    }
    out.extend_from_slice(
        format!("trailer\n<< /Size {size} /Root {root} 0 R >>\nstartxref\n{xref}\n%%EOF\n").as_bytes(),
    );
    out
}

/// An object body from text.
pub(crate) fn obj(number: u32, body: &str) -> (u32, Vec<u8>) {
    (number, body.as_bytes().to_vec())
}

/// A content stream object with a correct `/Length`.
pub(crate) fn stream(number: u32, content: &str) -> (u32, Vec<u8>) {
    obj(number, &format!("<< /Length {} >>\nstream\n{content}\nendstream", content.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xref_offsets_point_at_objects() {
        let pdf = write(&[obj(1, "<< /Type /Catalog >>"), obj(3, "42")], 1);
        let table = b"xref\n0 4\n";
        let xref = pdf.windows(table.len()).position(|w| w == table).unwrap_or(0) + table.len();
        let entry = |n: usize| &pdf[xref + 20 * n..xref + 20 * n + 20];
        assert_eq!(entry(0), b"0000000000 65535 f\r\n");
        assert_eq!(entry(2), b"0000000000 00000 f\r\n");
        let offset: usize = String::from_utf8_lossy(&entry(3)[..10]).parse().unwrap_or(0);
        assert!(pdf[offset..].starts_with(b"3 0 obj\n42"));
        let startxref = format!("startxref\n{}\n%%EOF\n", xref - table.len());
        assert!(pdf.ends_with(startxref.as_bytes()));
    }
}
