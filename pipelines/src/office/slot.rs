//! A worker slot: one LibreOffice instance at a time, and the rules for
//! when to replace it.
//!
//! A slot is owned by exactly one task while it converts (the pool hands it
//! out and takes it back), so nothing here locks. The slot decides:
//! * before a document: whether its instance is still alive (the bridge
//!   exits when its soffice dies while idle), and starts a new one if not;
//! * during a document: the timeout, and what a bad reply means (a
//!   `crashed` reply, a dead or garbled bridge: kill the instance);
//! * after a document: whether it must be replaced, either because it was
//!   killed or because it has converted `recycle_after` documents.
//!
//! The replacement itself runs after the caller got its answer (see
//! `pool.rs`), so a timeout is reported at the timeout, not a start-up later.

use std::path::Path;
use std::time::Duration;

use super::error::{ConversionFailure, OfficeError};
use super::instance::{Instance, InstanceConfig};
use super::stats::{InstanceInfo, Monitor};
use super::workdir::SlotDirs;

#[derive(Debug)]
pub(crate) struct Slot {
    pub index: usize,
    dirs: SlotDirs,
    instance: Option<Instance>,
    /// Instances started so far.
    generation: u64,
    /// Documents given to the current instance.
    documents: u32,
    /// A request was sent and its reply not consumed: if the slot comes back
    /// like this (the caller's future was dropped), the instance is in an
    /// unknown state and must be killed.
    in_flight: bool,
    /// Numbers the files in `io/`.
    seq: u64,
}

impl Slot {
    pub(crate) fn new(index: usize, dirs: SlotDirs) -> Self {
        Self { index, dirs, instance: None, generation: 0, documents: 0, in_flight: false, seq: 0 }
    }

    /// Starts a new instance (the slot must have none).
    pub(crate) async fn start(&mut self, config: &InstanceConfig, monitor: &Monitor) -> Result<(), OfficeError> {
        if self.generation > 0 {
            Monitor::bump(&monitor.restarts);
        }
        self.generation += 1;
        let instance = Instance::start(config, &self.dirs, self.index, self.generation).await?;
        let started = &instance.started;
        tracing::info!(
            slot = self.index,
            generation = self.generation,
            soffice_pid = started.soffice_pid,
            version = started.version.as_deref().unwrap_or("?"),
            network_isolated = config.isolated,
            "office: instance ready"
        );
        monitor.set_instance(InstanceInfo {
            slot: self.index,
            generation: self.generation,
            running: true,
            bridge_pid: started.bridge_pid,
            soffice_pid: started.soffice_pid,
            version: started.version.clone(),
            network_isolated: config.isolated,
            macro_security_level: started.macro_security_level,
            macros_disabled: started.macros_disabled,
        });
        self.instance = Some(instance);
        self.documents = 0;
        self.in_flight = false;
        Ok(())
    }

    pub(crate) fn in_flight(&self) -> bool {
        self.in_flight
    }

    /// Whether the slot must get a new instance before its next document.
    pub(crate) fn needs_restart(&self, recycle_after: u32) -> bool {
        self.in_flight || self.instance.is_none() || self.documents >= recycle_after
    }

    /// Replaces the instance: a clean stop for a recycle, a kill for one in
    /// an unknown state. A failed start is logged; the next document tries
    /// again.
    pub(crate) async fn restart(&mut self, config: &InstanceConfig, monitor: &Monitor) {
        if let Some(instance) = self.instance.take() {
            monitor.set_stopped(self.index);
            if self.in_flight {
                let mut instance = instance;
                instance.kill_and_reap().await;
            } else {
                tracing::info!(slot = self.index, documents = self.documents, "office: recycling the instance");
                instance.shutdown(config.shutdown_grace).await;
            }
        }
        self.in_flight = false;
        if let Err(e) = self.start(config, monitor).await {
            tracing::error!(slot = self.index, error = %e, "office: the instance did not restart; the next document retries");
        }
    }

    /// Kills the instance now, without awaiting anything (for `Drop` and the
    /// timeout path).
    pub(crate) fn kill_now(&mut self, monitor: &Monitor) {
        if let Some(mut instance) = self.instance.take() {
            instance.kill();
            monitor.set_stopped(self.index);
        }
    }

    /// A clean stop for good (pool shutdown).
    pub(crate) async fn shutdown(mut self, grace: Duration, monitor: &Monitor) {
        if let Some(instance) = self.instance.take() {
            if self.in_flight {
                let mut instance = instance;
                instance.kill_and_reap().await;
            } else {
                instance.shutdown(grace).await;
            }
            monitor.set_stopped(self.index);
        }
    }

    /// Makes sure a live instance with room for a document is there.
    async fn ensure_running(
        &mut self,
        config: &InstanceConfig,
        monitor: &Monitor,
        recycle_after: u32,
    ) -> Result<(), OfficeError> {
        if let Some(instance) = self.instance.as_mut() {
            if instance.has_exited() {
                tracing::warn!(slot = self.index, "office: the instance died while idle; starting a new one");
                Monitor::bump(&monitor.crashes);
                self.kill_now(monitor);
            } else if self.documents >= recycle_after {
                self.restart(config, monitor).await;
            }
        }
        if self.instance.is_none() {
            self.start(config, monitor).await.map_err(|e| match e {
                OfficeError::StartFailed { detail } => OfficeError::Unavailable { detail },
                other => other,
            })?;
        }
        Ok(())
    }

    /// Converts one document to PDF. On a timeout or a broken instance the
    /// instance is killed before this returns; the restart is the pool's job.
    pub(crate) async fn convert(
        &mut self,
        config: &InstanceConfig,
        monitor: &Monitor,
        recycle_after: u32,
        input: &[u8],
        ext: &str,
        limit: Duration,
    ) -> Result<Vec<u8>, OfficeError> {
        self.ensure_running(config, monitor, recycle_after).await?;
        self.seq += 1;
        let source = self.dirs.io.join(format!("in-{}.{ext}", self.seq));
        let target = self.dirs.io.join(format!("out-{}.pdf", self.seq));
        let result = self.convert_files(monitor, input, &source, &target, limit).await;
        remove_quietly(&source).await;
        remove_quietly(&target).await;
        result
    }

    async fn convert_files(
        &mut self,
        monitor: &Monitor,
        input: &[u8],
        source: &Path,
        target: &Path,
        limit: Duration,
    ) -> Result<Vec<u8>, OfficeError> {
        tokio::fs::write(source, input)
            .await
            .map_err(|e| OfficeError::unavailable(format!("cannot write the document to {}: {e}", source.display())))?;
        let Some(instance) = self.instance.as_mut() else {
            return Err(OfficeError::unavailable("the slot has no instance"));
        };
        self.in_flight = true;
        self.documents += 1;
        let reply = match tokio::time::timeout(limit, instance.convert(source, target)).await {
            Err(_) => {
                tracing::warn!(
                    slot = self.index,
                    limit_s = limit.as_secs_f32(),
                    "office: conversion timed out; killing the instance"
                );
                Monitor::bump(&monitor.timeouts);
                self.kill_now(monitor);
                return Err(OfficeError::Timeout { after: limit });
            }
            Ok(Err(why)) => {
                tracing::warn!(slot = self.index, reason = %why, "office: the bridge failed; killing the instance");
                Monitor::bump(&monitor.crashes);
                self.kill_now(monitor);
                return Err(OfficeError::crashed(why));
            }
            Ok(Ok(reply)) => reply,
        };
        self.in_flight = false;
        match reply.into_result() {
            Ok(filter) => {
                let pdf = tokio::fs::read(target).await.map_err(|e| OfficeError::ConversionFailed {
                    reason: ConversionFailure::ExportFailed,
                    detail: format!("{filter} reported success but wrote no PDF: {e}"),
                })?;
                if pdf.is_empty() {
                    return Err(OfficeError::ConversionFailed {
                        reason: ConversionFailure::ExportFailed,
                        detail: format!("{filter} wrote an empty PDF"),
                    });
                }
                Ok(pdf)
            }
            Err(e @ OfficeError::Crashed { .. }) => {
                tracing::warn!(slot = self.index, error = %e, "office: the instance crashed");
                Monitor::bump(&monitor.crashes);
                self.kill_now(monitor);
                Err(e)
            }
            Err(e) => Err(e),
        }
    }
}

async fn remove_quietly(path: &Path) {
    if let Err(e) = tokio::fs::remove_file(path).await
        && e.kind() != std::io::ErrorKind::NotFound
    {
        tracing::warn!(path = %path.display(), error = %e, "office: cannot remove a work file");
    }
}
