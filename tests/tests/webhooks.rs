//! Webhooks: registration rules (SSRF), signed deliveries, retries to dead.

use std::time::Duration;

use hmac::{Hmac, Mac};
use meeteasy_models::auth::Role;
use meeteasy_tests::app::{assert_error, json, quick_retries};
use meeteasy_tests::receiver::Receiver;
use meeteasy_tests::{Backend, TestApp, on_both_backends};
use serde_json::{Value, json};
use sha2::Sha256;

/// The documented verification recipe, as a receiver would write it.
fn verify(secret: &str, header: &str, body: &[u8]) -> bool {
    let mut ts = None;
    let mut sig = None;
    for part in header.split(',') {
        match part.split_once('=') {
            Some(("t", v)) => ts = Some(v),
            Some(("v1", v)) => sig = Some(v),
            _ => {}
        }
    }
    let (Some(ts), Some(sig)) = (ts, sig) else { return false };
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else { return false };
    mac.update(ts.as_bytes());
    mac.update(b".");
    mac.update(body);
    let fresh = ts.parse::<i64>().is_ok_and(|t| (chrono::Utc::now().timestamp() - t).abs() < 300);
    fresh && hex::decode(sig).is_ok_and(|s| mac.verify_slice(&s).is_ok())
}

async fn register(app: &TestApp, token: &str, url: &str) -> reqwest::Response {
    app.post("/v1/webhooks", token, &json!({ "url": url, "events": ["job.completed", "job.failed"] })).await
}

on_both_backends!(private_targets_and_other_schemes_are_refused, |backend: Backend| async move {
    let app = TestApp::spawn_with(backend, false, |_| {}).await;
    let t = app.token("acme", Role::Admin);
    for url in [
        "http://127.0.0.1:9/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://10.0.0.7/x",
        "http://[::1]/x",
        "http://localhost/x",
        "http://[64:ff9b::a9fe:a9fe]/x",
        "http://[2002:a9fe:a9fe::]/x",
        "http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/x",
        "http://[::7f00:1]/x",
        "http://[fec0::1]/x",
        "http://[::ffff:a9fe:a9fe]/x",
        "http://2130706433/x",
        "http://0177.0.0.1/x",
        "http://0x7f.1/x",
    ] {
        assert_error(register(&app, &t, url).await, 422, "webhook.forbidden_target").await;
    }
    for url in ["ftp://example.com/x", "file:///etc/passwd", "not a url", "http://user:pw@example.com/"] {
        assert_error(register(&app, &t, url).await, 422, "webhook.invalid_url").await;
    }
    let organizer = app.token("acme", Role::Organizer);
    assert_error(register(&app, &organizer, "https://example.com/x").await, 403, "auth.forbidden").await;
    assert_eq!(json(app.get("/v1/webhooks", &t).await).await["items"], json!([]));
});

on_both_backends!(job_events_are_delivered_signed_and_failures_go_dead, |backend: Backend| async move {
    let good = Receiver::start(|_, _| 200).await;
    let broken = Receiver::start(|_, _| 500).await;
    let app = TestApp::spawn_with(backend, true, |s| {
        s.notifications.webhooks.allow_private = vec!["127.0.0.1/32".into()];
        quick_retries(s, "deliver_webhook", 2, 5);
    })
    .await;
    let t = app.token("acme", Role::Admin);
    let created = register(&app, &t, &format!("{}/hooks/meeteasy", good.url)).await;
    assert_eq!(created.status().as_u16(), 201);
    let hook = json(created).await;
    let secret = hook["secret"].as_str().unwrap_or_default().to_string();
    assert!(secret.starts_with("whsec_"));
    let bad_hook = json(register(&app, &t, &format!("{}/down", broken.url)).await).await;
    let listed = json(app.get("/v1/webhooks", &t).await).await;
    assert_eq!(listed["items"].as_array().map(Vec::len), Some(2));
    assert!(listed["items"][0].get("secret").is_none(), "secrets are shown once");
    // Another tenant neither sees nor deletes them.
    let globex = app.token("globex", Role::Admin);
    assert_eq!(json(app.get("/v1/webhooks", &globex).await).await["items"], json!([]));
    let foreign = app
        .client
        .delete(app.url(&format!("/v1/webhooks/{}", hook["id"].as_str().unwrap_or_default())))
        .bearer_auth(&globex)
        .send()
        .await;
    assert_error(foreign.unwrap_or_else(|e| panic!("{e}")), 404, "webhook.not_found").await;

    let resp = app.post("/v1/diagnostics/sleep", &t, &json!({"millis": 0})).await;
    let job_id = json(resp).await["id"].as_str().unwrap_or_default().to_string();
    app.wait_for_status(&t, &job_id, &["succeeded"], Duration::from_secs(20)).await;

    let start = std::time::Instant::now();
    while good.received().is_empty() && start.elapsed() < Duration::from_secs(20) {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let got = good.received();
    assert_eq!(got.len(), 1, "one delivery per endpoint and transition");
    let r = &got[0];
    assert_eq!(r.path, "/hooks/meeteasy");
    assert_eq!(r.headers.get("meeteasy-event").and_then(|v| v.to_str().ok()), Some("job.completed"));
    let sig = r.headers.get("meeteasy-signature").and_then(|v| v.to_str().ok()).unwrap_or_default();
    assert!(verify(&secret, sig, &r.body), "signature {sig} must verify");
    assert!(!verify("whsec_wrong", sig, &r.body));
    let body: Value = serde_json::from_slice(&r.body).unwrap_or_default();
    assert_eq!(body["event"], "job.completed");
    assert_eq!(body["data"]["id"], job_id.as_str());
    assert_eq!(body["data"]["status"], "succeeded");

    // The broken endpoint's delivery retries, then is dead and visible.
    let dead = loop {
        let list = json(app.get("/v1/jobs?kind=deliver_webhook&status=dead", &t).await).await;
        if list["total"].as_u64() == Some(1) {
            break list["items"][0].clone();
        }
        assert!(start.elapsed() < Duration::from_secs(30), "delivery to the broken endpoint never went dead: {list}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(dead["attempts"], 2, "{dead}");
    assert_eq!(dead["error"]["code"], "webhook.unavailable");
    assert_eq!(broken.received().len(), 2);
    let _ = bad_hook;

    let del = app
        .client
        .delete(app.url(&format!("/v1/webhooks/{}", hook["id"].as_str().unwrap_or_default())))
        .bearer_auth(&t)
        .send()
        .await;
    assert_eq!(del.map(|r| r.status().as_u16()).unwrap_or(0), 204);
});
