//! A zip bomb disguised as a `.docx`.
//!
//! The file is a complete, valid Word package whose `word/document.xml` is
//! `decompressed_bytes` long: a real paragraph followed by whitespace up to
//! the requested size, then the closing tags. It is therefore well-formed
//! XML all the way through, so a converter that does not cap the inflated
//! size really has to chew through all of it, and a sniffer sees nothing
//! wrong in the first kilobytes. The sizes in the zip headers are honest;
//! the defence under test is a cap on what the central directory declares
//! and on what actually inflates.
//!
//! The padding is deflated 1 MiB at a time through the zip crate's
//! streaming writer, so a 1 GiB bomb never sits in memory and compresses to
//! about a megabyte. Generation costs what deflating 1 GiB costs: about
//! 0.6 s with zlib-rs optimised, several seconds at the dev profile's
//! `opt-level = 1` for dependencies.

use std::io::Write;

use super::docx::{DOCUMENT_TAIL, document_head, styles_xml};
use super::ooxml::{
    CT_APP, CT_CORE, REL_STYLES, app_properties, content_types, core_properties, relationships, root_relationships,
};
use super::package::Package;
use super::{DocMeta, must};

const CHUNK: usize = 1 << 20;
/// Deflate level 2: as small as level 9 on a run of one byte (about
/// 1,000:1) and the fastest level that gets there; level 1 is ten times
/// bigger.
const LEVEL: i64 = 2;
const PARAGRAPH: &str = "<w:p><w:r><w:t>Quarterly planning</w:t></w:r></w:p>";

/// A `.docx` whose `word/document.xml` inflates to `decompressed_bytes`
/// (or to its minimal skeleton, a few hundred bytes, if that is larger).
/// Sizes of 4 GiB and more are written as zip64 entries.
pub fn zip_bomb_docx(decompressed_bytes: u64) -> Vec<u8> {
    let head = format!("{}{PARAGRAPH}", document_head());
    let skeleton = (head.len() + DOCUMENT_TAIL.len()) as u64;
    let mut padding = decompressed_bytes.saturating_sub(skeleton);

    let mut package = Package::new();
    package
        .deflated(
            "[Content_Types].xml",
            content_types(&[
                (
                    "/word/document.xml".into(),
                    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
                ),
                (
                    "/word/styles.xml".into(),
                    "application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml",
                ),
                ("/docProps/core.xml".into(), CT_CORE),
                ("/docProps/app.xml".into(), CT_APP),
            ])
            .as_bytes(),
        )
        .deflated("_rels/.rels", root_relationships("word/document.xml").as_bytes())
        .deflated(
            "word/_rels/document.xml.rels",
            relationships(&[("rId1".into(), REL_STYLES, "styles.xml".into())]).as_bytes(),
        )
        .deflated("word/styles.xml", styles_xml().as_bytes())
        .deflated("docProps/core.xml", core_properties(&DocMeta::default()).as_bytes())
        .deflated("docProps/app.xml", app_properties().as_bytes());

    let large = decompressed_bytes >= u64::from(u32::MAX);
    let writer = package.start_streamed("word/document.xml", LEVEL, large);
    must(writer.write_all(head.as_bytes()), "write document head");
    let spaces = vec![b' '; CHUNK];
    while padding > 0 {
        let n = padding.min(CHUNK as u64) as usize;
        must(writer.write_all(&spaces[..n]), "write padding");
        padding -= n as u64;
    }
    must(writer.write_all(DOCUMENT_TAIL.as_bytes()), "write document tail");
    package.finish()
}
