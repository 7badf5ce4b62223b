//! A store that stops answering: requests fail fast with `503` instead of
//! hanging, and recover when it answers again. The MongoDB wire server is a
//! private one, stopped with SIGSTOP (the shared one serves other tests).

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use meeteasy_models::auth::Role;
use meeteasy_tests::app::assert_error;
use meeteasy_tests::smtp::python;
use meeteasy_tests::{Backend, TestApp};

struct PrivateMongo {
    child: Child,
    port: u16,
    _log: tempfile::NamedTempFile,
}

impl PrivateMongo {
    /// `secantusd-py` from the venv of the test Python, in memory, on a
    /// port it picks itself (read back from its log: a port chosen here
    /// could be taken by another test's server before this one binds it).
    fn start() -> Self {
        let py = std::path::PathBuf::from(python());
        let server = py.parent().map(|d| d.join("secantusd-py")).unwrap_or_default();
        let log = tempfile::NamedTempFile::new().unwrap_or_else(|e| panic!("{e}"));
        let out = log.reopen().unwrap_or_else(|e| panic!("{e}"));
        let mut child = Command::new(&server)
            .args(["--host", "127.0.0.1", "--port", "0", "--storage-path", ":memory:", "--standalone"])
            .args(["--log-level", "INFO"])
            .stdout(Stdio::null())
            .stderr(Stdio::from(out))
            .spawn()
            .unwrap_or_else(|e| panic!("{}: {e}", server.display()));
        let start = Instant::now();
        loop {
            let text = std::fs::read_to_string(log.path()).unwrap_or_default();
            let port = text
                .lines()
                .find_map(|l| l.split("secantus listening on 127.0.0.1:").nth(1))
                .and_then(|p| p.trim().parse::<u16>().ok());
            if let Some(port) = port {
                return Self { child, port, _log: log };
            }
            assert!(child.try_wait().ok().flatten().is_none(), "secantusd-py exited: {text}");
            assert!(start.elapsed() < Duration::from_secs(30), "secantusd-py did not start: {text}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn signal(&self, sig: &str) {
        let status = Command::new("kill").args([sig, &self.child.id().to_string()]).status();
        assert!(status.is_ok_and(|s| s.success()), "kill {sig}");
        // `kill` returns once the signal is queued; on a loaded machine the
        // server may run on a moment longer. Wait until every thread of it
        // is stopped, so the next request really meets a stopped store.
        if sig == "-STOP" {
            let tasks = format!("/proc/{}/task", self.child.id());
            for _ in 0..200 {
                let stopped = std::fs::read_dir(&tasks).map(|d| {
                    d.flatten().all(|t| {
                        let stat = std::fs::read_to_string(t.path().join("stat")).unwrap_or_default();
                        // The state follows the parenthesized command name.
                        stat.rsplit_once(") ").is_some_and(|(_, rest)| rest.starts_with('T') || rest.starts_with('t'))
                    })
                });
                if stopped.unwrap_or(false) {
                    return;
                }
                std::thread::sleep(Duration::from_millis(10));
            }
            panic!("the store did not stop");
        }
    }
}

impl Drop for PrivateMongo {
    fn drop(&mut self) {
        self.signal("-CONT");
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_that_stops_answering_fails_requests_fast() {
    let mongo = PrivateMongo::start();
    let url = format!("mongodb://127.0.0.1:{}/timeouts", mongo.port);
    let app = TestApp::spawn_with(Backend::Scaled, false, move |s| {
        s.mongodb_url = url;
        s.store.op_timeout_secs = 1;
    })
    .await;
    let t = app.token("acme", Role::Organizer);
    assert_eq!(app.get("/v1/jobs", &t).await.status().as_u16(), 200);

    mongo.signal("-STOP");
    let started = Instant::now();
    assert_error(app.get("/v1/jobs", &t).await, 503, "service.unavailable").await;
    assert!(started.elapsed() < Duration::from_secs(5), "answered after {:?}", started.elapsed());

    mongo.signal("-CONT");
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if app.get("/v1/jobs", &t).await.status().as_u16() == 200 {
            break;
        }
        assert!(Instant::now() < deadline, "the store never came back");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Whatever a request waits on, it has a deadline: here the store's own
/// deadline is longer than the request's, so the request's fires first.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_request_has_a_deadline() {
    let mongo = PrivateMongo::start();
    let url = format!("mongodb://127.0.0.1:{}/deadline", mongo.port);
    let app = TestApp::spawn_with(Backend::Scaled, false, move |s| {
        s.mongodb_url = url;
        s.store.op_timeout_secs = 20;
        s.limits.request_timeout_secs = 1;
    })
    .await;
    let t = app.token("acme", Role::Organizer);
    assert_eq!(app.get("/v1/jobs", &t).await.status().as_u16(), 200);
    mongo.signal("-STOP");
    let started = Instant::now();
    assert_error(app.get("/v1/jobs", &t).await, 504, "request.timeout").await;
    assert!(started.elapsed() < Duration::from_secs(5), "answered after {:?}", started.elapsed());
}
