//! The analytics pipeline end to end: POST batches → ingest_analytics job
//! → raw events + rollups → summary.

use std::time::Duration;

use meeteasy_models::auth::Role;
use meeteasy_tests::app::{assert_error, json};
use meeteasy_tests::{Backend, TestApp, on_both_backends};
use serde_json::{Value, json};

fn event(id: &str, conf: &str, ty: &str, ts: &str) -> Value {
    json!({"event_id": id, "conference_id": conf, "type": ty, "ts": ts, "attrs": {"k": id}})
}

async fn ingest(app: &TestApp, token: &str, events: Vec<Value>) -> Value {
    let resp = app.post("/v1/analytics/events", token, &json!({ "events": events })).await;
    assert_eq!(resp.status().as_u16(), 202);
    let job = json(resp).await;
    assert_eq!(job["kind"], "ingest_analytics");
    assert_eq!(job["status"], "queued");
    let id = job["id"].as_str().unwrap_or_default().to_string();
    app.wait_for_status(token, &id, &["succeeded"], Duration::from_secs(30)).await
}

async fn summary(app: &TestApp, token: &str, conf: &str, granularity: &str) -> Value {
    let path = format!(
        "/v1/analytics/summary?conference_id={conf}&from=2026-11-27T00:00:00Z&to=2026-11-29T00:00:00Z&granularity={granularity}"
    );
    let resp = app.get(&path, token).await;
    assert_eq!(resp.status().as_u16(), 200);
    json(resp).await
}

on_both_backends!(repeated_batches_count_once_and_tenants_are_isolated, |backend: Backend| async move {
    let app = TestApp::spawn(backend).await;
    let acme = app.token("acme", Role::Organizer);
    let batch1 = vec![
        event("e1", "conf-1", "page_view", "2026-11-27T10:15:00Z"),
        event("e2", "conf-1", "page_view", "2026-11-27T10:15:30Z"),
        event("e3", "conf-1", "check_in", "2026-11-27T10:16:00+08:00"),
    ];
    let batch2 = vec![
        event("e4", "conf-1", "page_view", "2026-11-27T11:00:00Z"),
        event("e5", "conf-1", "session_join", "2026-11-28T09:00:00Z"),
        event("e5", "conf-1", "session_join", "2026-11-28T09:00:00Z"),
        event("x1", "conf-2", "page_view", "2026-11-27T11:00:00Z"),
    ];
    let first = ingest(&app, &acme, batch1.clone()).await;
    assert_eq!(first["result"]["accepted"], 3);
    ingest(&app, &acme, batch2).await;
    let repeat = ingest(&app, &acme, batch1).await;
    assert_eq!(repeat["result"]["accepted"], 0, "{repeat}");
    assert_eq!(repeat["result"]["duplicates"], 3, "{repeat}");

    let day = summary(&app, &acme, "conf-1", "day").await;
    assert_eq!(day["conference_id"], "conf-1");
    assert_eq!(day["granularity"], "day");
    assert_eq!(day["totals"], json!({"page_view": 3, "check_in": 1, "session_join": 1}), "{day}");
    assert_eq!(
        day["buckets"],
        json!([
            {"start": "2026-11-27T00:00:00Z", "counts": {"check_in": 1, "page_view": 3}},
            {"start": "2026-11-28T00:00:00Z", "counts": {"session_join": 1}},
        ])
    );
    let hour = summary(&app, &acme, "conf-1", "hour").await;
    let starts: Vec<&str> =
        hour["buckets"].as_array().into_iter().flatten().filter_map(|b| b["start"].as_str()).collect();
    // 10:16+08:00 is 02:16Z.
    assert_eq!(
        starts,
        ["2026-11-27T02:00:00Z", "2026-11-27T10:00:00Z", "2026-11-27T11:00:00Z", "2026-11-28T09:00:00Z"]
    );
    let minute = summary(&app, &acme, "conf-1", "minute").await;
    assert_eq!(minute["buckets"][1], json!({"start": "2026-11-27T10:15:00Z", "counts": {"page_view": 2}}));
    assert_eq!(summary(&app, &acme, "conf-2", "day").await["totals"], json!({"page_view": 1}));

    let globex = app.token("globex", Role::Organizer);
    let other = summary(&app, &globex, "conf-1", "day").await;
    assert_eq!(other["totals"], json!({}));
    assert_eq!(other["buckets"], json!([]));
    let job_id = first["id"].as_str().unwrap_or_default();
    assert_error(app.get(&format!("/v1/jobs/{job_id}"), &globex).await, 404, "job.not_found").await;
    let listed = json(app.get("/v1/jobs", &globex).await).await;
    assert_eq!(listed["total"], 0);
});

on_both_backends!(invalid_batches_are_rejected_before_queueing, |backend: Backend| async move {
    let app = TestApp::spawn(backend).await;
    let t = app.token("acme", Role::Attendee);
    let bad_ts = json!({"events": [event("e1", "c", "page_view", "yesterday")]});
    let body = assert_error(app.post("/v1/analytics/events", &t, &bad_ts).await, 422, "analytics.invalid_event").await;
    assert!(body["error"]["message"].as_str().unwrap_or_default().contains("events[0].ts"), "{body}");
    let bad_type = json!({"events": [event("e1", "c", "a.b", "2026-11-27T10:15:00Z")]});
    assert_error(app.post("/v1/analytics/events", &t, &bad_type).await, 422, "analytics.invalid_event").await;
    assert_error(app.post("/v1/analytics/events", &t, &json!({"events": []})).await, 422, "analytics.batch_too_large")
        .await;
    let many: Vec<Value> = (0..1001).map(|i| event(&format!("e{i}"), "c", "v", "2026-11-27T10:15:00Z")).collect();
    assert_error(
        app.post("/v1/analytics/events", &t, &json!({ "events": many })).await,
        422,
        "analytics.batch_too_large",
    )
    .await;
    let not_json = app
        .client
        .post(app.url("/v1/analytics/events"))
        .bearer_auth(&t)
        .header("content-type", "application/json")
        .body("{")
        .send()
        .await;
    assert_error(not_json.unwrap_or_else(|e| panic!("{e}")), 422, "request.malformed_json").await;
    let other_tenant = json!({"tenant_id": "globex", "events": [event("e1", "c", "v", "2026-11-27T10:15:00Z")]});
    assert_error(app.post("/v1/analytics/events", &t, &other_tenant).await, 403, "auth.tenant_mismatch").await;
    let huge = "x".repeat(1_100_000);
    let too_big = app
        .client
        .post(app.url("/v1/analytics/events"))
        .bearer_auth(&t)
        .header("content-type", "application/json")
        .body(format!("{{\"pad\":\"{huge}\"}}"))
        .send()
        .await;
    assert_error(too_big.unwrap_or_else(|e| panic!("{e}")), 413, "request.too_large").await;
    let jobs = json(app.get("/v1/jobs", &app.token("acme", Role::Organizer)).await).await;
    assert_eq!(jobs["total"], 0, "nothing may be queued for rejected input: {jobs}");
    let attendee = app.get("/v1/analytics/summary?conference_id=c", &t).await;
    assert_error(attendee, 403, "auth.forbidden").await;
});

on_both_backends!(idempotency_keys_return_the_same_job_per_tenant, |backend: Backend| async move {
    let app = TestApp::spawn(backend).await;
    let (acme, globex) = (app.token("acme", Role::Organizer), app.token("globex", Role::Organizer));
    let body = json!({"events": [event("e1", "c", "v", "2026-11-27T10:15:00Z")]});
    let send = |token: String, key: &'static str| {
        let req = app
            .client
            .post(app.url("/v1/analytics/events"))
            .bearer_auth(token)
            .header("idempotency-key", key)
            .json(&body);
        async move { json(req.send().await.unwrap_or_else(|e| panic!("{e}"))).await }
    };
    let a1 = send(acme.clone(), "batch-42").await;
    let a2 = send(acme.clone(), "batch-42").await;
    let b1 = send(globex.clone(), "batch-42").await;
    let a3 = send(acme.clone(), "batch-43").await;
    assert_eq!(a1["id"], a2["id"]);
    assert_ne!(a1["id"], b1["id"]);
    assert_ne!(a1["id"], a3["id"]);
    assert_eq!(json(app.get("/v1/jobs", &acme).await).await["total"], 2);
});

// A minute counted by the version before per-job parts (a rollup with a
// count and no parts) keeps that count when a new batch lands in it: the
// count becomes the minute's `legacy` part. SQLite converts such minutes in
// its migration; MongoDB when a batch first touches them, which this checks.
#[tokio::test]
async fn a_minute_counted_before_parts_keeps_its_count() {
    use meeteasy_models::analytics::Granularity;
    let app = TestApp::spawn(Backend::Scaled).await;
    let acme = app.token("acme", Role::Organizer);
    let tenant = meeteasy_models::TenantId::parse("acme").unwrap_or_else(|e| panic!("{e}"));
    let start = chrono::DateTime::parse_from_rfc3339("2026-11-27T10:15:00Z")
        .unwrap_or_else(|e| panic!("{e}"))
        .with_timezone(&chrono::Utc);
    let old: meeteasy_models::analytics::Counts = [("page_view".to_string(), 5)].into_iter().collect();
    app.jobs
        .store
        .raise_rollup(&tenant, "conf-1", Granularity::Minute, start, &old)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    ingest(&app, &acme, vec![event("n1", "conf-1", "page_view", "2026-11-27T10:15:10Z")]).await;
    ingest(&app, &acme, vec![event("n2", "conf-1", "page_view", "2026-11-27T10:15:20Z")]).await;
    let minute = summary(&app, &acme, "conf-1", "minute").await;
    assert_eq!(minute["totals"], json!({"page_view": 7}), "{minute}");
}
