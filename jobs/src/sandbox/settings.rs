//! `[sandbox]` in `meeteasy.toml`: how parser children are limited.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SandboxSettings {
    /// Parse untrusted bytes in a child process (default). `false` parses
    /// in the worker itself: a crafted file can then take the worker down.
    /// Only for debugging a parser under a debugger.
    pub isolate: bool,
    /// The `meeteasy` binary to run as the child. Default: this process's
    /// own binary (or, for test binaries, `meeteasy` beside them).
    pub exe: Option<PathBuf>,
    /// Address-space limit of a child, in MiB. A parser that asks for more
    /// fails its allocation and the child aborts; the job ends `dead` with a
    /// `*.resource_limit` (audio: `audio.corrupt`) code.
    pub memory_mb: u64,
    /// CPU-time limit of a child, in seconds.
    pub cpu_secs: u64,
    /// Wall-clock limit of a child, in seconds (it is killed after that).
    pub wall_secs: u64,
}

impl Default for SandboxSettings {
    /// 2 GiB: a 100 MB PDF parses and rewrites in well under 1 GiB, and 40 MP
    /// of 16-bit RGBA (the largest image the caps admit) decodes in 320 MB.
    fn default() -> Self {
        Self { isolate: true, exe: None, memory_mb: 2048, cpu_secs: 240, wall_secs: 300 }
    }
}
