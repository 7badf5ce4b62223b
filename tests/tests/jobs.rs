//! The jobs API and the worker runtime's promises: status mirroring,
//! Abort vs Retry, timeouts, cancel, retry, pagination, tenant isolation.

use std::time::Duration;

use meeteasy_models::auth::Role;
use meeteasy_tests::app::{assert_error, json, quick_retries};
use meeteasy_tests::{Backend, TestApp, on_both_backends};
use serde_json::{Value, json};

async fn sleep_job(app: &TestApp, token: &str, body: Value) -> String {
    let resp = app.post("/v1/diagnostics/sleep", token, &body).await;
    assert_eq!(resp.status().as_u16(), 202);
    json(resp).await["id"].as_str().unwrap_or_default().to_string()
}

fn fast_retries(s: &mut meeteasy_api::config::Settings) {
    quick_retries(s, "sleep", 2, 1);
}

/// Ids of the raw Redis queue structures that still hold the task.
async fn redis_leftovers(app: &TestApp) -> (u64, u64) {
    let client = redis::Client::open(app.settings.redis_url.as_str()).unwrap_or_else(|e| panic!("{e}"));
    let mut c = client.get_multiplexed_async_connection().await.unwrap_or_else(|e| panic!("{e}"));
    let q = format!("{}:cpu:sleep", app.settings.runtime.namespace);
    let active: u64 = redis::cmd("LLEN").arg(format!("{q}:active")).query_async(&mut c).await.unwrap_or(0);
    let scheduled: u64 = redis::cmd("ZCARD").arg(format!("{q}:scheduled")).query_async(&mut c).await.unwrap_or(0);
    (active, scheduled)
}

on_both_backends!(abort_ends_a_job_for_real_and_retry_stops_at_max_attempts, |backend: Backend| async move {
    let app = TestApp::spawn_with(backend, true, fast_retries).await;
    let t = app.token("acme", Role::Admin);
    let aborted = sleep_job(&app, &t, json!({"millis": 0, "fail": "abort"})).await;
    let retried = sleep_job(&app, &t, json!({"millis": 0, "fail": "retry"})).await;
    let timed_out = sleep_job(&app, &t, json!({"millis": 5000})).await;

    let a = app.wait_for_status(&t, &aborted, &["dead"], Duration::from_secs(20)).await;
    assert_eq!(a["attempts"], 1, "{a}");
    assert_eq!(a["error"]["code"], "diagnostic.requested_abort");
    let r = app.wait_for_status(&t, &retried, &["dead"], Duration::from_secs(30)).await;
    assert_eq!(r["attempts"], 2, "{r}");
    assert_eq!(r["error"]["code"], "diagnostic.requested_retry");
    let to = app.wait_for_status(&t, &timed_out, &["dead"], Duration::from_secs(30)).await;
    assert_eq!(to["error"]["code"], "job.timeout");
    assert_eq!(to["attempts"], 2);

    // Nothing runs them again: apalis-redis would re-queue a failed task
    // up to 25 times; our runtime acknowledges every attempt itself.
    tokio::time::sleep(Duration::from_secs(3)).await;
    for (id, attempts) in [(&aborted, 1), (&retried, 2), (&timed_out, 2)] {
        let j = json(app.get(&format!("/v1/jobs/{id}"), &t).await).await;
        assert_eq!((j["status"].as_str(), j["attempts"].as_u64()), (Some("dead"), Some(attempts)), "{j}");
    }
    if backend == Backend::Scaled {
        assert_eq!(redis_leftovers(&app).await, (0, 0), "the queue must agree with the store");
    }
    let failed_list = json(app.get("/v1/jobs?status=dead&kind=sleep", &t).await).await;
    assert_eq!(failed_list["total"], 3);

    // An operator retry re-queues a dead job with a fresh attempt budget.
    let resp = app.post(&format!("/v1/jobs/{aborted}/retry"), &t, &json!({})).await;
    assert_eq!(resp.status().as_u16(), 202);
    let again = app.wait_for_status(&t, &aborted, &["dead"], Duration::from_secs(20)).await;
    assert_eq!(again["attempts"], 1, "{again}");
    let ok = sleep_job(&app, &t, json!({"millis": 0})).await;
    app.wait_for_status(&t, &ok, &["succeeded"], Duration::from_secs(20)).await;
    assert_error(app.post(&format!("/v1/jobs/{ok}/retry"), &t, &json!({})).await, 409, "job.not_retryable").await;
});

on_both_backends!(queued_jobs_can_be_cancelled_and_never_run, |backend: Backend| async move {
    let app = TestApp::spawn_with(backend, false, |_| {}).await;
    let t = app.token("acme", Role::Admin);
    let id = sleep_job(&app, &t, json!({"millis": 0})).await;
    let other = app.token("globex", Role::Admin);
    assert_error(app.post(&format!("/v1/jobs/{id}/cancel"), &other, &json!({})).await, 404, "job.not_found").await;
    let resp = app.post(&format!("/v1/jobs/{id}/cancel"), &t, &json!({})).await;
    assert_eq!(resp.status().as_u16(), 200);
    assert_eq!(json(resp).await["status"], "cancelled");
    assert_error(app.post(&format!("/v1/jobs/{id}/cancel"), &t, &json!({})).await, 409, "job.not_cancellable").await;

    // Start a worker now: it receives the message and must skip the job.
    let (backends, settings) = (app.backends.clone(), app.settings.clone());
    let (stop, shutdown) = meeteasy_api::shutdown::Shutdown::manual();
    tokio::spawn(async move {
        meeteasy_api::server::work(&backends, &settings, &[meeteasy_models::Pool::Cpu], shutdown).await
    });
    let done = sleep_job(&app, &t, json!({"millis": 0})).await;
    app.wait_for_status(&t, &done, &["succeeded"], Duration::from_secs(20)).await;
    let j = json(app.get(&format!("/v1/jobs/{id}"), &t).await).await;
    assert_eq!((j["status"].as_str(), j["attempts"].as_u64()), (Some("cancelled"), Some(0)), "{j}");
    let _ = stop.send(true);
});

on_both_backends!(jobs_are_paginated_and_isolated_by_tenant, |backend: Backend| async move {
    let app = TestApp::spawn_with(backend, false, |_| {}).await;
    let t = app.token("acme", Role::Admin);
    let mut ids = Vec::new();
    for _ in 0..5 {
        ids.push(sleep_job(&app, &t, json!({"millis": 0})).await);
    }
    let page = json(app.get("/v1/jobs?page=2&page_size=2", &t).await).await;
    assert_eq!(
        (page["total"].as_u64(), page["page"].as_u64(), page["page_size"].as_u64()),
        (Some(5), Some(2), Some(2))
    );
    let listed: Vec<&str> = page["items"].as_array().into_iter().flatten().filter_map(|j| j["id"].as_str()).collect();
    assert_eq!(listed, [ids[2].as_str(), ids[1].as_str()], "newest first");
    let clamped = json(app.get("/v1/jobs?page_size=1000", &t).await).await;
    assert_eq!(clamped["page_size"], 100);
    assert_eq!(json(app.get("/v1/jobs?status=succeeded", &t).await).await["total"], 0);
    assert_error(app.get("/v1/jobs?status=bogus", &t).await, 422, "request.invalid").await;
    assert_error(app.get("/v1/jobs?tenant_id=globex", &t).await, 403, "auth.tenant_mismatch").await;

    let globex = app.token("globex", Role::Admin);
    for path in
        [format!("/v1/jobs/{}", ids[0]), "/v1/jobs/not-a-uuid".into(), format!("/v1/jobs/{}", uuid::Uuid::now_v7())]
    {
        assert_error(app.get(&path, &globex).await, 404, "job.not_found").await;
    }
    assert_error(app.post(&format!("/v1/jobs/{}/retry", ids[0]), &globex, &json!({})).await, 404, "job.not_found")
        .await;
    let root = app.token("platform", Role::SuperAdmin);
    assert_eq!(json(app.get(&format!("/v1/jobs/{}", ids[0]), &root).await).await["id"], ids[0].as_str());

    let organizer = app.token("acme", Role::Organizer);
    assert_error(app.get("/v1/queues", &organizer).await, 403, "auth.forbidden").await;
    assert_error(app.post("/v1/diagnostics/sleep", &organizer, &json!({})).await, 403, "auth.forbidden").await;
    let queues = json(app.get("/v1/queues", &t).await).await;
    let sleep_q =
        queues["queues"].as_array().into_iter().flatten().find(|q| q["kind"] == "sleep").cloned().unwrap_or_default();
    assert_eq!(sleep_q["depth"].as_u64().unwrap_or(0) + sleep_q["scheduled"].as_u64().unwrap_or(0), 5, "{queues}");
    assert_eq!(queues["backend"], if backend == Backend::Embedded { "sqlite" } else { "redis" });
});

// A job whose first push never reached the queue is `dead` with
// `queue.unavailable`; asking again with the same key (a client's repeat, a
// parent's re-run) queues it again instead of handing back a job that
// nothing will ever run.
on_both_backends!(a_job_that_never_reached_the_queue_is_revived_by_its_key, |backend: Backend| async move {
    use meeteasy_jobs::IdemKey;
    use meeteasy_jobs::kinds::Sleep;
    use meeteasy_jobs::store::{ErrorPatch, JobRecord, Transition};
    use meeteasy_models::{JobError, JobKind, JobStatus, TenantId};

    let app = TestApp::spawn(backend).await;
    let tenant = TenantId::parse("acme").unwrap_or_else(|e| panic!("{e}"));
    let key = IdemKey::internal("child:1");
    let payload = serde_json::to_value(Sleep { millis: 0, fail: None }).unwrap_or_default();
    let rec = JobRecord::new(tenant.clone(), "olga", JobKind::Sleep, payload, Some(&key));
    let id = rec.id;
    app.jobs.store.create_job(rec).await.unwrap_or_else(|e| panic!("{e}"));
    let unqueued =
        Transition::new(&tenant, id, &[JobStatus::Queued], JobStatus::Dead).error(ErrorPatch::Set(JobError {
            code: "queue.unavailable".into(),
            message: "the job could not be queued".into(),
        }));
    app.jobs.store.transition(unqueued).await.unwrap_or_else(|e| panic!("{e}"));

    let again = app
        .jobs
        .enqueue(&tenant, "olga", Sleep { millis: 0, fail: None }, Some(key))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((again.id, again.status), (id, JobStatus::Queued), "the same job, queued again");
    let t = app.token_as("acme", Role::Organizer, "olga");
    let done = app.wait_for_status(&t, &id.to_string(), &["succeeded"], Duration::from_secs(20)).await;
    assert_eq!(done["attempts"], 1, "{done}");
});

// Two messages for one job (a retry still scheduled when an operator
// retries, a recovery re-push): only the newest dispatch runs it; the
// older message is a no-op, so the job never runs twice at once.
on_both_backends!(only_the_newest_message_of_a_job_runs_it, |backend: Backend| async move {
    use meeteasy_jobs::Envelope;
    use meeteasy_jobs::kinds::Sleep;
    use meeteasy_jobs::store::{JobRecord, Transition};
    use meeteasy_models::{JobKind, JobStatus, TenantId};

    let app = TestApp::spawn_with(backend, false, |_| {}).await;
    let tenant = TenantId::parse("acme").unwrap_or_else(|e| panic!("{e}"));
    let sleep = Sleep { millis: 1000, fail: None };
    let rec =
        JobRecord::new(tenant.clone(), "adam", JobKind::Sleep, serde_json::to_value(&sleep).unwrap_or_default(), None);
    let id = rec.id;
    app.jobs.store.create_job(rec).await.unwrap_or_else(|e| panic!("{e}"));
    let push =
        |dispatch| Envelope { job_id: id, tenant_id: tenant.clone(), dispatch, payload: sleep.clone(), record: None };
    app.jobs.queues.push(push(0), None).await.unwrap_or_else(|e| panic!("{e}"));
    let again = Transition::new(&tenant, id, &[JobStatus::Queued], JobStatus::Queued).redispatch();
    let rec = app.jobs.store.transition(again).await.ok().flatten().unwrap_or_else(|| panic!("redispatch"));
    assert_eq!(rec.dispatch, 1);
    app.jobs.queues.push(push(1), None).await.unwrap_or_else(|e| panic!("{e}"));

    // Both messages are ready at once; four slots would take both.
    let workers = TestApp::spawn_with(backend, true, |s| {
        s.runtime.namespace = app.settings.runtime.namespace.clone();
        s.mongodb_url = app.settings.mongodb_url.clone();
        s.data_dir = app.settings.data_dir.clone();
    })
    .await;
    let t = workers.token_as("acme", Role::Admin, "adam");
    let done = workers.wait_for_status(&t, &id.to_string(), &["succeeded"], Duration::from_secs(20)).await;
    assert_eq!(done["attempts"], 1, "one run, from the newest message: {done}");
    assert_eq!(done["result"]["attempt"], 1, "{done}");
});

/// An app whose sweeper runs every second with a 1 s grace.
async fn sweeping_app(backend: Backend) -> TestApp {
    TestApp::spawn_with(backend, true, |s| {
        s.runtime.sweep_interval_secs = 1;
        s.runtime.sweep_grace_secs = 1;
    })
    .await
}

fn acme() -> meeteasy_models::TenantId {
    meeteasy_models::TenantId::parse("acme").unwrap_or_else(|e| panic!("{e}"))
}

/// A `queued` no-op `sleep` record of acme's adam, written to the store
/// only: no queue message exists for it.
fn unqueued_sleep() -> meeteasy_jobs::store::JobRecord {
    use meeteasy_jobs::kinds::Sleep;
    let payload = serde_json::to_value(Sleep { millis: 0, fail: None }).unwrap_or_default();
    meeteasy_jobs::store::JobRecord::new(acme(), "adam", meeteasy_models::JobKind::Sleep, payload, None)
}

// A record whose message never reached the queue (the process died between
// the two writes) is found by the sweeper once the queue is empty, and runs.
// An operator may also retry a job stuck like that, past the same grace.
on_both_backends!(the_sweeper_dispatches_jobs_whose_message_was_lost, |backend: Backend| async move {
    let app = sweeping_app(backend).await;
    let mut lost = Vec::new();
    for _ in 0..3 {
        let rec = unqueued_sleep();
        lost.push(rec.id.to_string());
        app.jobs.store.create_job(rec).await.unwrap_or_else(|e| panic!("{e}"));
    }
    let t = app.token_as("acme", Role::Admin, "adam");
    // Retrying before the grace is refused: the job may just be waiting.
    assert_error(app.post(&format!("/v1/jobs/{}/retry", lost[0]), &t, &json!({})).await, 409, "job.not_retryable")
        .await;
    for id in &lost {
        let done = app.wait_for_status(&t, id, &["succeeded"], Duration::from_secs(20)).await;
        assert_eq!(done["attempts"], 1, "{done}");
    }
});

// Fan-in recovery (see `jobs::runtime::fanin`). Parent A waits on a child
// that already ended, but its wake-up was lost (the process died right
// after the child's last write): the sweeper wakes it. Parent B waits on a
// child whose message was lost: the sweeper dispatches the child, and the
// child's end wakes B. Both parents then run their continuation once.
on_both_backends!(a_waiting_parent_is_woken_by_its_last_child_or_the_sweeper, |backend: Backend| async move {
    use meeteasy_jobs::store::{JobRecord, now};
    use meeteasy_models::JobStatus;

    let app = sweeping_app(backend).await;
    let tenant = acme();
    let long_ago = now() - chrono::TimeDelta::minutes(30);
    let record = |status: JobStatus, parent: Option<&JobRecord>| {
        let mut r = unqueued_sleep();
        r.status = status;
        r.parent = parent.map(|p| p.id);
        r.updated_at = long_ago;
        r
    };
    let waiting = |mut r: JobRecord| {
        r.waiting = true;
        r.children = 1;
        r
    };
    let a = waiting(record(JobStatus::Running, None));
    let a_child = record(JobStatus::Succeeded, Some(&a));
    let b = waiting(record(JobStatus::Running, None));
    let b_child = record(JobStatus::Queued, Some(&b));
    for r in [&a, &a_child, &b, &b_child] {
        app.jobs.store.create_job(r.clone()).await.unwrap_or_else(|e| panic!("{e}"));
    }
    let t = app.token_as("acme", Role::Admin, "adam");
    for id in [a.id, b_child.id, b.id] {
        let done = app.wait_for_status(&t, &id.to_string(), &["succeeded"], Duration::from_secs(30)).await;
        assert_eq!(done["attempts"], 1, "one run: {done}");
    }
    let b_done = app.jobs.store.get_job(&tenant, b.id).await.ok().flatten().unwrap_or_else(|| panic!("gone"));
    assert!(!b_done.waiting, "the continuation is no longer waiting");
    assert_eq!(b_done.children, 1, "it still knows its children");
});

// Cancelling a fan-in parent cancels the children it queued that have not
// ended (nothing would read their results, and on the AI pool they would
// hold slots); children that ended keep their status.
on_both_backends!(cancelling_a_parent_cancels_its_open_children, |backend: Backend| async move {
    use meeteasy_models::JobStatus;

    let app = TestApp::spawn_with(backend, false, |_| {}).await;
    let mut parent = unqueued_sleep();
    parent.status = JobStatus::Running;
    parent.waiting = true;
    parent.children = 3;
    let child = |status: JobStatus| {
        let mut r = unqueued_sleep();
        r.status = status;
        r.parent = Some(parent.id);
        r
    };
    let (queued, failed, done) = (child(JobStatus::Queued), child(JobStatus::Failed), child(JobStatus::Succeeded));
    for r in [&parent, &queued, &failed, &done] {
        app.jobs.store.create_job(r.clone()).await.unwrap_or_else(|e| panic!("{e}"));
    }
    let t = app.token_as("acme", Role::Admin, "adam");
    let resp = app.post(&format!("/v1/jobs/{}/cancel", parent.id), &t, &json!({})).await;
    assert_eq!(resp.status().as_u16(), 200);
    for (rec, want) in [(&queued, "cancelled"), (&failed, "cancelled"), (&done, "succeeded")] {
        let view = json(app.get(&format!("/v1/jobs/{}", rec.id), &t).await).await;
        assert_eq!(view["status"], want, "{view}");
    }
});

// An idle worker picks a new job up at its poll interval, not at its next
// heartbeat. apalis' interval poll did not arm its next wake-up after it
// fired, so a job posted after the previous one finished waited for the
// heartbeat (up to 5 s in `meeteasy dev`; see `jobs::queue::tick`). With a
// 30 s heartbeat each of these jobs would take seconds; with the poll
// (10 ms here) it takes the job's own time plus milliseconds. The bound,
// the job's time plus 3 s, is far above any pickup this machine has shown
// and a tenth of the heartbeat.
on_both_backends!(an_idle_worker_picks_up_at_its_poll_interval_not_its_heartbeat, |backend: Backend| async move {
    // A job of 2 s, as an OCR page takes, then jobs posted to the idle
    // worker: with apalis' poll the 2 s job waited for the heartbeat (30.7 s)
    // on the embedded queue. The loss is timing-dependent: it showed with
    // the default 25 ms poll, not with the tests' usual 10 ms.
    let app = TestApp::spawn_with(backend, true, |s| {
        s.runtime.heartbeat_secs = 30;
        s.runtime.poll_interval_ms = 25;
    })
    .await;
    let t = app.token("acme", Role::Admin);
    for (round, millis) in [0u64, 2000, 0, 0].into_iter().enumerate() {
        let resp = app.post("/v1/diagnostics/sleep", &t, &json!({ "millis": millis })).await;
        let id = json(resp).await["id"].as_str().unwrap_or_default().to_string();
        let done = app.wait_for_status(&t, &id, &["succeeded"], Duration::from_secs(60)).await;
        let at = |k: &str| chrono::DateTime::parse_from_rfc3339(done[k].as_str().unwrap_or_default()).ok();
        let (Some(created), Some(ended)) = (at("created_at"), at("updated_at")) else { panic!("{done}") };
        let took = (ended - created).to_std().unwrap_or_default();
        let bound = Duration::from_millis(millis) + Duration::from_secs(3);
        assert!(took < bound, "round {round}: created → succeeded took {took:?}: {done}");
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
});
