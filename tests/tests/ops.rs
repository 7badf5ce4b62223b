//! Health, readiness, metrics, OpenAPI, fallbacks and rate limits.

use meeteasy_models::auth::Role;
use meeteasy_tests::app::{assert_error, json};
use meeteasy_tests::{Backend, TestApp, on_both_backends};
use serde_json::json;

on_both_backends!(operations_endpoints_answer, |backend: Backend| async move {
    let app = TestApp::spawn(backend).await;
    let get = |p: &str| app.client.get(app.url(p)).send();
    assert_eq!(json(get("/healthz").await.unwrap_or_else(|e| panic!("{e}"))).await["status"], "ok");
    let ready = json(get("/readyz").await.unwrap_or_else(|e| panic!("{e}"))).await;
    assert_eq!(ready["status"], "ready");
    assert_eq!(ready["store"], if backend == Backend::Embedded { "sqlite" } else { "mongodb" });

    let t = app.token("acme", Role::Admin);
    let resp = app.post("/v1/diagnostics/sleep", &t, &json!({"millis": 0})).await;
    assert_eq!(resp.status().as_u16(), 202);
    let id = json(resp).await["id"].as_str().unwrap_or_default().to_string();
    app.wait_for_status(&t, &id, &["succeeded"], std::time::Duration::from_secs(30)).await;
    let metrics = get("/metrics").await.unwrap_or_else(|e| panic!("{e}")).text().await.unwrap_or_default();
    for needle in [
        "meeteasy_queue_depth{",
        "meeteasy_jobs{",
        "meeteasy_http_requests_total{",
        "queue=\"",
        "pool=\"cpu\"",
        // Where an attempt's time goes, and what it costs the store.
        "meeteasy_job_phase_seconds_count{kind=\"sleep\",phase=\"start\"}",
        "meeteasy_job_phase_seconds_count{kind=\"sleep\",phase=\"run\"}",
        "meeteasy_job_phase_seconds_count{kind=\"sleep\",phase=\"finish\"}",
        "meeteasy_store_calls_total{op=\"create_job\"}",
    ] {
        assert!(metrics.contains(needle), "/metrics lacks {needle}:\n{metrics}");
    }
    assert!(metrics.contains("route=\"/v1/diagnostics/sleep\""), "routes are labelled by template");

    let spec = json(get("/openapi.json").await.unwrap_or_else(|e| panic!("{e}"))).await;
    for path in ["/v1/jobs", "/v1/jobs/{id}", "/v1/analytics/events", "/v1/analytics/summary", "/v1/queues"] {
        assert!(spec["paths"][path].is_object(), "OpenAPI lacks {path}");
    }
    let docs = get("/docs/").await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(docs.status().as_u16(), 200);
    assert!(docs.text().await.unwrap_or_default().contains("swagger"), "Swagger UI page");
    assert_error(get("/v2/nothing").await.unwrap_or_else(|e| panic!("{e}")), 404, "route.not_found").await;
});

on_both_backends!(tenants_are_rate_limited_with_retry_after, |backend: Backend| async move {
    let app = TestApp::spawn_with(backend, false, |s| s.limits.tenant_requests_per_minute = 3).await;
    let (acme, globex) = (app.token("acme", Role::Organizer), app.token("globex", Role::Organizer));
    for _ in 0..3 {
        assert_eq!(app.get("/v1/jobs", &acme).await.status().as_u16(), 200);
    }
    let resp = app.get("/v1/jobs", &acme).await;
    let retry_after: u64 =
        resp.headers().get("retry-after").and_then(|v| v.to_str().ok()).and_then(|v| v.parse().ok()).unwrap_or(0);
    assert!((1..=60).contains(&retry_after), "Retry-After {retry_after}");
    assert_error(resp, 429, "request.rate_limited").await;
    assert_eq!(app.get("/v1/jobs", &globex).await.status().as_u16(), 200, "other tenants are unaffected");
});

// A refused upload is answered, not reset: the server stops reading at the
// limit, but the client is still sending; without a lingering drain the
// connection is closed with unread bytes and the client sees "connection
// reset" instead of the 413 (it did, now and then, in CI).
on_both_backends!(oversize_uploads_are_answered_not_reset, |backend: Backend| async move {
    let app = TestApp::spawn_with(backend, false, |s| {
        s.limits.document_body_bytes = 1024 * 1024;
        s.limits.audio_body_bytes = 1024 * 1024;
    })
    .await;
    let t = app.token("acme", Role::Organizer);
    let body = vec![b'%'; 24 * 1024 * 1024];
    for (i, path) in ["/v1/documents", "/v1/ocr", "/v1/transcriptions"].iter().cycle().take(12).enumerate() {
        let resp = app.upload_files(path, &t, &[("big.pdf", body.clone())], &[]).await;
        assert_eq!(resp.status().as_u16(), 413, "try {i}: {path}");
        assert_error(resp, 413, "request.too_large").await;
    }
    // The connection that carried the refusals still serves requests.
    assert_eq!(app.get("/v1/jobs", &t).await.status().as_u16(), 200);
});

// `/metrics` can require a bearer token and move to its own listener; a
// scrape renders cached gauges and so costs the store nothing.
on_both_backends!(metrics_can_be_protected_and_moved, |backend: Backend| async move {
    let port = meeteasy_tests::procs::free_port();
    let listen = format!("127.0.0.1:{port}");
    let app = TestApp::spawn_with(backend, false, |s| {
        s.metrics.bearer_token = Some("scrape-secret".into());
        s.metrics.listen = Some(listen.clone());
    })
    .await;
    let main = app.client.get(app.url("/metrics")).send().await.unwrap_or_else(|e| panic!("{e}"));
    assert_error(main, 404, "route.not_found").await;
    let url = format!("http://{listen}/metrics");
    // The metrics listener starts beside the API's, a moment later.
    let mut anonymous = app.client.get(&url).send().await;
    for _ in 0..100 {
        if anonymous.is_ok() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        anonymous = app.client.get(&url).send().await;
    }
    let anonymous = anonymous.unwrap_or_else(|e| panic!("{e}"));
    assert_error(anonymous, 401, "auth.missing_token").await;
    let wrong = app.client.get(&url).bearer_auth("nope").send().await.unwrap_or_else(|e| panic!("{e}"));
    assert_error(wrong, 401, "auth.invalid_token").await;
    // The gauges come from a background refresh that starts with the
    // server: the first scrape may precede its first pass.
    let mut body = String::new();
    for _ in 0..100 {
        let ok = app.client.get(&url).bearer_auth("scrape-secret").send().await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(ok.status().as_u16(), 200);
        body = ok.text().await.unwrap_or_default();
        if body.contains("meeteasy_queue_depth{") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(body.contains("meeteasy_queue_depth{"), "cached gauges are served: {body}");
});
