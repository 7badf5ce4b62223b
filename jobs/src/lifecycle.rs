//! The job lifecycle as one table: every move a job record can make, who
//! makes it, from which states, and what it writes.
//!
//! Why one table: the rules used to live in five places (the stores' CAS
//! filters, the runtime, the control operations, idempotency revival and
//! the sweeper), and a rule that only exists as a filter in one call site
//! cannot be reviewed or tested as a whole. Every store write of a job's
//! status now starts from [`Move::transition`], which fills in the `from`
//! states, the target, the `waiting` condition and the counters from
//! [`Move::rule`]; call sites add only their data (the error, the result,
//! the dispatch number they hold). The test suite applies every move to a
//! record in every state, on both stores, and checks the outcome against
//! this table (`tests/tests/lifecycle.rs`); `docs/lifecycle.md` is this
//! table rendered, and a test keeps it in step.
//!
//! Two invariants the table encodes:
//! * a worker's moves are checked against the dispatch number of the
//!   message it holds, so a late or duplicate message never writes;
//! * nothing leaves a terminal state except by an explicit `retry` or by
//!   `revive` (a job whose only message could never be pushed).

use meeteasy_models::{JobId, JobStatus, TenantId};

use crate::store::{AttemptChange, Transition};

/// Who makes a move.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    /// The worker running the job (holding its current message).
    Worker,
    /// A client through the API (`cancel`), or a repeated create request.
    Client,
    /// An operator through the API (`retry`).
    Operator,
    /// The reconciliation sweeper.
    Sweeper,
    /// The runtime acting for another job: a child's end wakes its parent.
    FanIn,
    /// The enqueue path itself (a push that failed).
    Enqueue,
}

/// Every move of a job record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Move {
    Start,
    Progress,
    Succeed,
    FailForRetry,
    Die,
    Defer,
    Suspend,
    Wake,
    Bury,
    QueueTimeout,
    Cancel,
    Retry,
    RetryStuck,
    Sweep,
    Revive,
    Unqueued,
}

/// One row of the table.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rule {
    pub by: &'static [Actor],
    pub from: &'static [JobStatus],
    /// `Some(w)`: applies only while the record's `waiting` flag is `w`.
    pub waiting: Option<bool>,
    pub to: JobStatus,
    /// The caller must hold the record's current dispatch number.
    pub dispatch: bool,
    pub attempts: AttemptChange,
    /// Bumps the dispatch number (the caller pushes a new message).
    pub redispatch: bool,
    pub set_waiting: Option<bool>,
    /// What else the move writes, for the rendered table.
    pub writes: &'static str,
}

use JobStatus::{Cancelled, Dead, Failed, Queued, Running, Succeeded};

const OPEN: &[JobStatus] = &[Queued, Running, Failed];

impl Move {
    pub const ALL: [Move; 16] = [
        Move::Start,
        Move::Progress,
        Move::Succeed,
        Move::FailForRetry,
        Move::Die,
        Move::Defer,
        Move::Suspend,
        Move::Wake,
        Move::Bury,
        Move::QueueTimeout,
        Move::Cancel,
        Move::Retry,
        Move::RetryStuck,
        Move::Sweep,
        Move::Revive,
        Move::Unqueued,
    ];

    pub fn rule(self) -> Rule {
        let base = Rule {
            by: &[Actor::Worker],
            from: &[Running],
            waiting: Some(false),
            to: Running,
            dispatch: true,
            attempts: AttemptChange::Keep,
            redispatch: false,
            set_waiting: None,
            writes: "",
        };
        match self {
            // `running` too: a message reclaimed from a dead worker (the
            // poison-pill check runs before it).
            Move::Start => {
                Rule { from: &[Queued, Failed, Running], attempts: AttemptChange::Bump, writes: "attempts + 1", ..base }
            }
            Move::Progress => {
                Rule { by: &[Actor::Worker, Actor::FanIn], waiting: None, dispatch: false, writes: "progress", ..base }
            }
            Move::Succeed => Rule { to: Succeeded, writes: "result, progress 100, error cleared", ..base },
            Move::FailForRetry => {
                Rule { to: Failed, redispatch: true, writes: "error; the retry's message is pushed", ..base }
            }
            Move::Die => Rule { to: Dead, writes: "error", ..base },
            Move::Defer => Rule {
                to: Queued,
                attempts: AttemptChange::Refund,
                redispatch: true,
                writes: "attempt refunded; a delayed message is pushed",
                ..base
            },
            Move::Suspend => Rule {
                attempts: AttemptChange::Refund,
                set_waiting: Some(true),
                writes: "waiting, children = n, attempt refunded",
                ..base
            },
            Move::Wake => Rule {
                by: &[Actor::FanIn, Actor::Sweeper],
                waiting: Some(true),
                to: Queued,
                dispatch: false,
                redispatch: true,
                set_waiting: Some(false),
                writes: "waiting cleared; the continuation's message is pushed",
                ..base
            },
            Move::Bury => Rule {
                by: &[Actor::Worker, Actor::Sweeper],
                to: Dead,
                writes: "error job.crashed (its last attempt died with its worker)",
                ..base
            },
            Move::QueueTimeout => Rule { from: &[Queued], to: Dead, writes: "error job.queue_timeout", ..base },
            Move::Cancel => Rule {
                by: &[Actor::Client, Actor::Operator],
                from: OPEN,
                waiting: None,
                to: Cancelled,
                dispatch: false,
                writes: "",
                ..base
            },
            Move::Retry => Rule {
                by: &[Actor::Operator],
                from: &[Failed, Dead],
                waiting: None,
                to: Queued,
                dispatch: false,
                attempts: AttemptChange::Reset,
                redispatch: true,
                set_waiting: Some(false),
                writes: "attempts 0, progress 0, error cleared; a message is pushed",
            },
            Move::RetryStuck => Rule {
                by: &[Actor::Operator],
                from: &[Queued, Running],
                attempts: AttemptChange::Reset,
                to: Queued,
                redispatch: true,
                writes: "as retry, for a record unchanged past the sweeper's grace",
                ..base
            },
            Move::Sweep => Rule {
                by: &[Actor::Sweeper],
                from: OPEN,
                to: Queued,
                redispatch: true,
                writes: "a message is pushed (the old one was lost)",
                ..base
            },
            Move::Revive => Rule {
                by: &[Actor::Client, Actor::FanIn],
                from: &[Dead],
                waiting: None,
                to: Queued,
                dispatch: false,
                redispatch: true,
                writes: "error cleared; a message is pushed (the first push failed)",
                ..base
            },
            Move::Unqueued => Rule {
                by: &[Actor::Enqueue],
                from: &[Queued],
                to: Dead,
                dispatch: false,
                writes: "error queue.unavailable",
                ..base
            },
        }
    }

    /// The store transition of this move, before the caller's data.
    pub fn transition(self, tenant: &TenantId, id: JobId) -> Transition {
        let r = self.rule();
        let mut t = Transition::new(tenant, id, r.from, r.to).attempts(r.attempts);
        t.waiting_is = r.waiting;
        t.set_waiting = r.set_waiting;
        t.redispatch = r.redispatch;
        t
    }

    /// Like [`Self::transition`], from `status` only (which must be one of
    /// the rule's): the sweeper and a stuck retry act on what they saw.
    pub fn transition_from(self, tenant: &TenantId, id: JobId, status: JobStatus) -> Transition {
        let mut t = self.transition(tenant, id);
        t.from.retain(|s| *s == status);
        t
    }

    /// What a record in `status` (and `waiting`) becomes under this move,
    /// if the move applies to it at all.
    pub fn apply(self, status: JobStatus, waiting: bool) -> Option<JobStatus> {
        let r = self.rule();
        let ok = r.from.contains(&status) && r.waiting.is_none_or(|w| w == waiting);
        ok.then_some(r.to)
    }

    /// The table in Markdown (`docs/lifecycle.md`).
    pub fn markdown() -> String {
        let mut out = String::from(
            "| move | by | from | waiting | to | dispatch checked | attempts | new message | writes |\n\
             |---|---|---|---|---|---|---|---|---|\n",
        );
        for m in Move::ALL {
            let r = m.rule();
            let list = |v: &[JobStatus]| v.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ");
            let by = r.by.iter().map(|a| format!("{a:?}").to_lowercase()).collect::<Vec<_>>().join(", ");
            let waiting = match r.waiting {
                None => "any",
                Some(true) => "yes",
                Some(false) => "no",
            };
            let attempts = match r.attempts {
                AttemptChange::Keep => "",
                AttemptChange::Bump => "+1",
                AttemptChange::Refund => "-1",
                AttemptChange::Reset => "0",
            };
            out.push_str(&format!(
                "| {m:?} | {by} | {} | {waiting} | {} | {} | {attempts} | {} | {} |\n",
                list(r.from),
                r.to.as_str(),
                if r.dispatch { "yes" } else { "" },
                if r.redispatch { "yes" } else { "" },
                r.writes,
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_leaves_a_terminal_state_but_retry_and_revive() {
        for m in Move::ALL {
            for s in [Succeeded, Dead, Cancelled] {
                for w in [false, true] {
                    if let Some(to) = m.apply(s, w) {
                        assert!(matches!(m, Move::Retry | Move::Revive), "{m:?} moves {s} to {to}");
                    }
                }
            }
        }
        assert_eq!(Move::Retry.apply(Succeeded, false), None, "a succeeded job is never re-run");
    }

    #[test]
    fn every_worker_move_checks_the_dispatch_number() {
        for m in Move::ALL {
            let r = m.rule();
            if r.by == [Actor::Worker] && m != Move::Progress {
                assert!(r.dispatch, "{m:?}");
            }
        }
    }

    #[test]
    fn a_waiting_parent_is_only_woken_cancelled_retried_or_advanced() {
        for m in Move::ALL {
            if m.apply(Running, true).is_some() {
                assert!(matches!(m, Move::Wake | Move::Cancel | Move::Progress), "{m:?}");
            }
        }
    }

    #[test]
    fn the_docs_are_the_table() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/lifecycle.md");
        let doc = std::fs::read_to_string(path).unwrap_or_default();
        assert!(doc.contains(&Move::markdown()), "docs/lifecycle.md is out of date; paste in:\n{}", Move::markdown());
    }
}
