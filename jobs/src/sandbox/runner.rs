//! The parent side: runs an [`Op`] in a fresh, limited child process and
//! turns whatever happened to it into a classified [`JobFailure`].
//!
//! Why a process per call, not a long-lived helper: an abort, a runaway
//! allocation or a stuck loop then costs exactly one attempt of one job, and
//! there is no shared parser state for one upload to poison for the next.
//! Starting the child costs a few milliseconds; the parses it hosts cost
//! tens to thousands.
//!
//! Cancellation reaches the child: it is spawned with `kill_on_drop`, so
//! when a job's deadline drops the future (or the job is cancelled) the
//! child is killed, not left running beside the retry.

use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::child::{CHILD_ARG, EXIT_PROTOCOL, answer_of};
use super::exec::{Answer, execute};
use super::frame::Frame;
use super::op::Op;
use super::settings::SandboxSettings;
use crate::JobFailure;

/// How untrusted bytes are parsed on this process.
#[derive(Debug)]
pub struct Sandbox {
    mode: Mode,
    settings: SandboxSettings,
}

#[derive(Debug)]
enum Mode {
    Process(PathBuf),
    InProcess,
}

/// What became of one child, before it is mapped to a job failure.
#[derive(Debug, PartialEq)]
enum Ending {
    /// Ran past `wall_secs` and was killed.
    WallClock,
    /// Killed by SIGKILL or SIGXCPU: the CPU limit (or the host's OOM killer).
    CpuLimit,
    /// An allocation failed under the address-space limit.
    Memory,
    /// Any other crash: a panic, SIGSEGV, SIGABRT without an allocation message.
    Crash(String),
    /// Not the input's fault: the binary is missing or speaks another protocol.
    Infrastructure(String),
}

impl Sandbox {
    pub fn new(settings: &SandboxSettings) -> Arc<Self> {
        let mode = if !settings.isolate {
            tracing::warn!("sandbox.isolate = false: uploads are parsed inside this process");
            Mode::InProcess
        } else {
            match settings.exe.clone().or_else(find_exe) {
                Some(exe) => Mode::Process(exe),
                None => {
                    tracing::warn!(
                        "no `meeteasy` binary found for the parser sandbox: uploads are parsed inside this \
                         process (set sandbox.exe)"
                    );
                    Mode::InProcess
                }
            }
        };
        Arc::new(Self { mode, settings: settings.clone() })
    }

    /// Whether parsing happens in child processes.
    pub fn isolated(&self) -> bool {
        matches!(self.mode, Mode::Process(_))
    }

    /// Runs `op` on `blobs`; a refusal or a crash is a classified failure.
    pub async fn run(&self, op: Op, blobs: Vec<Vec<u8>>) -> Result<Answer, JobFailure> {
        let name = op.name();
        let started = Instant::now();
        let result = match &self.mode {
            Mode::InProcess => tokio::task::spawn_blocking(move || execute(op, blobs).map_err(JobFailure::from))
                .await
                .map_err(|_| JobFailure::retry("job.panicked", "a parser crashed"))?,
            Mode::Process(exe) => {
                let limit_code = op.limit_code();
                match self.in_child(exe, op, blobs).await {
                    Ok(Ok(answer)) => Ok(answer),
                    Ok(Err(refusal)) => Err(JobFailure::from(refusal)),
                    Err(ending) => Err(self.failure_of(name, limit_code, ending)),
                }
            }
        };
        let outcome = match &result {
            Ok(_) => "ok",
            Err(JobFailure::Abort { code, .. }) if code.ends_with("resource_limit") => "limit",
            Err(_) => "refused",
        };
        metrics::counter!("meeteasy_sandbox_runs_total", "op" => name, "outcome" => outcome).increment(1);
        metrics::histogram!("meeteasy_sandbox_seconds", "op" => name).record(started.elapsed().as_secs_f64());
        result
    }

    async fn in_child(
        &self,
        exe: &Path,
        op: Op,
        blobs: Vec<Vec<u8>>,
    ) -> Result<Result<Answer, super::op::Refusal>, Ending> {
        let header = serde_json::to_value(&op).map_err(|e| Ending::Infrastructure(e.to_string()))?;
        let request = Frame::new(header, Vec::new());
        let prefix = request.prefix().map_err(|e| Ending::Infrastructure(e.to_string()))?;
        let prefix = patch_blob_count(prefix, blobs.len());
        let mut child = tokio::process::Command::new(exe)
            .arg(CHILD_ARG)
            .arg(self.settings.memory_mb.max(64).to_string())
            .arg(self.settings.cpu_secs.max(1).to_string())
            .env_clear()
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| Ending::Infrastructure(format!("cannot start {}: {e}", exe.display())))?;
        let (Some(mut stdin), Some(mut stdout), Some(mut stderr)) =
            (child.stdin.take(), child.stdout.take(), child.stderr.take())
        else {
            return Err(Ending::Infrastructure("the child has no pipes".into()));
        };
        let writer = async move {
            // A child that dies early closes its stdin: the write fails, and
            // the exit status tells why.
            let _ = async {
                stdin.write_all(&prefix).await?;
                for blob in &blobs {
                    stdin.write_all(&(blob.len() as u64).to_le_bytes()).await?;
                    stdin.write_all(blob).await?;
                }
                stdin.shutdown().await
            }
            .await;
        };
        let max_answer = self.settings.memory_mb.saturating_mul(1024 * 1024);
        let reader = async move {
            let mut out = Vec::new();
            let _ = (&mut stdout).take(max_answer).read_to_end(&mut out).await;
            out
        };
        let errors = async move {
            let mut err = Vec::new();
            let _ = (&mut stderr).take(16 * 1024).read_to_end(&mut err).await;
            err
        };
        let wall = Duration::from_secs(self.settings.wall_secs.max(1));
        let run = async {
            let ((), out, err) = tokio::join!(writer, reader, errors);
            let status = child.wait().await;
            (out, err, status)
        };
        let (out, err, status) = match tokio::time::timeout(wall, run).await {
            Ok(done) => done,
            Err(_) => return Err(Ending::WallClock),
        };
        let status = status.map_err(|e| Ending::Infrastructure(e.to_string()))?;
        let stderr = String::from_utf8_lossy(&err);
        if status.success() {
            let frame = Frame::read_from(&mut out.as_slice(), max_answer.saturating_add(1024))
                .map_err(|e| Ending::Infrastructure(format!("unreadable answer: {e}")))?;
            return answer_of(frame).map(Ok).or_else(|e| match e {
                Ok(refusal) => Ok(Err(refusal)),
                Err(why) => Err(Ending::Infrastructure(why)),
            });
        }
        Err(classify(status, &stderr))
    }

    fn failure_of(&self, op: &str, limit_code: &str, ending: Ending) -> JobFailure {
        let mb = self.settings.memory_mb;
        let message = match &ending {
            Ending::WallClock => format!("parsing took longer than {} s and was stopped", self.settings.wall_secs),
            Ending::CpuLimit => {
                format!("parsing used more than {} s of CPU time and was stopped", self.settings.cpu_secs)
            }
            Ending::Memory => format!("parsing needed more than {mb} MiB of memory and was stopped"),
            Ending::Crash(_) => "the parser crashed on this file".to_string(),
            Ending::Infrastructure(why) => {
                tracing::error!(op, error = %why, "the parser sandbox is not working");
                return JobFailure::retry("sandbox.unavailable", "the parser sandbox could not run");
            }
        };
        tracing::warn!(op, ending = ?ending, "a parser child was stopped; the input is refused");
        JobFailure::abort(limit_code, message)
    }
}

/// The request prefix says 0 blobs (it was built without them); the blobs
/// are streamed after it, so their count is patched in.
fn patch_blob_count(mut prefix: Vec<u8>, count: usize) -> Vec<u8> {
    let n = prefix.len();
    if n >= 4 {
        prefix[n - 4..].copy_from_slice(&(count as u32).to_le_bytes());
    }
    prefix
}

fn classify(status: std::process::ExitStatus, stderr: &str) -> Ending {
    const SIGABRT: i32 = 6;
    const SIGKILL: i32 = 9;
    const SIGXCPU: i32 = 24;
    if stderr.contains("memory allocation of") || stderr.contains("capacity overflow") {
        return Ending::Memory;
    }
    match (status.signal(), status.code()) {
        (Some(SIGKILL | SIGXCPU), _) => Ending::CpuLimit,
        (Some(SIGABRT), _) if stderr.contains("alloc") => Ending::Memory,
        (Some(sig), _) => Ending::Crash(format!("signal {sig}")),
        (None, Some(code)) if code == i32::from(EXIT_PROTOCOL) => Ending::Infrastructure(stderr.trim().to_string()),
        (None, code) => Ending::Crash(format!("exit {code:?}: {}", tail(stderr))),
    }
}

fn tail(s: &str) -> &str {
    let s = s.trim();
    let start = s.len().saturating_sub(300);
    let start = (start..=s.len()).find(|i| s.is_char_boundary(*i)).unwrap_or(s.len());
    &s[start..]
}

/// This process's own binary when it is `meeteasy`; for a test binary in
/// `target/*/deps/`, the `meeteasy` built beside it.
fn find_exe() -> Option<PathBuf> {
    let me = std::env::current_exe().ok()?;
    if me.file_stem().is_some_and(|s| s == "meeteasy") {
        return Some(me);
    }
    let dir = me.parent()?;
    [dir.join("meeteasy"), dir.parent()?.join("meeteasy")].into_iter().find(|p| p.is_file())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_child_endings() {
        use std::process::ExitStatus;
        let signal = |s: i32| ExitStatus::from_raw(s);
        let exit = |c: i32| ExitStatus::from_raw(c << 8);
        assert_eq!(classify(signal(6), "memory allocation of 68719476736 bytes failed\n"), Ending::Memory);
        assert_eq!(classify(signal(9), ""), Ending::CpuLimit);
        assert_eq!(classify(signal(24), ""), Ending::CpuLimit);
        assert!(matches!(classify(signal(11), ""), Ending::Crash(_)));
        assert!(matches!(classify(exit(101), "thread 'main' panicked"), Ending::Crash(_)));
        assert!(matches!(classify(exit(3), "sandbox protocol 2"), Ending::Infrastructure(_)));
    }
}
