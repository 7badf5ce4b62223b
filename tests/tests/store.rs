//! The store contract, run against both implementations.

use meeteasy_jobs::IdemKey;
use meeteasy_jobs::store::{AttemptChange, Created, DynStore, ErrorPatch, JobRecord, Transition};
use meeteasy_models::analytics::{Counts, Granularity};
use meeteasy_models::{JobError, JobKind, JobStatus, TenantId};
use meeteasy_tests::{Backend, TestApp, on_both_backends};
use serde_json::json;

fn tenant(s: &str) -> TenantId {
    TenantId::parse(s).unwrap_or_else(|e| panic!("{e}"))
}

async fn store(backend: Backend) -> (TestApp, DynStore) {
    let app = TestApp::spawn_with(backend, false, |_| {}).await;
    let store = app.jobs.store.clone();
    (app, store)
}

on_both_backends!(blobs_round_trip_and_stay_with_their_tenant, |backend: Backend| async move {
    let (_app, store) = store(backend).await;
    let (acme, globex) = (tenant("acme"), tenant("globex"));
    let bytes: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
    let (id, meta) =
        store.put_blob(&acme, "agenda.pdf", "application/pdf", bytes.clone()).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(meta.size, 300_000);
    assert_eq!(meta.sha256.len(), 64);
    let (got_meta, got) = store.get_blob(&acme, &id).await.ok().flatten().unwrap_or_else(|| panic!("blob missing"));
    assert_eq!(got, bytes);
    assert_eq!(got_meta.filename, "agenda.pdf");
    assert!(store.get_blob(&globex, &id).await.ok().flatten().is_none(), "another tenant must not read it");
    assert!(!store.delete_blob(&globex, &id).await.unwrap_or(true));
    let (copy, _) =
        store.put_blob(&globex, "same.pdf", "application/pdf", bytes.clone()).await.unwrap_or_else(|e| panic!("{e}"));
    assert!(store.delete_blob(&acme, &id).await.unwrap_or(false));
    assert!(store.get_blob(&acme, &id).await.ok().flatten().is_none());
    assert_eq!(
        store.get_blob(&globex, &copy).await.ok().flatten().map(|(_, b)| b),
        Some(bytes),
        "shared content survives"
    );
});

on_both_backends!(job_records_are_idempotent_and_transitions_compare_and_set, |backend: Backend| async move {
    let (_app, store) = store(backend).await;
    let acme = tenant("acme");
    let k1 = IdemKey::internal("k1");
    let rec = JobRecord::new(acme.clone(), "ann", JobKind::Sleep, json!({"millis": 0}), Some(&k1));
    let Ok(Created::New(first)) = store.create_job(rec).await else { panic!("first create") };
    let again = JobRecord::new(acme.clone(), "ann", JobKind::Sleep, json!({"millis": 9}), Some(&k1));
    match store.create_job(again).await {
        Ok(Created::Existing(existing)) => assert_eq!(existing, first),
        other => panic!("expected the existing job, got {other:?}"),
    }
    assert_eq!(first.created_by, "ann", "the creator is stored");
    let other_tenant = JobRecord::new(tenant("globex"), "ann", JobKind::Sleep, json!({}), Some(&k1));
    assert!(matches!(store.create_job(other_tenant).await, Ok(Created::New(_))));

    let start =
        Transition::new(&acme, first.id, &[JobStatus::Queued], JobStatus::Running).attempts(AttemptChange::Bump);
    let running = store.transition(start.clone()).await.ok().flatten().unwrap_or_else(|| panic!("start"));
    assert_eq!((running.status, running.attempts), (JobStatus::Running, 1));
    assert!(store.transition(start).await.ok().flatten().is_none(), "a second start from queued must not apply");
    let wrong_tenant = Transition::new(&tenant("globex"), first.id, &[JobStatus::Running], JobStatus::Cancelled);
    assert!(store.transition(wrong_tenant).await.ok().flatten().is_none());
    let fail = Transition::new(&acme, first.id, &[JobStatus::Running], JobStatus::Dead)
        .error(ErrorPatch::Set(JobError { code: "x.y".into(), message: "m".into() }))
        .result(json!({"partial": true}));
    let dead = store.transition(fail).await.ok().flatten().unwrap_or_else(|| panic!("fail"));
    assert_eq!(dead.error.map(|e| e.code), Some("x.y".to_string()));
    assert_eq!(dead.result, Some(json!({"partial": true})));
    let counts = store.count_by_status(Some(&acme)).await.unwrap_or_default();
    assert!(counts.contains(&(JobKind::Sleep, JobStatus::Dead, 1)), "{counts:?}");
    let globex = store.count_by_status(Some(&tenant("globex"))).await.unwrap_or_default();
    assert!(!globex.iter().any(|(_, s, _)| *s == JobStatus::Dead), "counts are per tenant: {globex:?}");
});

on_both_backends!(rollups_only_ever_grow, |backend: Backend| async move {
    let (_app, store) = store(backend).await;
    let acme = tenant("acme");
    let start = chrono::DateTime::parse_from_rfc3339("2026-11-27T10:00:00Z").map(|t| t.to_utc()).unwrap_or_default();
    let high: Counts = [("a".to_string(), 5), ("b".to_string(), 1)].into_iter().collect();
    let low: Counts = [("a".to_string(), 2), ("c".to_string(), 7)].into_iter().collect();
    store.raise_rollup(&acme, "conf", Granularity::Hour, start, &high).await.unwrap_or_else(|e| panic!("{e}"));
    store.raise_rollup(&acme, "conf", Granularity::Hour, start, &low).await.unwrap_or_else(|e| panic!("{e}"));
    let end = start + chrono::TimeDelta::hours(1);
    let buckets = store.rollups(&acme, "conf", Granularity::Hour, start, end).await.unwrap_or_default();
    let expect: Counts = [("a".to_string(), 5), ("b".to_string(), 1), ("c".to_string(), 7)].into_iter().collect();
    assert_eq!(buckets.len(), 1);
    assert_eq!(buckets[0].counts, expect);
    assert!(
        store.rollups(&tenant("globex"), "conf", Granularity::Hour, start, end).await.unwrap_or_default().is_empty()
    );
});
