//! The job lifecycle table (`meeteasy_jobs::lifecycle`), applied
//! exhaustively to both stores: every move, against a record in every
//! status, waiting or not, with the right and a stale dispatch number.
//! Each store must do exactly what the table says, and write exactly the
//! counters it names.

use meeteasy_jobs::lifecycle::Move;
use meeteasy_jobs::store::{AttemptChange, Created, JobRecord};
use meeteasy_models::{JobKind, JobStatus, TenantId};
use meeteasy_tests::{Backend, TestApp, on_both_backends};
use serde_json::json;

const DISPATCH: u32 = 3;
const ATTEMPTS: u32 = 2;

on_both_backends!(every_move_does_what_the_lifecycle_table_says, |backend: Backend| async move {
    let app = TestApp::spawn_with(backend, false, |_| {}).await;
    let store = app.jobs.store.clone();
    let tenant = TenantId::parse("acme").unwrap_or_else(|e| panic!("{e}"));
    let mut checked = 0;
    for m in Move::ALL {
        let rule = m.rule();
        for status in JobStatus::ALL {
            for waiting in [false, true] {
                for stale in [false, true] {
                    let mut rec = JobRecord::new(tenant.clone(), "ann", JobKind::Sleep, json!({"millis": 0}), None);
                    rec.status = status;
                    rec.waiting = waiting;
                    rec.dispatch = DISPATCH;
                    rec.attempts = ATTEMPTS;
                    let Ok(Created::New(rec)) = store.create_job(rec).await else { panic!("create") };
                    let mut t = m.transition(&tenant, rec.id);
                    if rule.dispatch {
                        t = t.for_dispatch(if stale { DISPATCH - 1 } else { DISPATCH });
                    } else if stale {
                        continue; // nothing to be stale about
                    }
                    let got = store.transition(t).await.unwrap_or_else(|e| panic!("{m:?}: {e}"));
                    let expected = m.apply(status, waiting).filter(|_| !(rule.dispatch && stale));
                    let case = format!("{m:?} from {status} (waiting {waiting}, stale {stale}) on {backend:?}");
                    assert_eq!(got.as_ref().map(|r| r.status), expected, "{case}");
                    let after = store.get_job(&tenant, rec.id).await.ok().flatten().unwrap_or_else(|| panic!("gone"));
                    match got {
                        None => assert_eq!(after, rec, "{case}: a move that does not apply writes nothing"),
                        Some(new) => {
                            assert_eq!(new, after, "{case}: the post-image is what the store holds");
                            let dispatch = DISPATCH + u32::from(rule.redispatch);
                            assert_eq!(after.dispatch, dispatch, "{case}: dispatch");
                            assert_eq!(after.waiting, rule.set_waiting.unwrap_or(waiting), "{case}: waiting");
                            let attempts = match rule.attempts {
                                AttemptChange::Keep => ATTEMPTS,
                                AttemptChange::Bump => ATTEMPTS + 1,
                                AttemptChange::Refund => ATTEMPTS - 1,
                                AttemptChange::Reset => 0,
                            };
                            assert_eq!(after.attempts, attempts, "{case}: attempts");
                        }
                    }
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 300, "only {checked} cases ran");
});
