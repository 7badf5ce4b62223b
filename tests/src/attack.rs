//! The attack suite's harness: named principals, a request counter, and a
//! leak check on every response.
//!
//! Each principal has the set of resource ids it must never see. Every
//! response body an attack gets back is searched for those ids and for the
//! `sub` of every user it must not learn about, so a test cannot pass while
//! some endpoint quietly returns another principal's data.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicUsize, Ordering};

use meeteasy_models::auth::Role;
use serde_json::Value;

use crate::TestApp;

/// Someone who sends requests: a token and what it must not see.
#[derive(Debug, Clone)]
pub struct Principal {
    pub name: &'static str,
    pub tenant: &'static str,
    pub role: Role,
    pub token: String,
}

impl Principal {
    pub fn new(app: &TestApp, name: &'static str, tenant: &'static str, role: Role) -> Self {
        Self { name, tenant, role, token: app.token_as(tenant, role, name) }
    }

    /// Whether this principal may see a resource of `tenant` made by `owner`
    /// (the rules of SPEC §8, written out independently of the server's).
    pub fn may_see(&self, tenant: &str, owner: &str) -> bool {
        match self.role {
            Role::SuperAdmin => true,
            Role::Organizer | Role::Admin => tenant == self.tenant,
            Role::Attendee => tenant == self.tenant && owner == self.name,
        }
    }
}

/// A resource created during setup.
#[derive(Debug, Clone)]
pub struct Resource {
    pub id: String,
    pub tenant: &'static str,
    pub owner: &'static str,
    /// `job` or `document` (a document id is also its conversion job's id).
    pub kind: &'static str,
}

/// One response: status and body text.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub body: String,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }

    pub fn code(&self) -> String {
        self.json()["error"]["code"].as_str().unwrap_or_default().to_string()
    }
}

/// Sends requests as principals, counts them and checks every answer for
/// leaks.
#[derive(Debug)]
pub struct Attacker<'a> {
    pub app: &'a TestApp,
    pub resources: Vec<Resource>,
    /// Users of every tenant, by `(tenant, sub)`.
    pub users: Vec<(&'static str, &'static str)>,
    sent: AtomicUsize,
}

impl<'a> Attacker<'a> {
    pub fn new(app: &'a TestApp) -> Self {
        Self { app, resources: Vec::new(), users: Vec::new(), sent: AtomicUsize::new(0) }
    }

    pub fn sent(&self) -> usize {
        self.sent.load(Ordering::Relaxed)
    }

    /// Adds requests made elsewhere (e.g. by the Socket.IO client).
    pub fn count(&self, n: usize) {
        self.sent.fetch_add(n, Ordering::Relaxed);
    }

    /// Ids `p` must never find in a body.
    fn forbidden(&self, p: &Principal) -> BTreeSet<String> {
        let mut out: BTreeSet<String> =
            self.resources.iter().filter(|r| !p.may_see(r.tenant, r.owner)).map(|r| r.id.clone()).collect();
        if p.role == Role::Attendee {
            // An attendee learns nothing of other users, not even names.
            out.extend(
                self.users.iter().filter(|(t, s)| !(*t == p.tenant && *s == p.name)).map(|(_, s)| format!("\"{s}\"")),
            );
        }
        out
    }

    /// Sends `method path` as `p` with an optional JSON body.
    pub async fn send(&self, p: &Principal, method: &str, path: &str, body: Option<&Value>) -> Answer {
        self.send_with(p, method, path, body, &[]).await
    }

    pub async fn send_with(
        &self,
        p: &Principal,
        method: &str,
        path: &str,
        body: Option<&Value>,
        headers: &[(&str, &str)],
    ) -> Answer {
        let m = reqwest::Method::from_bytes(method.as_bytes()).unwrap_or(reqwest::Method::GET);
        let mut req = self.app.client.request(m, self.app.url(path)).bearer_auth(&p.token);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        if let Some(b) = body {
            req = req.json(b);
        }
        let resp = req.send().await.unwrap_or_else(|e| panic!("{method} {path} as {}: {e}", p.name));
        self.answer(p, method, path, resp).await
    }

    /// Checks and counts a response obtained by the caller.
    pub async fn answer(&self, p: &Principal, method: &str, path: &str, resp: reqwest::Response) -> Answer {
        self.count(1);
        let status = resp.status().as_u16();
        let body = resp.text().await.unwrap_or_default();
        // The one server-side refusal a client can meet by design: an RS256
        // server cannot mint tokens, so it refuses tickets up front.
        let by_design = status == 503 && body.contains("\"auth.tickets_not_configured\"");
        assert!(status < 500 || by_design, "{method} {path} as {} answered {status}: {body}", p.name);
        for secret in self.forbidden(p) {
            assert!(!body.contains(&secret), "{method} {path} as {} leaked {secret}: {body}", p.name);
        }
        Answer { status, body }
    }

    /// Asserts the status (and error code, when given) of one request.
    pub async fn expect(&self, p: &Principal, method: &str, path: &str, status: u16, code: Option<&str>) -> Answer {
        let a = self.send(p, method, path, (method == "POST").then_some(&Value::Null)).await;
        assert_eq!(a.status, status, "{method} {path} as {}: {}", p.name, a.body);
        if let Some(c) = code {
            assert_eq!(a.code(), c, "{method} {path} as {}: {}", p.name, a.body);
        }
        a
    }
}
