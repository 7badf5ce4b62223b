//! One running LibreOffice: the bridge process, its soffice, and the pipes
//! the worker talks to them through.
//!
//! The bridge is spawned in a process group of its own (`process_group(0)`)
//! and soffice inherits it, so "kill the instance" is one `killpg(SIGKILL)`
//! that cannot miss a grandchild, whatever state the bridge is in (a hung
//! UNO call, a sleep, a half-written reply). The group is killed while its
//! leader has not been reaped yet, so its id cannot have been reused.
//! Belt and braces: soffice also carries PR_SET_PDEATHSIG (set by the
//! bridge), the bridge exits when its stdin closes (the worker died), and
//! the tokio child is `kill_on_drop`.
//!
//! Everything here is async (tokio process and pipes), so a slow or hung
//! instance never blocks a runtime thread.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use nix::sys::signal::{Signal, killpg};
use nix::unistd::Pid;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, ChildStdin, ChildStdout, Command};

use super::error::OfficeError;
use super::isolation::UNSHARE;
use super::preflight::DEBIAN_PACKAGES;
use super::protocol::{MAX_LINE, Ready, Reply, Request};
use super::workdir::SlotDirs;

/// Extra time the worker grants the bridge beyond its own start timeout,
/// so the bridge's more precise error ("did not accept a connection") wins.
const START_MARGIN: Duration = Duration::from_secs(5);
/// How long a killed bridge may take to be reaped.
const REAP_WAIT: Duration = Duration::from_secs(5);

/// How to start instances; the same for every slot of a pool.
#[derive(Debug, Clone)]
pub(crate) struct InstanceConfig {
    pub python: PathBuf,
    pub soffice: PathBuf,
    pub isolated: bool,
    pub start_timeout: Duration,
    pub shutdown_grace: Duration,
    pub fault_injection: bool,
    /// Makes pipe names unique to this pool (process id + pool number).
    pub pool_tag: String,
}

/// What a started instance told us about itself.
#[derive(Debug, Clone)]
pub(crate) struct Started {
    pub bridge_pid: Option<u32>,
    pub soffice_pid: Option<u32>,
    pub version: Option<String>,
    pub macro_security_level: Option<i64>,
    pub macros_disabled: Option<bool>,
}

#[derive(Debug)]
pub(crate) struct Instance {
    child: Child,
    /// The process group (the bridge's pid); `None` once killed.
    group: Option<Pid>,
    stdin: Option<ChildStdin>,
    stdout: BufReader<ChildStdout>,
    pipe: String,
    /// The socket file LibreOffice makes for `pipe`.
    pipe_socket: Option<PathBuf>,
    next_id: u64,
    pub started: Started,
}

impl Instance {
    /// Writes the slot's files, spawns the bridge and waits for its ready
    /// line. Errors are `office.start_failed`.
    pub(crate) async fn start(
        config: &InstanceConfig,
        dirs: &SlotDirs,
        slot: usize,
        generation: u64,
    ) -> Result<Self, OfficeError> {
        dirs.prepare()
            .await
            .map_err(|e| OfficeError::start_failed(format!("cannot prepare {}: {e}", dirs.root.display())))?;
        let pipe = format!("meeteasy-{}-{slot}-{generation}", config.pool_tag);
        let mut command = if config.isolated {
            let mut c = Command::new(UNSHARE);
            c.args(["--net", "--"]).arg(&config.python);
            c
        } else {
            Command::new(&config.python)
        };
        command
            .arg(&dirs.bridge)
            .arg("--soffice")
            .arg(&config.soffice)
            .arg("--profile")
            .arg(&dirs.profile)
            .arg("--pipe")
            .arg(&pipe)
            .arg("--start-timeout")
            .arg(config.start_timeout.as_secs_f64().to_string())
            .arg("--shutdown-grace")
            .arg((config.shutdown_grace.as_secs_f64() / 3.0).to_string());
        if config.fault_injection {
            command.arg("--fault-injection");
        }
        command
            .current_dir(&dirs.root)
            .env_remove("PYTHONHOME")
            .env("PYTHONDONTWRITEBYTECODE", "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .process_group(0);
        let mut child = command.spawn().map_err(|e| {
            OfficeError::start_failed(format!("cannot run the bridge with {}: {e}", config.python.display()))
        })?;
        let group = child.id().and_then(|id| i32::try_from(id).ok()).map(Pid::from_raw);
        let (Some(stdin), Some(stdout), Some(stderr)) = (child.stdin.take(), child.stdout.take(), child.stderr.take())
        else {
            return Err(OfficeError::start_failed("the bridge's pipes are missing"));
        };
        tokio::spawn(log_stderr(stderr, slot));
        let bridge_pid = child.id();
        let mut instance = Self {
            child,
            group,
            stdin: Some(stdin),
            stdout: BufReader::new(stdout),
            pipe_socket: pipe_socket_path(dirs, &pipe),
            pipe,
            next_id: 0,
            started: Started {
                bridge_pid,
                soffice_pid: None,
                version: None,
                macro_security_level: None,
                macros_disabled: None,
            },
        };
        let limit = config.start_timeout + START_MARGIN;
        let line = match tokio::time::timeout(limit, instance.read_line()).await {
            Ok(Ok(line)) => line,
            Ok(Err(why)) => {
                instance.kill_and_reap().await;
                return Err(OfficeError::start_failed(format!(
                    "the bridge stopped before LibreOffice was ready ({why}); its stderr is in the log"
                )));
            }
            Err(_) => {
                instance.kill_and_reap().await;
                return Err(OfficeError::start_failed(format!(
                    "LibreOffice was not ready within {}s",
                    limit.as_secs()
                )));
            }
        };
        let ready: Ready = match serde_json::from_str(&line) {
            Ok(ready) => ready,
            Err(e) => {
                instance.kill_and_reap().await;
                return Err(OfficeError::start_failed(format!(
                    "the bridge's ready line is garbled ({e}): {line:.200}"
                )));
            }
        };
        if !ready.ready {
            instance.kill_and_reap().await;
            let detail = ready.detail.unwrap_or_default();
            let hint = match ready.error.as_deref() {
                Some("uno_missing") => " (install the Debian package python3-uno)".to_string(),
                Some("soffice_missing") => format!(" (install the Debian packages {DEBIAN_PACKAGES})"),
                _ => String::new(),
            };
            return Err(OfficeError::start_failed(format!(
                "{}: {detail}{hint}",
                ready.error.as_deref().unwrap_or("not ready")
            )));
        }
        instance.started.soffice_pid = ready.soffice_pid;
        instance.started.version = ready.version;
        instance.started.macro_security_level = ready.macro_security_level;
        instance.started.macros_disabled = ready.macros_disabled;
        Ok(instance)
    }

    /// Sends one conversion request and reads its reply. `Err` means the
    /// bridge itself failed (gone, garbled): the instance must be killed.
    /// Not cancel-safe by design: the caller marks the slot in flight first,
    /// and an abandoned request kills the instance.
    pub(crate) async fn convert(&mut self, input: &Path, output: &Path) -> Result<Reply, String> {
        self.next_id += 1;
        let id = self.next_id;
        let mut line = serde_json::to_vec(&Request { id, input, output }).map_err(|e| e.to_string())?;
        line.push(b'\n');
        let stdin = self.stdin.as_mut().ok_or("the bridge's input is closed")?;
        stdin.write_all(&line).await.map_err(|e| format!("cannot write to the bridge: {e}"))?;
        stdin.flush().await.map_err(|e| format!("cannot write to the bridge: {e}"))?;
        let text = self.read_line().await?;
        let reply: Reply =
            serde_json::from_str(&text).map_err(|e| format!("garbled reply from the bridge ({e}): {text:.200}"))?;
        if reply.id != Some(id) {
            return Err(format!("the bridge answered request {:?} while {id} was pending", reply.id));
        }
        Ok(reply)
    }

    /// Whether the bridge has exited on its own (it does when its soffice
    /// dies). Kills what is left of the group if so.
    pub(crate) fn has_exited(&mut self) -> bool {
        match self.child.try_wait() {
            Ok(None) => false,
            Ok(Some(_)) | Err(_) => {
                self.kill();
                true
            }
        }
    }

    /// SIGKILLs the whole process group, now. Safe to call from `Drop`.
    pub(crate) fn kill(&mut self) {
        if let Some(group) = self.group.take() {
            if let Err(e) = killpg(group, Signal::SIGKILL)
                && e != nix::errno::Errno::ESRCH
            {
                tracing::warn!(group = group.as_raw(), error = %e, "office: cannot kill the instance");
            }
            if let Some(socket) = &self.pipe_socket {
                let _ = std::fs::remove_file(socket);
            }
        }
        let _ = self.child.start_kill();
    }

    pub(crate) async fn kill_and_reap(&mut self) {
        self.kill();
        let _ = tokio::time::timeout(REAP_WAIT, self.child.wait()).await;
    }

    /// Clean stop: close the bridge's stdin (it asks soffice to quit, then
    /// exits), wait up to `grace`, then kill whatever is left.
    pub(crate) async fn shutdown(mut self, grace: Duration) {
        drop(self.stdin.take());
        if tokio::time::timeout(grace, self.child.wait()).await.is_err() {
            tracing::warn!(pipe = %self.pipe, "office: the instance did not stop within {}s; killing it", grace.as_secs());
        }
        // The leader may be reaped already: a straggler would still hold the
        // group id, and an empty group answers ESRCH.
        self.kill_and_reap().await;
    }

    async fn read_line(&mut self) -> Result<String, String> {
        let mut buf = Vec::new();
        let n = (&mut self.stdout)
            .take(MAX_LINE)
            .read_until(b'\n', &mut buf)
            .await
            .map_err(|e| format!("cannot read from the bridge: {e}"))?;
        if n == 0 {
            return Err("the bridge exited".into());
        }
        if buf.last() != Some(&b'\n') {
            return Err(if n as u64 >= MAX_LINE {
                "the bridge sent an over-long line".into()
            } else {
                "the bridge exited mid-line".into()
            });
        }
        String::from_utf8(buf).map_err(|_| "the bridge sent a line that is not UTF-8".into())
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A killed soffice leaves its UNO pipe's socket file behind
/// (`/tmp/OSL_PIPE_<uid>_<name>`); names are unique per start, so it is
/// removed on kill rather than left to pile up. The uid is read off the
/// slot folder we just created (no unsafe `getuid` binding needed).
fn pipe_socket_path(dirs: &SlotDirs, pipe: &str) -> Option<PathBuf> {
    use std::os::unix::fs::MetadataExt;
    let uid = std::fs::metadata(&dirs.root).ok()?.uid();
    Some(PathBuf::from(format!("/tmp/OSL_PIPE_{uid}_{pipe}")))
}

/// Forwards the bridge's and LibreOffice's stderr to tracing, line by line,
/// for as long as the pipe is open (an undrained pipe would block them).
async fn log_stderr(stderr: tokio::process::ChildStderr, slot: usize) {
    let mut reader = BufReader::new(stderr);
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match (&mut reader).take(MAX_LINE).read_until(b'\n', &mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let line = String::from_utf8_lossy(&buf);
        let line = line.trim_end();
        if line.is_empty() {
            continue;
        }
        match line.strip_prefix("meeteasy-bridge: ") {
            Some(rest) => {
                if let Some(text) = rest.strip_prefix("error: ") {
                    tracing::error!(slot, "office bridge: {text}");
                } else if let Some(text) = rest.strip_prefix("warn: ") {
                    tracing::warn!(slot, "office bridge: {text}");
                } else {
                    tracing::info!(slot, "office bridge: {}", rest.trim_start_matches("info: "));
                }
            }
            None => tracing::debug!(slot, "soffice: {line}"),
        }
    }
}
