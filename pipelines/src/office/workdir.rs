//! The files a pool keeps on disk, and why each is where it is.
//!
//! ```text
//! <work_dir>/meeteasy-office-<pid>-<n>-<nonce>/   one per pool, removed when the pool goes
//! <work_dir>/...   /slot-<n>/profile/   LibreOffice's user installation (one per
//!                                slot: two instances must never share one)
//! <work_dir>/slot-<n>/io/        the document in flight and its PDF, named
//!                                by the worker (`in-<seq>.<ext>`), never by
//!                                the user; emptied at every start
//! <work_dir>/slot-<n>/bridge.py  the bridge, rewritten at every start
//! ```
//!
//! Each pool gets a folder of its own even under a configured `work_dir`:
//! two LibreOffice processes on one profile would not run side by side (the
//! second hands its work to the first and exits), and two workers on one
//! host may well share a configuration. A worker that is SIGKILLed leaves
//! its folder behind; the next pool opened under the same base removes the
//! folders of processes that no longer exist (a PID that is alive, even if
//! reused by another program, is left alone).
//!
//! Within a pool, a slot's profile survives restarts (a fresh profile costs
//! LibreOffice an extra start-up), but its `registrymodifications.xcu` is rewritten before every
//! start, so the locked-down settings (macros off, no updates, no recovery)
//! hold even if a previous run changed them. Folders are created 0700: the
//! documents in them belong to tenants.

use std::io;
use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// The user settings every instance starts with.
const REGISTRY: &str = include_str!("registrymodifications.xcu");
/// The bridge script, shipped inside the binary.
pub(crate) const BRIDGE_PY: &str = include_str!("bridge.py");

/// The pool's own folder; removed on drop.
#[derive(Debug)]
pub(crate) struct WorkDir {
    root: PathBuf,
}

impl WorkDir {
    /// Makes a fresh folder for one pool under `base` (the system temp dir
    /// when `None`).
    pub(crate) fn open(base: Option<&Path>) -> io::Result<Self> {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let base = base.map(Path::to_path_buf).unwrap_or_else(std::env::temp_dir);
        make_private_dir(&base)?;
        remove_orphans(&base);
        let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
        let name =
            format!("meeteasy-office-{}-{}-{nanos:x}", std::process::id(), COUNTER.fetch_add(1, Ordering::Relaxed));
        let root = base.join(name);
        // Not recursive: the folder must be new.
        std::fs::DirBuilder::new().mode(0o700).create(&root)?;
        Ok(Self { root })
    }

    pub(crate) fn root(&self) -> &Path {
        &self.root
    }

    pub(crate) fn slot(&self, index: usize) -> SlotDirs {
        let root = self.root.join(format!("slot-{index}"));
        SlotDirs { profile: root.join("profile"), io: root.join("io"), bridge: root.join("bridge.py"), root }
    }
}

/// Removes `meeteasy-office-<pid>-*` folders whose process is gone.
fn remove_orphans(base: &Path) {
    let Ok(entries) = std::fs::read_dir(base) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(rest) = name.to_str().and_then(|n| n.strip_prefix("meeteasy-office-")) else { continue };
        let Some(pid) = rest.split('-').next().and_then(|p| p.parse::<u32>().ok()) else { continue };
        if pid == std::process::id() || Path::new(&format!("/proc/{pid}")).exists() {
            continue;
        }
        match std::fs::remove_dir_all(entry.path()) {
            Ok(()) => tracing::info!(dir = %entry.path().display(), "removed a dead worker's office folder"),
            Err(e) => {
                tracing::warn!(dir = %entry.path().display(), error = %e, "could not remove a dead worker's office folder")
            }
        }
    }
}

impl Drop for WorkDir {
    fn drop(&mut self) {
        if let Err(e) = std::fs::remove_dir_all(&self.root) {
            tracing::warn!(dir = %self.root.display(), error = %e, "could not remove the office work dir");
        }
    }
}

/// One slot's folders.
#[derive(Debug, Clone)]
pub(crate) struct SlotDirs {
    pub root: PathBuf,
    pub profile: PathBuf,
    pub io: PathBuf,
    pub bridge: PathBuf,
}

impl SlotDirs {
    /// Gets the folders ready for a fresh instance: writes the bridge and
    /// the locked-down settings, and empties `io/` of whatever a killed
    /// conversion left behind.
    pub(crate) async fn prepare(&self) -> io::Result<()> {
        let dirs = self.clone();
        tokio::task::spawn_blocking(move || dirs.prepare_blocking())
            .await
            .map_err(|e| io::Error::other(format!("preparing the slot folder panicked: {e}")))?
    }

    fn prepare_blocking(&self) -> io::Result<()> {
        make_private_dir(&self.root)?;
        make_private_dir(&self.profile.join("user"))?;
        if self.io.exists() {
            std::fs::remove_dir_all(&self.io)?;
        }
        make_private_dir(&self.io)?;
        std::fs::write(&self.bridge, BRIDGE_PY)?;
        std::fs::write(self.profile.join("user").join("registrymodifications.xcu"), REGISTRY)?;
        Ok(())
    }
}

fn make_private_dir(path: &Path) -> io::Result<()> {
    std::fs::DirBuilder::new().recursive(true).mode(0o700).create(path)
}

#[cfg(test)]
mod tests {

    #[test]
    fn folders_of_dead_processes_are_removed_live_ones_kept() {
        let base = tempfile::tempdir().expect("tempdir");
        let dead = base.path().join("meeteasy-office-999999999-0-abc");
        let mine = base.path().join(format!("meeteasy-office-{}-7-abc", std::process::id()));
        let other = base.path().join("unrelated-999999999");
        for d in [&dead, &mine, &other] {
            std::fs::create_dir_all(d.join("slot-0")).expect("mkdir");
        }
        let pool = WorkDir::open(Some(base.path())).expect("open");
        assert!(!dead.exists(), "a dead process's folder is removed");
        assert!(mine.exists() && other.exists(), "live and unrelated folders stay");
        drop(pool);
    }

    use super::*;

    #[tokio::test]
    async fn a_slot_gets_its_profile_settings_and_an_empty_io_dir() -> io::Result<()> {
        let root = tempfile::tempdir()?;
        let work = WorkDir::open(Some(root.path()))?;
        let slot = work.slot(1);
        slot.prepare().await?;
        std::fs::write(slot.io.join("in-1.docx"), b"left over")?;
        slot.prepare().await?;
        assert_eq!(std::fs::read_dir(&slot.io)?.count(), 0);
        let xcu = std::fs::read_to_string(slot.profile.join("user/registrymodifications.xcu"))?;
        assert!(xcu.contains(r#"<prop oor:name="MacroSecurityLevel" oor:op="fuse"><value>3</value>"#));
        assert!(xcu.contains(r#"<prop oor:name="DisableMacrosExecution" oor:op="fuse"><value>true</value>"#));
        assert!(std::fs::read_to_string(&slot.bridge)?.contains("def convert("));
        Ok(())
    }

    #[test]
    fn each_pool_gets_its_own_folder_removed_on_drop() -> io::Result<()> {
        let base = tempfile::tempdir()?;
        let (one, two) = (WorkDir::open(Some(base.path()))?, WorkDir::open(Some(base.path()))?);
        assert_ne!(one.root(), two.root());
        assert!(one.root().starts_with(base.path()) && one.root().is_dir());
        let root = one.root().to_path_buf();
        drop(one);
        assert!(!root.exists());
        assert!(two.root().is_dir());
        let temp = WorkDir::open(None)?;
        assert!(temp.root().starts_with(std::env::temp_dir()));
        Ok(())
    }
}
