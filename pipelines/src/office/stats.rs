//! What the pool reports about itself, for metrics and for tests.
//!
//! Counters are atomics bumped where the events happen; the per-slot
//! [`InstanceInfo`] table is updated whenever an instance starts or stops,
//! so it can be read while slots are out converting.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

/// A snapshot of the pool's counters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfficeStats {
    /// Configured slots.
    pub slots: usize,
    /// Slots converting or restarting right now.
    pub busy: usize,
    /// Instance starts after the first one of each slot (recycles, and
    /// restarts after a timeout, a crash or an abandoned conversion).
    pub restarts: u64,
    /// Documents converted to PDF.
    pub conversions: u64,
    /// Documents that ended in an error (any kind).
    pub failures: u64,
    /// Conversions killed at their timeout.
    pub timeouts: u64,
    /// Instances found dead or talking nonsense.
    pub crashes: u64,
}

/// One slot's current instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstanceInfo {
    pub slot: usize,
    /// Starts of this slot so far (1 for the first instance).
    pub generation: u64,
    /// Whether an instance is running (false while it restarts).
    pub running: bool,
    pub bridge_pid: Option<u32>,
    pub soffice_pid: Option<u32>,
    pub version: Option<String>,
    /// Whether it runs in a network namespace of its own.
    pub network_isolated: bool,
    /// The macro security level LibreOffice reported after start (3: very
    /// high) and whether macro execution is disabled outright.
    pub macro_security_level: Option<i64>,
    pub macros_disabled: Option<bool>,
}

#[derive(Debug, Default)]
pub(crate) struct Monitor {
    pub restarts: AtomicU64,
    pub conversions: AtomicU64,
    pub failures: AtomicU64,
    pub timeouts: AtomicU64,
    pub crashes: AtomicU64,
    instances: Mutex<Vec<InstanceInfo>>,
}

impl Monitor {
    pub(crate) fn bump(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn snapshot(&self, slots: usize, busy: usize) -> OfficeStats {
        OfficeStats {
            slots,
            busy,
            restarts: self.restarts.load(Ordering::Relaxed),
            conversions: self.conversions.load(Ordering::Relaxed),
            failures: self.failures.load(Ordering::Relaxed),
            timeouts: self.timeouts.load(Ordering::Relaxed),
            crashes: self.crashes.load(Ordering::Relaxed),
        }
    }

    /// Records a slot's current instance (replacing what was there).
    pub(crate) fn set_instance(&self, info: InstanceInfo) {
        let mut table = self.instances.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        match table.iter_mut().find(|i| i.slot == info.slot) {
            Some(entry) => *entry = info,
            None => {
                table.push(info);
                table.sort_by_key(|i| i.slot);
            }
        }
    }

    /// Marks a slot's instance as gone.
    pub(crate) fn set_stopped(&self, slot: usize) {
        let mut table = self.instances.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(entry) = table.iter_mut().find(|i| i.slot == slot) {
            entry.running = false;
            entry.bridge_pid = None;
            entry.soffice_pid = None;
        }
    }

    pub(crate) fn instances(&self) -> Vec<InstanceInfo> {
        self.instances.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).clone()
    }
}
