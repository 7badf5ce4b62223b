//! What an operator can tune about the LibreOffice pool.
//!
//! The struct is embedded in the worker's configuration file, so it is serde
//! with a default for every key; durations are whole seconds under `*_secs`
//! keys (`convert_timeout_secs = 60`), like every other duration in the
//! configuration, while Rust callers get `Duration`s.

use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// Whether each LibreOffice runs in a network namespace of its own (no
/// interfaces but loopback, which is down): a document that references a
/// remote image, a linked file on a web server or a WebDAV URL cannot reach
/// anything.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NetworkIsolation {
    /// Isolate when `unshare --net` works here (root or CAP_SYS_ADMIN);
    /// otherwise start anyway and log a loud warning.
    #[default]
    Auto,
    /// Refuse to start without isolation.
    Required,
    /// Never isolate (development machines without the capability).
    Off,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct OfficeSettings {
    /// The LibreOffice launcher (`soffice`, looked up in `PATH`) or a path to
    /// it or to `soffice.bin`.
    pub soffice: PathBuf,
    /// The interpreter that runs the bridge: it needs the `uno` module, which
    /// only Debian's own Python has (package `python3-uno`).
    pub python: PathBuf,
    /// Worker slots: how many LibreOffice processes run, hence how many
    /// documents convert at once.
    pub slots: usize,
    /// Documents an instance converts before it is restarted cleanly
    /// (LibreOffice grows and caches; a fresh process bounds both).
    pub recycle_after: u32,
    /// Per-document limit when the caller gives none; on expiry the instance
    /// is killed and restarted.
    #[serde(rename = "convert_timeout_secs", with = "secs")]
    pub convert_timeout: Duration,
    /// How long an instance may take to start and accept its UNO connection.
    #[serde(rename = "start_timeout_secs", with = "secs")]
    pub start_timeout: Duration,
    /// Where the pool makes its folder (slot profiles, in-flight files); the
    /// folder is the pool's own and is removed when the pool goes. `None`:
    /// the system temp dir.
    pub work_dir: Option<PathBuf>,
    pub network_isolation: NetworkIsolation,
    /// Test and operations hook, off by default: lets an input starting with
    /// `MEETEASY-FAULT:HANG` hang its instance and `MEETEASY-FAULT:CRASH`
    /// kill it, to exercise the supervisor on a live pool. Never enable it
    /// where users upload documents.
    pub fault_injection: bool,
}

impl Default for OfficeSettings {
    fn default() -> Self {
        Self {
            soffice: PathBuf::from("soffice"),
            python: PathBuf::from("/usr/bin/python3"),
            slots: 2,
            recycle_after: 200,
            convert_timeout: Duration::from_secs(60),
            start_timeout: Duration::from_secs(60),
            work_dir: None,
            network_isolation: NetworkIsolation::Auto,
            fault_injection: false,
        }
    }
}

impl OfficeSettings {
    /// Rejects values the pool cannot run with.
    pub(crate) fn validate(&self) -> Result<(), String> {
        if self.slots == 0 {
            return Err("office.slots must be at least 1".into());
        }
        if self.recycle_after == 0 {
            return Err("office.recycle_after must be at least 1".into());
        }
        if self.convert_timeout.is_zero() {
            return Err("office.convert_timeout_secs must be at least 1".into());
        }
        if self.start_timeout.is_zero() {
            return Err("office.start_timeout_secs must be at least 1".into());
        }
        Ok(())
    }
}

/// `Duration` as whole seconds.
mod secs {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(value: &Duration, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_u64(value.as_secs())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Duration, D::Error> {
        u64::deserialize(deserializer).map(Duration::from_secs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_fill_missing_keys_and_seconds_become_durations() -> Result<(), serde_json::Error> {
        let s: OfficeSettings =
            serde_json::from_str(r#"{"slots": 4, "convert_timeout_secs": 90, "network_isolation": "required"}"#)?;
        assert_eq!(s.slots, 4);
        assert_eq!(s.convert_timeout, Duration::from_secs(90));
        assert_eq!(s.start_timeout, Duration::from_secs(60));
        assert_eq!(s.network_isolation, NetworkIsolation::Required);
        assert_eq!(s.python, PathBuf::from("/usr/bin/python3"));
        assert!(!s.fault_injection);
        let back: OfficeSettings = serde_json::from_value(serde_json::to_value(&s)?)?;
        assert_eq!(back, s);
        Ok(())
    }

    #[test]
    fn zero_slots_or_timeouts_are_refused() {
        assert!(OfficeSettings::default().validate().is_ok());
        assert!(OfficeSettings { slots: 0, ..Default::default() }.validate().is_err());
        assert!(OfficeSettings { recycle_after: 0, ..Default::default() }.validate().is_err());
        assert!(OfficeSettings { convert_timeout: Duration::ZERO, ..Default::default() }.validate().is_err());
    }
}
