//! What an upload *is*, decided from its bytes, and the container checks
//! that run before any parser or LibreOffice sees it.
//!
//! Why magic bytes and never the name: clients lie, by accident (a PDF saved
//! as `.docx`) and on purpose. The type decides which engine runs, so it must
//! come from the content. Office files are containers (OOXML and ODF are zip
//! archives, legacy Office is an OLE2 compound file), so "which Office
//! format" means looking at the container's entry names, not just its first
//! four bytes.
//!
//! Why check containers ourselves: LibreOffice will happily inflate a 40 KB
//! "docx" into gigabytes, and asks for a password (hangs, headless) on an
//! encrypted file. [`check_container`] inflates every zip entry with a
//! running budget (so a lying central directory does not help a bomb) and
//! recognizes the encryption markers of OOXML, ODF and Word/Excel 97, so
//! those fail fast with a clear code instead of tying up a LibreOffice slot.

mod container;
mod error;
mod kind;
mod ole;
mod sniff;

pub use container::{ContainerLimits, check_container};
pub use error::DocumentError;
pub use kind::{DocFamily, DocType};
pub use sniff::sniff;
