//! Email and SMS jobs against a real SMTP server and a local HTTP gateway.

use std::time::Duration;

use mail_parser::MessageParser;
use meeteasy_jobs::kinds::SendEmail;
use meeteasy_jobs::store::{DeliveryKey, DeliveryStatus};
use meeteasy_models::TenantId;
use meeteasy_models::auth::Role;
use meeteasy_tests::app::{assert_error, json, quick_retries};
use meeteasy_tests::receiver::Receiver;
use meeteasy_tests::smtp::SmtpSink;
use meeteasy_tests::{Backend, TestApp, on_both_backends};
use serde_json::{Value, json};

fn reminder(to: &[&str], locale: &str) -> Value {
    json!({
        "to": to,
        "template": "session_reminder",
        "locale": locale,
        "vars": {"name": "李雷", "session_title": "Rust 异步编程", "starts_at": "2026-11-28 10:00"},
    })
}

async fn send(app: &TestApp, token: &str, body: &Value) -> Value {
    let resp = app.post("/v1/notifications/email", token, body).await;
    assert_eq!(resp.status().as_u16(), 202);
    json(resp).await
}

on_both_backends!(emails_arrive_with_both_parts_and_encoded_chinese, |backend: Backend| async move {
    let sink = SmtpSink::start();
    let app = TestApp::spawn_with(backend, true, |s| s.smtp_url = Some(sink.url())).await;
    let t = app.token("acme", Role::Organizer);
    let job =
        send(&app, &t, &reminder(&["li.lei@example.com", "han.meimei@example.com", "reject@example.com"], "zh-CN"))
            .await;
    let id = job["id"].as_str().unwrap_or_default();
    let done = app.wait_for_status(&t, id, &["succeeded"], Duration::from_secs(30)).await;
    assert_eq!((done["result"]["sent"].as_u64(), done["result"]["failed"].as_u64()), (Some(2), Some(1)), "{done}");

    let raw = sink.wait_for(2, Duration::from_secs(5)).await;
    assert_eq!(raw.len(), 2);
    for bytes in &raw {
        let text = String::from_utf8_lossy(bytes);
        assert!(text.contains("Subject: =?utf-8?"), "the Chinese subject is RFC 2047 encoded:\n{text}");
        let msg = MessageParser::default().parse(bytes).unwrap_or_else(|| panic!("unparseable message"));
        assert_eq!(msg.subject(), Some("提醒：Rust 异步编程 将于 2026-11-28 10:00 开始"));
        assert!(msg.from().and_then(|f| f.first()).and_then(|a| a.address()).is_some_and(|a| a.contains('@')));
        assert!(msg.message_id().is_some_and(|m| m.contains(id)), "Message-ID names the job");
        assert_eq!(msg.header_raw("Content-Language").map(str::trim), Some("zh-CN"));
        assert!(msg.body_text(0).is_some_and(|b| b.contains("李雷") && b.contains("Rust 异步编程")), "plain part");
        assert!(msg.body_html(0).is_some_and(|b| b.contains("<strong>Rust 异步编程</strong>")), "HTML part");
        assert_eq!(msg.text_body.len() + msg.html_body.len(), 2);
    }
    let tos: Vec<String> = raw
        .iter()
        .filter_map(|b| MessageParser::default().parse(b))
        .filter_map(|m| m.to().and_then(|t| t.first()).and_then(|a| a.address()).map(str::to_string))
        .collect();
    assert!(tos.contains(&"li.lei@example.com".to_string()) && tos.contains(&"han.meimei@example.com".to_string()));
});

on_both_backends!(an_idempotency_key_never_sends_twice, |backend: Backend| async move {
    let sink = SmtpSink::start();
    let app = TestApp::spawn_with(backend, true, |s| s.smtp_url = Some(sink.url())).await;
    let t = app.token("acme", Role::Organizer);
    let mut body = reminder(&["once@example.com"], "en");
    body["idempotency_key"] = json!("reminder-42-once");
    let a = send(&app, &t, &body).await;
    app.wait_for_status(&t, a["id"].as_str().unwrap_or_default(), &["succeeded"], Duration::from_secs(30)).await;
    let b = send(&app, &t, &body).await;
    assert_eq!(a["id"], b["id"]);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(sink.messages().len(), 1);
});

on_both_backends!(a_greylisting_4xx_is_retried_and_delivered_once, |backend: Backend| async move {
    let sink = SmtpSink::start();
    let app = TestApp::spawn_with(backend, true, |s| {
        s.smtp_url = Some(sink.url());
        quick_retries(s, "send_email", 3, 30);
    })
    .await;
    let t = app.token("acme", Role::Organizer);
    let job = send(&app, &t, &reminder(&["flaky@example.com", "steady@example.com"], "en")).await;
    let done = app
        .wait_for_status(&t, job["id"].as_str().unwrap_or_default(), &["succeeded", "dead"], Duration::from_secs(30))
        .await;
    assert_eq!(done["status"], "succeeded", "{done}");
    assert_eq!(done["attempts"], 2, "{done}");
    assert_eq!(done["result"]["sent"], 2, "{done}");
    assert_eq!(sink.messages().len(), 2, "steady@ is not sent again on the retry");
});

on_both_backends!(a_send_interrupted_by_a_crash_is_not_repeated, |backend: Backend| async move {
    let sink = SmtpSink::start();
    let app = TestApp::spawn_with(backend, false, |s| s.smtp_url = Some(sink.url())).await;
    let tenant = TenantId::parse("acme").unwrap_or_else(|e| panic!("{e}"));
    let job = SendEmail {
        to: vec!["maybe@example.com".into(), "fresh@example.com".into()],
        template: "welcome".into(),
        locale: "en".into(),
        vars: json!({"name": "Ann"}),
    };
    let rec = app.jobs.enqueue(&tenant, "test-user", job, None).await.unwrap_or_else(|e| panic!("{e}"));
    // A previous worker claimed maybe@ and died before the SMTP answer came back.
    let key = DeliveryKey {
        tenant_id: tenant.clone(),
        job_id: rec.id,
        channel: "email",
        recipient: "maybe@example.com".into(),
    };
    assert!(app.jobs.store.insert_delivery(&key, DeliveryStatus::Sending).await.unwrap_or(false));
    let (backends, settings) = (app.backends.clone(), app.settings.clone());
    let (_stop, shutdown) = meeteasy_api::shutdown::Shutdown::manual();
    tokio::spawn(async move {
        meeteasy_api::server::work(&backends, &settings, &[meeteasy_models::Pool::Cpu], shutdown).await
    });
    let t = app.token("acme", Role::Organizer);
    let done = app.wait_for_status(&t, &rec.id.to_string(), &["succeeded"], Duration::from_secs(30)).await;
    assert_eq!((done["result"]["sent"].as_u64(), done["result"]["unknown"].as_u64()), (Some(1), Some(1)), "{done}");
    let raw = sink.wait_for(1, Duration::from_secs(5)).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(sink.messages().len(), 1);
    assert!(String::from_utf8_lossy(&raw[0]).contains("fresh@example.com"));
});

on_both_backends!(per_provider_rate_limits_defer_without_dropping, |backend: Backend| async move {
    let sink = SmtpSink::start();
    let app = TestApp::spawn_with(backend, true, |s| {
        s.smtp_url = Some(sink.url());
        s.notifications.email_per_provider_per_second = 1;
    })
    .await;
    let t = app.token("acme", Role::Organizer);
    let job = send(&app, &t, &reminder(&["a@example.com", "b@example.com", "c@example.com"], "en")).await;
    let done = app
        .wait_for_status(&t, job["id"].as_str().unwrap_or_default(), &["succeeded", "dead"], Duration::from_secs(30))
        .await;
    assert_eq!(done["status"], "succeeded", "{done}");
    assert_eq!(done["result"]["sent"], 3);
    assert_eq!(done["attempts"], 1, "deferrals do not use up attempts: {done}");
    assert_eq!(sink.messages().len(), 3);
});

on_both_backends!(bad_notification_requests_are_rejected_up_front, |backend: Backend| async move {
    let app = TestApp::spawn_with(backend, false, |_| {}).await;
    let t = app.token("acme", Role::Organizer);
    let mut missing_var = reminder(&["a@example.com"], "en");
    missing_var["vars"] = json!({"name": "x"});
    assert_error(app.post("/v1/notifications/email", &t, &missing_var).await, 422, "notification.template_error").await;
    let mut unknown = reminder(&["a@example.com"], "en");
    unknown["template"] = json!("no_such_template");
    assert_error(app.post("/v1/notifications/email", &t, &unknown).await, 422, "notification.unknown_template").await;
    assert_error(
        app.post("/v1/notifications/email", &t, &reminder(&["not-an-address"], "en")).await,
        422,
        "request.invalid",
    )
    .await;
    assert_error(
        app.post("/v1/notifications/email", &t, &reminder(&["a@example.com"], "fr")).await,
        422,
        "request.invalid",
    )
    .await;
    let attendee = app.token("acme", Role::Attendee);
    assert_error(
        app.post("/v1/notifications/email", &attendee, &reminder(&["a@example.com"], "en")).await,
        403,
        "auth.forbidden",
    )
    .await;
    assert_error(
        app.post("/v1/notifications/sms", &t, &reminder(&["+15551234567"], "en")).await,
        503,
        "sms.not_configured",
    )
    .await;
    assert_eq!(json(app.get("/v1/jobs", &t).await).await["total"], 0);
});

on_both_backends!(sms_goes_through_the_http_provider, |backend: Backend| async move {
    // +15550000400 is refused for good; +15550000500 fails once, then works.
    let gateway = Receiver::start(|n, body| {
        let body = String::from_utf8_lossy(body);
        if body.contains("+15550000400") {
            400
        } else if body.contains("+15550000500") && n < 3 {
            503
        } else {
            200
        }
    })
    .await;
    let app = TestApp::spawn_with(backend, true, |s| {
        s.notifications.sms.url = Some(format!("{}/v1/send?to={{{{ to|urlencode }}}}", gateway.url));
        s.notifications.sms.headers.insert("Authorization".into(), "Bearer sms-secret".into());
        quick_retries(s, "send_sms", 3, 30);
    })
    .await;
    let t = app.token("acme", Role::Organizer);
    let body = reminder(&["+15551234567", "+15550000400", "+15550000500"], "zh-CN");
    let resp = app.post("/v1/notifications/sms", &t, &body).await;
    assert_eq!(resp.status().as_u16(), 202);
    let id = json(resp).await["id"].as_str().unwrap_or_default().to_string();
    let done = app.wait_for_status(&t, &id, &["succeeded", "dead"], Duration::from_secs(30)).await;
    assert_eq!(done["status"], "succeeded", "{done}");
    assert_eq!((done["result"]["sent"].as_u64(), done["result"]["failed"].as_u64()), (Some(2), Some(1)), "{done}");
    let got = gateway.received();
    let to_first: Vec<&str> = got
        .iter()
        .filter(|r| String::from_utf8_lossy(&r.body).contains("+15551234567"))
        .map(|r| r.path.as_str())
        .collect();
    assert_eq!(to_first, ["/v1/send?to=%2B15551234567"], "sent exactly once despite the job's retry; URL templated");
    let first: Value = serde_json::from_slice(&got[0].body).unwrap_or_default();
    assert!(first["text"].as_str().is_some_and(|t| t.contains("Rust 异步编程")), "{first}");
    assert_eq!(got[0].headers.get("authorization").and_then(|v| v.to_str().ok()), Some("Bearer sms-secret"));
    assert_error(app.post("/v1/notifications/sms", &t, &reminder(&["5551234"], "en")).await, 422, "request.invalid")
        .await;
});
