//! The sandbox's wire format: one request frame on the child's stdin, one
//! response frame on its stdout.
//!
//! A frame is `MEJS`, a protocol version (u32), a JSON header (u32 length +
//! bytes) and a list of binary blobs (u32 count, then u64 length + bytes
//! each), all little-endian. Binary data never goes through JSON: a 100 MB
//! PDF or 40 MP of pixels is copied once, not expanded fourfold.
//!
//! Why a version: the parent runs whatever `meeteasy` binary it finds, and a
//! stale one (an old build beside a new test binary) must be refused with a
//! clear message, not misread.

use std::io::{Read, Write};

/// Bumped whenever an op's header or blobs change shape.
pub const PROTOCOL: u32 = 1;
const MAGIC: &[u8; 4] = b"MEJS";

/// One request or response.
#[derive(Debug, Default)]
pub struct Frame {
    pub header: serde_json::Value,
    pub blobs: Vec<Vec<u8>>,
}

#[derive(Debug, thiserror::Error)]
pub enum FrameError {
    #[error("not a sandbox frame")]
    Magic,
    #[error("sandbox protocol {found}, this binary speaks {PROTOCOL}: rebuild `meeteasy` (or set sandbox.exe)")]
    Version { found: u32 },
    #[error("truncated frame")]
    Truncated,
    #[error("frame larger than {0} bytes")]
    TooLarge(u64),
    #[error("bad frame header: {0}")]
    Header(#[from] serde_json::Error),
    #[error("i/o: {0}")]
    Io(#[from] std::io::Error),
}

impl Frame {
    pub fn new(header: serde_json::Value, blobs: Vec<Vec<u8>>) -> Self {
        Self { header, blobs }
    }

    /// The frame's fixed part (everything up to the first blob's bytes), so
    /// that a caller can write the blobs without copying them into one buffer.
    pub fn prefix(&self) -> Result<Vec<u8>, FrameError> {
        let header = serde_json::to_vec(&self.header)?;
        let mut out = Vec::with_capacity(16 + header.len());
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&PROTOCOL.to_le_bytes());
        out.extend_from_slice(&len32(header.len())?.to_le_bytes());
        out.extend_from_slice(&header);
        out.extend_from_slice(&len32(self.blobs.len())?.to_le_bytes());
        Ok(out)
    }

    /// Writes the whole frame.
    pub fn write_to(&self, w: &mut impl Write) -> Result<(), FrameError> {
        w.write_all(&self.prefix()?)?;
        for blob in &self.blobs {
            w.write_all(&(blob.len() as u64).to_le_bytes())?;
            w.write_all(blob)?;
        }
        w.flush()?;
        Ok(())
    }

    /// Reads one frame of at most `max_bytes` in all. Every declared length
    /// is checked against what is left of that budget before anything is
    /// allocated for it.
    pub fn read_from(r: &mut impl Read, max_bytes: u64) -> Result<Frame, FrameError> {
        let mut budget = Budget(max_bytes);
        let mut magic = [0u8; 4];
        read_exact(r, &mut magic)?;
        if &magic != MAGIC {
            return Err(FrameError::Magic);
        }
        let version = read_u32(r)?;
        if version != PROTOCOL {
            return Err(FrameError::Version { found: version });
        }
        let header_len = budget.take(u64::from(read_u32(r)?))?;
        let header = read_vec(r, header_len)?;
        let header = serde_json::from_slice(&header)?;
        let count = read_u32(r)?;
        let mut blobs = Vec::new();
        for _ in 0..count {
            budget.take(8)?;
            let mut len = [0u8; 8];
            read_exact(r, &mut len)?;
            let len = budget.take(u64::from_le_bytes(len))?;
            blobs.push(read_vec(r, len)?);
        }
        Ok(Frame { header, blobs })
    }
}

struct Budget(u64);

impl Budget {
    fn take(&mut self, n: u64) -> Result<usize, FrameError> {
        if n > self.0 {
            return Err(FrameError::TooLarge(self.0));
        }
        self.0 -= n;
        usize::try_from(n).map_err(|_| FrameError::TooLarge(self.0))
    }
}

fn len32(n: usize) -> Result<u32, FrameError> {
    u32::try_from(n).map_err(|_| FrameError::TooLarge(u64::from(u32::MAX)))
}

fn read_exact(r: &mut impl Read, buf: &mut [u8]) -> Result<(), FrameError> {
    r.read_exact(buf).map_err(|e| match e.kind() {
        std::io::ErrorKind::UnexpectedEof => FrameError::Truncated,
        _ => FrameError::Io(e),
    })
}

fn read_u32(r: &mut impl Read) -> Result<u32, FrameError> {
    let mut b = [0u8; 4];
    read_exact(r, &mut b)?;
    Ok(u32::from_le_bytes(b))
}

fn read_vec(r: &mut impl Read, len: usize) -> Result<Vec<u8>, FrameError> {
    let mut out = Vec::new();
    r.take(len as u64).read_to_end(&mut out)?;
    if out.len() != len {
        return Err(FrameError::Truncated);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let f = Frame::new(serde_json::json!({"op": "x", "n": 3}), vec![vec![1, 2, 3], Vec::new()]);
        let mut buf = Vec::new();
        f.write_to(&mut buf).expect("write");
        let back = Frame::read_from(&mut buf.as_slice(), 1 << 20).expect("read");
        assert_eq!(back.header, f.header);
        assert_eq!(back.blobs, f.blobs);
    }

    #[test]
    fn refuses_declared_lengths_over_the_budget_before_allocating() {
        let f = Frame::new(serde_json::json!({}), vec![vec![0; 100]]);
        let mut buf = Vec::new();
        f.write_to(&mut buf).expect("write");
        assert!(matches!(Frame::read_from(&mut buf.as_slice(), 50), Err(FrameError::TooLarge(_))));
        // A lying length with a tiny body: refused by the budget, not allocated.
        let mut lie = f.prefix().expect("prefix");
        lie.extend_from_slice(&(u64::MAX / 2).to_le_bytes());
        assert!(matches!(Frame::read_from(&mut lie.as_slice(), 1 << 30), Err(FrameError::TooLarge(_))));
        // A short body is a truncation.
        let cut = &buf[..buf.len() - 10];
        assert!(matches!(Frame::read_from(&mut &cut[..], 1 << 20), Err(FrameError::Truncated)));
    }

    #[test]
    fn refuses_another_protocol() {
        let mut buf = Vec::new();
        Frame::default().write_to(&mut buf).expect("write");
        buf[4] = 99;
        assert!(matches!(Frame::read_from(&mut buf.as_slice(), 1 << 20), Err(FrameError::Version { found: 99 })));
        buf[0] = b'X';
        assert!(matches!(Frame::read_from(&mut buf.as_slice(), 1 << 20), Err(FrameError::Magic)));
    }
}
