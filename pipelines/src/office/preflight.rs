//! Checks, before any instance starts, that what the pool runs is installed,
//! so a missing package is one clear error naming what to install rather
//! than N slots timing out.

use std::path::{Path, PathBuf};
use std::time::Duration;

use tokio::process::Command;

use super::error::OfficeError;
use super::settings::OfficeSettings;

/// What a worker host needs for Office conversions (Debian package names).
pub const DEBIAN_PACKAGES: &str = "libreoffice-writer-nogui libreoffice-calc-nogui libreoffice-impress-nogui \
                                   python3-uno fonts-dejavu-core fonts-noto-cjk";

/// `path` itself when it names a file (contains a `/`), else the first match
/// in `PATH`; only executable regular files count.
pub(crate) fn find_executable(path: &Path) -> Option<PathBuf> {
    let executable = |p: &Path| {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(p).map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0).unwrap_or(false)
    };
    if path.components().count() > 1 || path.is_absolute() {
        return executable(path).then(|| path.to_path_buf());
    }
    let dirs = std::env::var_os("PATH")?;
    std::env::split_paths(&dirs).map(|dir| dir.join(path)).find(|candidate| executable(candidate))
}

/// Fails with `office.start_failed` when LibreOffice, the bridge's Python or
/// its `uno` module is missing.
pub async fn check(settings: &OfficeSettings) -> Result<(), OfficeError> {
    if find_executable(&settings.soffice).is_none() {
        return Err(OfficeError::start_failed(format!(
            "LibreOffice (`{}`) is not installed or not executable; install the Debian packages {DEBIAN_PACKAGES}",
            settings.soffice.display()
        )));
    }
    let Some(python) = find_executable(&settings.python) else {
        return Err(OfficeError::start_failed(format!(
            "the bridge interpreter `{}` is missing; install the Debian packages python3 and python3-uno \
             (and {DEBIAN_PACKAGES})",
            settings.python.display()
        )));
    };
    let run = Command::new(&python)
        .args(["-c", "import uno"])
        .env_remove("PYTHONHOME")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .output();
    let out = tokio::time::timeout(Duration::from_secs(30), run).await;
    let why = match out {
        Ok(Ok(out)) if out.status.success() => return Ok(()),
        Ok(Ok(out)) => String::from_utf8_lossy(&out.stderr).trim().to_string(),
        Ok(Err(e)) => e.to_string(),
        Err(_) => "`import uno` did not finish within 30s".to_string(),
    };
    Err(OfficeError::start_failed(format!(
        "`{}` cannot import the uno module ({why}); install the Debian package python3-uno and point \
         office.python at Debian's /usr/bin/python3 (a pyenv or virtualenv Python has no uno)",
        python.display()
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_executables_by_name_or_path() {
        assert!(find_executable(Path::new("sh")).is_some());
        assert!(find_executable(Path::new("/bin/sh")).is_some());
        assert!(find_executable(Path::new("/nonexistent/soffice")).is_none());
        assert!(find_executable(Path::new("meeteasy-no-such-program")).is_none());
    }

    #[tokio::test]
    async fn a_missing_office_names_the_packages() {
        let settings = OfficeSettings { soffice: PathBuf::from("/nonexistent/soffice"), ..Default::default() };
        let err = check(&settings).await.err();
        let text = err.as_ref().map(|e| e.to_string()).unwrap_or_default();
        assert_eq!(err.map(|e| e.code()), Some("office.start_failed"));
        assert!(text.contains("libreoffice-writer-nogui"), "{text}");
    }

    #[tokio::test]
    async fn a_python_without_uno_is_refused() {
        // `sh -c "import uno"` fails like a Python without the module would.
        let settings = OfficeSettings {
            soffice: PathBuf::from("/bin/sh"),
            python: PathBuf::from("/bin/sh"),
            ..Default::default()
        };
        let err = check(&settings).await.err();
        let text = err.as_ref().map(|e| e.to_string()).unwrap_or_default();
        assert!(text.contains("python3-uno"), "{text}");
    }
}
