//! Keeping LibreOffice off the network.
//!
//! A document can point at remote content (linked images, OLE links,
//! WebDAV, external data ranges). The profile turns link updates off, but
//! the guarantee that matters is structural: each bridge, and therefore its
//! LibreOffice, runs under `unshare --net`, in a network namespace of its own
//! with nothing in it. The UNO connection is a named pipe (a unix socket in
//! the file system), which a network namespace does not affect.
//!
//! `unshare --net` needs root or CAP_SYS_ADMIN. Whether it works is probed
//! once per process by running `unshare --net -- true`.

use tokio::process::Command;
use tokio::sync::OnceCell;

use super::error::OfficeError;
use super::settings::NetworkIsolation;

/// The wrapper that puts a command in a fresh network namespace.
pub(crate) const UNSHARE: &str = "unshare";

static PROBE: OnceCell<Result<(), String>> = OnceCell::const_new();

/// Whether `unshare --net` works here; asked once per process.
async fn probe() -> &'static Result<(), String> {
    PROBE
        .get_or_init(|| async {
            let out = Command::new(UNSHARE)
                .args(["--net", "--", "true"])
                .stdin(std::process::Stdio::null())
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::piped())
                .kill_on_drop(true)
                .output()
                .await;
            match out {
                Ok(out) if out.status.success() => Ok(()),
                Ok(out) => Err(format!(
                    "`unshare --net -- true` failed ({}): {}",
                    out.status,
                    String::from_utf8_lossy(&out.stderr).trim()
                )),
                Err(e) => Err(format!("cannot run `unshare`: {e} (package util-linux)")),
            }
        })
        .await
}

/// Decides, for the configured mode, whether the pool's instances run in
/// their own network namespace.
pub(crate) async fn decide(mode: NetworkIsolation) -> Result<bool, OfficeError> {
    match mode {
        NetworkIsolation::Off => {
            tracing::info!("office: network isolation is off by configuration");
            Ok(false)
        }
        NetworkIsolation::Auto => match probe().await {
            Ok(()) => Ok(true),
            Err(why) => {
                tracing::warn!(
                    reason = %why,
                    "office: LibreOffice WILL HAVE NETWORK ACCESS: network isolation is unavailable here \
                     (needs root or CAP_SYS_ADMIN); set office.network_isolation = \"required\" to refuse to \
                     start instead"
                );
                Ok(false)
            }
        },
        NetworkIsolation::Required => match probe().await {
            Ok(()) => Ok(true),
            Err(why) => Err(OfficeError::start_failed(format!(
                "network isolation is required but unavailable: {why} (run the worker as root or grant it \
                 CAP_SYS_ADMIN, or set office.network_isolation = \"auto\")"
            ))),
        },
    }
}
