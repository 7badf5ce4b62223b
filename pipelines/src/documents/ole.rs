//! Legacy Office (Word/Excel/PowerPoint 97–2003) and encrypted OOXML, which
//! both live in OLE2 compound files.
//!
//! Office writes a password-protected *docx/xlsx/pptx* as an OLE file with
//! `EncryptionInfo` and `EncryptedPackage` streams, so "OLE magic" alone
//! does not mean "legacy format". The legacy formats flag encryption inside
//! their main stream: Word in the FIB (`fEncrypted`), Excel with a
//! `FILEPASS` record right after the workbook's BOF, PowerPoint with an
//! `EncryptedSummary` stream.

use std::io::{Cursor, Read};

use super::{DocType, DocumentError};

pub const MAGIC: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

type Ole<'a> = cfb::CompoundFile<Cursor<&'a [u8]>>;

fn open(bytes: &[u8]) -> Result<Ole<'_>, DocumentError> {
    cfb::CompoundFile::open(Cursor::new(bytes))
        .map_err(|e| DocumentError::Corrupt(format!("the compound file cannot be read ({e})")))
}

/// Which format an OLE file holds; encrypted OOXML is refused here.
pub fn sniff(bytes: &[u8]) -> Result<DocType, DocumentError> {
    let ole = open(bytes)?;
    if ole.is_stream("/EncryptionInfo") && ole.is_stream("/EncryptedPackage") {
        return Err(DocumentError::Encrypted);
    }
    if ole.is_stream("/WordDocument") {
        Ok(DocType::Doc)
    } else if ole.is_stream("/Workbook") || ole.is_stream("/Book") {
        Ok(DocType::Xls)
    } else if ole.is_stream("/PowerPoint Document") {
        Ok(DocType::Ppt)
    } else {
        Err(DocumentError::Unsupported)
    }
}

fn read_prefix(ole: &mut Ole<'_>, path: &str, max: u64) -> Result<Vec<u8>, DocumentError> {
    let stream = ole.open_stream(path).map_err(|e| DocumentError::Corrupt(format!("{path}: {e}")))?;
    let mut buf = Vec::new();
    stream.take(max).read_to_end(&mut buf).map_err(|e| DocumentError::Corrupt(format!("{path}: {e}")))?;
    Ok(buf)
}

/// Refuses password-protected legacy files.
pub fn check(bytes: &[u8], ty: DocType) -> Result<(), DocumentError> {
    let mut ole = open(bytes)?;
    let encrypted = match ty {
        DocType::Doc => {
            let fib = read_prefix(&mut ole, "/WordDocument", 32)?;
            // FibBase: wIdent 0xA5EC at 0; flags at 0x0A, fEncrypted = 0x0100.
            let flags = fib.get(0x0A..0x0C).map(|b| u16::from_le_bytes([b[0], b[1]]));
            flags.ok_or_else(|| DocumentError::Corrupt("short Word header".into()))? & 0x0100 != 0
        }
        DocType::Xls => {
            let path = if ole.is_stream("/Workbook") { "/Workbook" } else { "/Book" };
            has_filepass(&read_prefix(&mut ole, path, 64 * 1024)?)
        }
        DocType::Ppt => ole.is_stream("/EncryptedSummary"),
        _ => false,
    };
    if encrypted { Err(DocumentError::Encrypted) } else { Ok(()) }
}

/// Walks the first BIFF records of the workbook globals: FILEPASS (0x002F)
/// comes before any sheet data when the workbook is encrypted.
fn has_filepass(stream: &[u8]) -> bool {
    let mut at = 0usize;
    for _ in 0..64 {
        let Some(h) = stream.get(at..at + 4) else { return false };
        let (kind, len) = (u16::from_le_bytes([h[0], h[1]]), u16::from_le_bytes([h[2], h[3]]) as usize);
        match kind {
            0x002F => return true,
            0x0085 | 0x000A => return false, // BOUNDSHEET or EOF: past the point FILEPASS may appear
            _ => at += 4 + len,
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filepass_is_found_after_bof() {
        let mut s = vec![0x09, 0x08, 2, 0, 0, 0]; // BOF, 2 bytes
        s.extend([0x2F, 0x00, 0, 0]);
        assert!(has_filepass(&s));
        let plain = [0x09, 0x08, 0, 0, 0x85, 0x00, 0, 0, 0x2F, 0x00, 0, 0];
        assert!(!has_filepass(&plain));
    }
}
