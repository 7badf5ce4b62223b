//! Container checks before conversion: zip bombs and encryption.
//!
//! The zip check inflates every entry and counts the bytes that actually
//! come out, against one budget for the whole archive. The sizes in the
//! central directory are not trusted: a bomb can claim 1 KB and inflate to
//! gigabytes. Inflating to a sink is fast (hundreds of MB/s) and uses no
//! memory, so the budget is the only thing that bounds the work.

use std::io::{Cursor, Read};

use serde::{Deserialize, Serialize};

use super::{DocType, DocumentError, ole};

/// Caps for archive-based formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ContainerLimits {
    /// Total inflated bytes of all entries of an OOXML/ODF archive.
    pub max_uncompressed_bytes: u64,
    /// Entries in one archive.
    pub max_entries: usize,
}

impl Default for ContainerLimits {
    fn default() -> Self {
        Self { max_uncompressed_bytes: 512 * 1024 * 1024, max_entries: 20_000 }
    }
}

/// Checks `bytes` (recognized as `ty`) for bombs and encryption. Formats
/// without a container pass (PDF encryption is the PDF engine's to find).
pub fn check_container(bytes: &[u8], ty: DocType, limits: &ContainerLimits) -> Result<(), DocumentError> {
    if ty.is_zip() {
        check_zip(bytes, limits)
    } else if ty.is_ole() {
        ole::check(bytes, ty)
    } else {
        Ok(())
    }
}

fn check_zip(bytes: &[u8], limits: &ContainerLimits) -> Result<(), DocumentError> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| DocumentError::Corrupt(format!("the archive cannot be read ({e})")))?;
    if zip.len() > limits.max_entries {
        return Err(DocumentError::TooManyEntries { limit: limits.max_entries });
    }
    let mut left = limits.max_uncompressed_bytes;
    for i in 0..zip.len() {
        let raw = zip.by_index_raw(i).map_err(|e| DocumentError::Corrupt(format!("entry {i}: {e}")))?;
        if raw.encrypted() {
            return Err(DocumentError::Encrypted);
        }
        drop(raw);
        let entry = zip.by_index(i).map_err(|e| DocumentError::Corrupt(format!("entry {i}: {e}")))?;
        let name = entry.name().map(|n| n.into_owned()).unwrap_or_default();
        let is_manifest = name == "META-INF/manifest.xml";
        let mut limited = entry.take(left.saturating_add(1));
        let n = if is_manifest {
            let mut text = Vec::new();
            let n = limited.read_to_end(&mut text).map_err(|e| DocumentError::Corrupt(format!("{name}: {e}")))?;
            // ODF encryption is declared per file in the manifest.
            if text.windows(15).any(|w| w == b"encryption-data") {
                return Err(DocumentError::Encrypted);
            }
            n as u64
        } else {
            std::io::copy(&mut limited, &mut std::io::sink())
                .map_err(|e| DocumentError::Corrupt(format!("{name}: {e}")))?
        };
        if n > left {
            return Err(DocumentError::TooLargeUncompressed { limit: limits.max_uncompressed_bytes });
        }
        left -= n;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn docx_with(entry_bytes: u64) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        let ct = r#"<Types><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#;
        w.start_file("[Content_Types].xml", opts).unwrap_or_else(|e| panic!("{e}"));
        w.write_all(ct.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
        w.start_file("word/document.xml", opts).unwrap_or_else(|e| panic!("{e}"));
        let chunk = vec![b' '; 1 << 20];
        let mut left = entry_bytes;
        while left > 0 {
            let n = left.min(chunk.len() as u64) as usize;
            w.write_all(&chunk[..n]).unwrap_or_else(|e| panic!("{e}"));
            left -= n as u64;
        }
        w.finish().unwrap_or_else(|e| panic!("{e}")).into_inner()
    }

    #[test]
    fn bombs_are_stopped_by_inflated_bytes() {
        let small = ContainerLimits { max_uncompressed_bytes: 4 << 20, max_entries: 10 };
        let ok = docx_with(1 << 20);
        assert_eq!(crate::documents::sniff(&ok), Ok(DocType::Docx));
        assert_eq!(check_container(&ok, DocType::Docx, &small), Ok(()));
        let bomb = docx_with(16 << 20);
        assert!(bomb.len() < 64 * 1024, "compresses well: {}", bomb.len());
        assert_eq!(
            check_container(&bomb, DocType::Docx, &small),
            Err(DocumentError::TooLargeUncompressed { limit: 4 << 20 })
        );
    }

    #[test]
    fn truncated_archives_are_corrupt() {
        let ok = docx_with(1000);
        let cut = &ok[..ok.len() / 2];
        assert!(matches!(
            check_container(cut, DocType::Docx, &ContainerLimits::default()),
            Err(DocumentError::Corrupt(_))
        ));
    }
}
