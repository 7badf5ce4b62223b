//! Single-use login tickets (SSO between the mini-program and H5).

use std::time::Duration;

use meeteasy_models::auth::Role;
use meeteasy_tests::app::{assert_error, json};
use meeteasy_tests::{Backend, TestApp, on_both_backends};
use serde_json::json;

async fn issue(app: &TestApp, token: &str) -> String {
    let resp = app.post("/v1/auth/tickets", token, &json!({})).await;
    assert_eq!(resp.status().as_u16(), 201);
    let body = json(resp).await;
    assert_eq!(body["expires_in"].as_u64(), Some(app.settings.auth.ticket_ttl_secs));
    body["ticket"].as_str().unwrap_or_default().to_string()
}

async fn exchange(app: &TestApp, ticket: &str) -> reqwest::Response {
    app.client
        .post(app.url("/v1/auth/tickets/exchange"))
        .json(&json!({ "ticket": ticket }))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

on_both_backends!(a_ticket_is_exchanged_exactly_once, |backend: Backend| async move {
    let app = TestApp::spawn_with(backend, false, |_| {}).await;
    let token = app.token("acme", Role::Organizer);
    let ticket = issue(&app, &token).await;
    let resp = exchange(&app, &ticket).await;
    assert_eq!(resp.status().as_u16(), 200);
    let access = json(resp).await["access_token"].as_str().unwrap_or_default().to_string();
    // The new token carries the same identity: it sees acme's jobs, and only them.
    assert_eq!(app.get("/v1/jobs", &access).await.status().as_u16(), 200);
    assert_error(app.get("/v1/jobs?tenant_id=globex", &access).await, 403, "auth.tenant_mismatch").await;
    assert_error(exchange(&app, &ticket).await, 401, "auth.invalid_ticket").await;
    assert_error(exchange(&app, "not-a-ticket").await, 401, "auth.invalid_ticket").await;
    assert_error(exchange(&app, &"0".repeat(64)).await, 401, "auth.invalid_ticket").await;
    let anonymous = app.client.post(app.url("/v1/auth/tickets")).send().await.unwrap_or_else(|e| panic!("{e}"));
    assert_error(anonymous, 401, "auth.missing_token").await;
});

on_both_backends!(fifty_concurrent_exchanges_give_one_token, |backend: Backend| async move {
    let app = TestApp::spawn_with(backend, false, |_| {}).await;
    let ticket = issue(&app, &app.token("acme", Role::Attendee)).await;
    let mut tasks = Vec::new();
    for _ in 0..50 {
        let (client, url, ticket) = (app.client.clone(), app.url("/v1/auth/tickets/exchange"), ticket.clone());
        tasks.push(tokio::spawn(async move {
            client.post(url).json(&json!({ "ticket": ticket })).send().await.map(|r| r.status().as_u16()).unwrap_or(0)
        }));
    }
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.unwrap_or(0));
    }
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 1, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 401).count(), 49, "{statuses:?}");
});

on_both_backends!(an_expired_ticket_is_refused, |backend: Backend| async move {
    let app = TestApp::spawn_with(backend, false, |s| s.auth.ticket_ttl_secs = 1).await;
    let ticket = issue(&app, &app.token("acme", Role::Attendee)).await;
    tokio::time::sleep(Duration::from_millis(2200)).await;
    assert_error(exchange(&app, &ticket).await, 401, "auth.invalid_ticket").await;
});
