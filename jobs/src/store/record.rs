//! What the store keeps about a job, and the ways a job record may change.

use chrono::{DateTime, Utc};
use meeteasy_models::page::PageRequest;
use meeteasy_models::{JobError, JobId, JobKind, JobStatus, JobView, TenantId};
use serde::{Deserialize, Serialize};

use crate::idempotency::IdemKey;

/// The full job record. `JobView` is the public projection of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobRecord {
    pub id: JobId,
    pub tenant_id: TenantId,
    pub kind: JobKind,
    pub status: JobStatus,
    pub progress: u8,
    pub attempts: u32,
    pub error: Option<JobError>,
    pub result: Option<serde_json::Value>,
    /// The job's typed payload, kept so that an operator's retry can re-queue
    /// it after the queue forgot it.
    pub payload: serde_json::Value,
    /// The stored (namespaced) key; see `crate::idempotency`.
    pub idempotency_key: Option<String>,
    /// A digest of the client request behind `idempotency_key`, so that a
    /// reused key with a different body can be refused.
    pub request_hash: Option<String>,
    /// The creator's token `sub` (see `JobView::created_by`).
    pub created_by: String,
    /// Bumped whenever a new queue message is pushed for the job; only a
    /// message carrying the current number starts it (see `Envelope`).
    pub dispatch: u32,
    /// The job that waits for this one (a fan-in's parent); see
    /// `runtime::fanin`.
    pub parent: Option<JobId>,
    /// How many children this job queued before it started waiting.
    pub children: u32,
    /// `running` but suspended until its children end: no worker holds it,
    /// and the last child's completion queues it again.
    pub waiting: bool,
    /// The store's revision of this record: bumped by every transition on
    /// stores that compare-and-set by revision (MongoDB), always 0 on SQLite
    /// (which compares in its `UPDATE`). It lets a caller that holds the
    /// record write against it without reading it again.
    #[serde(default)]
    pub rev: u64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl JobRecord {
    /// A fresh `queued` record.
    pub fn new(
        tenant_id: TenantId,
        created_by: impl Into<String>,
        kind: JobKind,
        payload: serde_json::Value,
        key: Option<&IdemKey>,
    ) -> Self {
        let now = now();
        Self {
            id: JobId::new(),
            tenant_id,
            created_by: created_by.into(),
            dispatch: 0,
            parent: None,
            children: 0,
            waiting: false,
            rev: 0,
            request_hash: key.and_then(|k| k.fingerprint()).map(str::to_string),
            kind,
            status: JobStatus::Queued,
            progress: 0,
            attempts: 0,
            error: None,
            result: None,
            payload,
            idempotency_key: key.map(IdemKey::stored),
            created_at: now,
            updated_at: now,
        }
    }

    pub fn view(&self) -> JobView {
        JobView {
            id: self.id,
            kind: self.kind,
            status: self.status,
            progress: self.progress,
            attempts: self.attempts,
            error: self.error.clone(),
            result: self.result.clone(),
            created_by: self.created_by.clone(),
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
    }
}

/// The current time truncated to milliseconds, the precision of a BSON date,
/// so a record reads back equal to what was written on either store.
pub fn now() -> DateTime<Utc> {
    let t = Utc::now();
    DateTime::from_timestamp_millis(t.timestamp_millis()).unwrap_or(t)
}

/// The result of creating a job under an idempotency key.
#[derive(Debug, Clone, PartialEq)]
pub enum Created {
    /// A new record was written; the caller must enqueue it.
    New(JobRecord),
    /// The tenant already has a job under this key; nothing was written.
    Existing(JobRecord),
}

/// How a transition changes the error field.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum ErrorPatch {
    #[default]
    Keep,
    Clear,
    Set(JobError),
}

/// How a transition changes the attempt counter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AttemptChange {
    #[default]
    Keep,
    /// A new attempt starts.
    Bump,
    /// The attempt did not count (a rate limit deferred it).
    Refund,
    /// A fresh budget (operator retry).
    Reset,
}

/// A compare-and-set change of a job's status: it applies only while the job
/// is in one of `from`, so a late worker cannot resurrect a cancelled job.
#[derive(Debug, Clone, PartialEq)]
pub struct Transition {
    pub tenant_id: TenantId,
    pub id: JobId,
    pub from: Vec<JobStatus>,
    pub to: JobStatus,
    pub attempts: AttemptChange,
    pub progress: Option<u8>,
    pub error: ErrorPatch,
    pub result: Option<serde_json::Value>,
    /// Applies only while the record's dispatch number is this one.
    pub dispatch_is: Option<u32>,
    /// Bumps the dispatch number: the caller pushes a new message.
    pub redispatch: bool,
    /// Applies only while the record's `waiting` flag is this.
    pub waiting_is: Option<bool>,
    /// Sets the `waiting` flag.
    pub set_waiting: Option<bool>,
    /// Sets the number of children.
    pub set_children: Option<u32>,
    /// The record as the caller last saw it (a worker holds the record it
    /// started). A store that compares by revision writes against it
    /// directly and reads the record only when it changed meanwhile; the
    /// result is the same as without it, one read cheaper.
    pub seen: Option<Box<JobRecord>>,
}

impl Transition {
    pub fn new(tenant_id: &TenantId, id: JobId, from: &[JobStatus], to: JobStatus) -> Self {
        Self {
            tenant_id: tenant_id.clone(),
            id,
            from: from.to_vec(),
            to,
            attempts: AttemptChange::Keep,
            progress: None,
            error: ErrorPatch::Keep,
            result: None,
            dispatch_is: None,
            redispatch: false,
            waiting_is: None,
            set_waiting: None,
            set_children: None,
            seen: None,
        }
    }

    /// The record as the caller holds it (see [`Transition::seen`]).
    pub fn seen(mut self, rec: &JobRecord) -> Self {
        self.seen = Some(Box::new(rec.clone()));
        self
    }

    /// Applies only while the record is (or is not) waiting for children.
    pub fn when_waiting(mut self, w: bool) -> Self {
        self.waiting_is = Some(w);
        self
    }

    pub fn children(mut self, n: u32) -> Self {
        self.set_children = Some(n);
        self
    }

    /// Applies only for the message of dispatch `d`.
    pub fn for_dispatch(mut self, d: u32) -> Self {
        self.dispatch_is = Some(d);
        self
    }

    /// Bumps the dispatch number (a new message will be pushed).
    pub fn redispatch(mut self) -> Self {
        self.redispatch = true;
        self
    }

    pub fn attempts(mut self, change: AttemptChange) -> Self {
        self.attempts = change;
        self
    }

    pub fn progress(mut self, p: u8) -> Self {
        self.progress = Some(p.min(100));
        self
    }

    pub fn error(mut self, e: ErrorPatch) -> Self {
        self.error = e;
        self
    }

    pub fn result(mut self, r: serde_json::Value) -> Self {
        self.result = Some(r);
        self
    }

    /// Whether this transition applies to `rec` as it is (the
    /// compare-and-set condition, evaluated locally).
    pub fn applies_to(&self, rec: &JobRecord) -> bool {
        rec.id == self.id
            && rec.tenant_id == self.tenant_id
            && self.from.contains(&rec.status)
            && self.dispatch_is.is_none_or(|d| d == rec.dispatch)
            && self.waiting_is.is_none_or(|w| w == rec.waiting)
    }

    /// `rec` after this transition, stamped `at` (the post-image a store
    /// writes; a store that writes it whole can return it without reading).
    pub fn apply(&self, rec: &JobRecord, at: DateTime<Utc>) -> JobRecord {
        let mut next = rec.clone();
        next.status = self.to;
        next.updated_at = at;
        next.attempts = match self.attempts {
            AttemptChange::Keep => rec.attempts,
            AttemptChange::Bump => rec.attempts.saturating_add(1),
            AttemptChange::Refund => rec.attempts.saturating_sub(1),
            AttemptChange::Reset => 0,
        };
        if let Some(p) = self.progress {
            next.progress = p;
        }
        match &self.error {
            ErrorPatch::Keep => {}
            ErrorPatch::Clear => next.error = None,
            ErrorPatch::Set(e) => next.error = Some(e.clone()),
        }
        if let Some(r) = &self.result {
            next.result = Some(r.clone());
        }
        if self.redispatch {
            next.dispatch = rec.dispatch.saturating_add(1);
        }
        if let Some(w) = self.set_waiting {
            next.waiting = w;
        }
        if let Some(n) = self.set_children {
            next.children = n;
        }
        next
    }
}

/// Filters for `GET /v1/jobs`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct JobFilter {
    pub status: Option<JobStatus>,
    pub kind: Option<JobKind>,
    /// Only jobs of this creator (attendees see their own jobs only).
    pub created_by: Option<String>,
}

/// One page of job records plus the total that matched.
#[derive(Debug, Clone, PartialEq)]
pub struct JobPage {
    pub items: Vec<JobRecord>,
    pub total: u64,
    pub page: PageRequest,
}
