//! Deterministic zip packages, the container of OOXML and ODF files.
//!
//! Both formats are zip archives with a few rules of their own: ODF wants
//! its `mimetype` entry first and stored (uncompressed) so that `file(1)`
//! and LibreOffice can sniff it at a fixed offset; OOXML only wants the
//! parts. Every entry gets the same fixed timestamp, so a fixture's bytes
//! depend on its arguments only.

use std::io::{Cursor, Write};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

use super::must;

/// A zip archive written into memory.
pub(crate) struct Package {
    writer: ZipWriter<Cursor<Vec<u8>>>,
}

impl Package {
    pub(crate) fn new() -> Self {
        Self { writer: ZipWriter::new(Cursor::new(Vec::new())) }
    }

    /// Adds an uncompressed entry (ODF's `mimetype`).
    pub(crate) fn stored(&mut self, name: &str, data: &[u8]) -> &mut Self {
        self.add(name, data, options(CompressionMethod::Stored))
    }

    /// Adds a deflated entry.
    pub(crate) fn deflated(&mut self, name: &str, data: &[u8]) -> &mut Self {
        self.add(name, data, options(CompressionMethod::Deflated))
    }

    /// Starts a deflated entry whose contents the caller streams in through
    /// the returned writer, so a huge entry never sits in memory whole.
    /// `level` is the deflate level; `large` turns on zip64 sizes, needed
    /// when the entry reaches 4 GiB.
    pub(crate) fn start_streamed(&mut self, name: &str, level: i64, large: bool) -> &mut impl Write {
        let options = options(CompressionMethod::Deflated).compression_level(Some(level)).large_file(large);
        must(self.writer.start_file(name, options), "start zip entry");
        &mut self.writer
    }

    pub(crate) fn finish(self) -> Vec<u8> {
        must(self.writer.finish(), "finish zip").into_inner()
    }

    fn add(&mut self, name: &str, data: &[u8], options: SimpleFileOptions) -> &mut Self {
        must(self.writer.start_file(name, options), "start zip entry");
        must(self.writer.write_all(data), "write zip entry");
        self
    }
}

fn options(method: CompressionMethod) -> SimpleFileOptions {
    SimpleFileOptions::default()
        .compression_method(method)
        .last_modified_time(DateTime::default())
        .unix_permissions(0o644)
}
