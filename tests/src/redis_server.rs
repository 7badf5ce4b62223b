//! A private `redis-server` for tests that restart Redis: the shared one
//! serves every other test, so it is never restarted.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A `redis-server` without persistence on its own port; killed on drop.
#[derive(Debug)]
pub struct PrivateRedis {
    pub port: u16,
    child: Option<Child>,
}

impl PrivateRedis {
    pub fn start() -> Self {
        let mut r = Self { port: crate::procs::free_port(), child: None };
        r.spawn(true);
        r
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// Starts `redis-server` on `self.port`. A port chosen with
    /// `free_port` can be taken by another test before this server binds
    /// it; then the server exits at once, and a fresh port is tried (a
    /// connection alone could reach the other test's server).
    fn spawn(&mut self, may_move: bool) {
        for _ in 0..5 {
            let mut child = Command::new("redis-server")
                .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap_or_else(|e| panic!("redis-server: {e} (install Debian's redis-server)"));
            let start = Instant::now();
            while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
                if child.try_wait().ok().flatten().is_some() || start.elapsed() > Duration::from_secs(10) {
                    break;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            std::thread::sleep(Duration::from_millis(50));
            if child.try_wait().ok().flatten().is_none() {
                self.child = Some(child);
                return;
            }
            // A restart must come back on the same port: its clients know no other.
            assert!(may_move, "port {} was taken while Redis was down", self.port);
            self.port = crate::procs::free_port();
        }
        panic!("redis-server did not start");
    }

    /// SIGKILL, then start again on the same port, empty: what a Redis
    /// without persistence looks like after a crash.
    pub fn restart_empty(&mut self, down_for: Duration) {
        self.kill();
        std::thread::sleep(down_for);
        self.spawn(false);
    }

    fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Drop for PrivateRedis {
    fn drop(&mut self) {
        self.kill();
    }
}
