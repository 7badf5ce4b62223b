//! The cast (two attendees and an organizer of one tenant, an admin, another
//! tenant, an operator) and the resources they create.

use std::time::Duration;

use meeteasy_models::auth::Role;
use meeteasy_tests::attack::{Attacker, Principal, Resource};
use meeteasy_tests::documents::pdf_text;
use meeteasy_tests::documents::png;
use meeteasy_tests::{Backend, TestApp};
use serde_json::{Value, json};

pub async fn app(backend: Backend) -> TestApp {
    TestApp::spawn_with(backend, true, |s| {
        s.notifications.webhooks.allow_private = vec!["127.0.0.1/32".into()];
        // The suite sends hundreds of requests from three users of one
        // tenant; the per-tenant limit has its own test.
        s.limits.tenant_requests_per_minute = 0;
    })
    .await
}

#[derive(Debug)]
pub struct Cast {
    pub alice: Principal,
    pub bob: Principal,
    pub olga: Principal,
    pub adam: Principal,
    pub gus: Principal,
    pub gina: Principal,
    pub root: Principal,
}

impl Cast {
    pub fn new(app: &TestApp) -> Self {
        Self {
            alice: Principal::new(app, "alice", "acme", Role::Attendee),
            bob: Principal::new(app, "bob", "acme", Role::Attendee),
            olga: Principal::new(app, "olga", "acme", Role::Organizer),
            adam: Principal::new(app, "adam", "acme", Role::Admin),
            gus: Principal::new(app, "gus", "globex", Role::Organizer),
            gina: Principal::new(app, "gina", "globex", Role::Attendee),
            root: Principal::new(app, "root", "ops", Role::SuperAdmin),
        }
    }

    pub fn everyone(&self) -> [&Principal; 7] {
        [&self.alice, &self.bob, &self.olga, &self.adam, &self.gus, &self.gina, &self.root]
    }
}

pub fn events(id: &str) -> Value {
    json!({"events": [{"event_id": id, "conference_id": "c1", "type": "page_view",
        "ts": "2026-11-27T10:15:00Z", "attrs": {}}]})
}

async fn created(atk: &Attacker<'_>, p: &Principal, path: &str, body: &Value) -> String {
    let a = atk.send(p, "POST", path, Some(body)).await;
    assert_eq!(a.status, 202, "{path} as {}: {}", p.name, a.body);
    let v = a.json();
    assert_eq!(v["created_by"], p.name, "the job view names its creator: {v}");
    v["id"].as_str().unwrap_or_default().to_string()
}

async fn uploaded(atk: &Attacker<'_>, p: &Principal, path: &str, name: &str, bytes: Vec<u8>) -> String {
    let fields: &[(&str, &str)] = if path == "/v1/documents" { &[("ocr", "skip")] } else { &[] };
    let resp = atk.app.upload_files(path, &p.token, &[(name, bytes)], fields).await;
    let a = atk.answer(p, "POST", path, resp).await;
    assert_eq!(a.status, 202, "{path} as {}: {}", p.name, a.body);
    assert_eq!(a.json()["created_by"], p.name);
    a.json()["id"].as_str().unwrap_or_default().to_string()
}

/// Every principal creates what its role allows; documents are converted.
pub async fn populate(atk: &mut Attacker<'_>, cast: &Cast) {
    let mut res = Vec::new();
    let mut add = |id: String, tenant, owner, kind| res.push(Resource { id, tenant, owner, kind });
    let c = cast;
    let alice_analytics = created(atk, &c.alice, "/v1/analytics/events", &events("a-1")).await;
    add(alice_analytics, "acme", "alice", "job");
    add(uploaded(atk, &c.alice, "/v1/ocr", "alice.png", png(64, 32)).await, "acme", "alice", "job");
    add(
        uploaded(atk, &c.alice, "/v1/transcriptions", "alice.wav", b"RIFF-not-really".to_vec()).await,
        "acme",
        "alice",
        "job",
    );
    add(created(atk, &c.bob, "/v1/analytics/events", &events("b-1")).await, "acme", "bob", "job");
    add(uploaded(atk, &c.bob, "/v1/ocr", "bob.png", png(48, 24)).await, "acme", "bob", "job");
    add(
        uploaded(atk, &c.olga, "/v1/documents", "olga.pdf", pdf_text(&["Olga's agenda"])).await,
        "acme",
        "olga",
        "document",
    );
    add(created(atk, &c.adam, "/v1/diagnostics/sleep", &json!({"millis": 0})).await, "acme", "adam", "job");
    add(
        uploaded(atk, &c.gus, "/v1/documents", "gus.pdf", pdf_text(&["Globex plan"])).await,
        "globex",
        "gus",
        "document",
    );
    add(created(atk, &c.gina, "/v1/analytics/events", &events("g-1")).await, "globex", "gina", "job");
    atk.resources = res;
    atk.users = vec![
        ("acme", "alice"),
        ("acme", "bob"),
        ("acme", "olga"),
        ("acme", "adam"),
        ("globex", "gus"),
        ("globex", "gina"),
    ];
    // Documents ready, so their PDF and text are there to be stolen.
    for r in atk.resources.clone().iter().filter(|r| r.kind == "document") {
        let owner = if r.owner == "olga" { &c.olga } else { &c.gus };
        atk.app.wait_for_status(&owner.token, &r.id, &["succeeded"], Duration::from_secs(60)).await;
    }
}

/// The `nth` resource (in creation order) of `owner`: alice 0 analytics,
/// 1 OCR, 2 transcription; bob 0 analytics, 1 OCR; olga 0 and gus 0 their
/// documents; adam 0 a sleep job; gina 0 analytics.
pub fn id_of(atk: &Attacker<'_>, owner: &str, nth: usize) -> String {
    atk.resources.iter().filter(|r| r.owner == owner).nth(nth).map(|r| r.id.clone()).unwrap_or_default()
}
