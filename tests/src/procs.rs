//! Real `meeteasy` processes, for tests that kill workers or restart the
//! embedded server.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The built binary: `MEETEASY_BIN`, or `target/debug/meeteasy` of this
/// workspace (scripts/test.sh builds it first).
pub fn binary() -> PathBuf {
    if let Ok(p) = std::env::var("MEETEASY_BIN") {
        return PathBuf::from(p);
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let target = std::env::var("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|_| root.join("target"));
    let bin = target.join("debug").join("meeteasy");
    assert!(
        bin.is_file(),
        "{} is missing: build it with `cargo build -p meeteasy-api` (scripts/test.sh does)",
        bin.display()
    );
    bin
}

/// A child process that is killed when dropped.
#[derive(Debug)]
pub struct Proc {
    pub child: Child,
}

impl Proc {
    pub fn spawn(args: &[&str], env: &[(&str, String)]) -> Self {
        let mut cmd = Command::new(binary());
        cmd.args(args).stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::inherit()).env("RUST_LOG", "warn");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = cmd.spawn().unwrap_or_else(|e| panic!("spawning meeteasy {args:?}: {e}"));
        Proc { child }
    }

    /// SIGKILL: no shutdown, no cleanup, exactly like a crashed host.
    pub fn kill9(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// SIGTERM, then wait for the exit status.
    pub fn terminate(&mut self, within: Duration) -> Option<std::process::ExitStatus> {
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        let start = Instant::now();
        while start.elapsed() < within {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        None
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A free loopback port (bound then released).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("free port: {e}"))
}

/// Waits until `GET url` answers 200.
pub async fn wait_healthy(url: &str, within: Duration) {
    let start = Instant::now();
    let client = crate::http_client();
    while start.elapsed() < within {
        if let Ok(r) = client.get(url).send().await
            && r.status().is_success()
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{url} did not become healthy within {within:?}");
}
