//! Forged tokens and ticket abuse.

use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use meeteasy_tests::app::TEST_SECRET;
use meeteasy_tests::attack::{Attacker, Principal};
use meeteasy_tests::jwt::{b64url as b64, payload};
use serde_json::{Value, json};

use super::setup::Cast;

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

pub fn sign(claims: &Value, secret: &[u8], alg: Algorithm) -> String {
    encode(&Header::new(alg), claims, &EncodingKey::from_secret(secret)).unwrap_or_default()
}

fn unsigned(header: &Value, claims: &Value) -> String {
    format!("{}.{}.", b64(header.to_string().as_bytes()), b64(claims.to_string().as_bytes()))
}

fn claims() -> Value {
    json!({"sub": "mallory", "tenant_id": "acme", "roles": ["super_admin"], "exp": now() + 600})
}

fn without(key: &str) -> Value {
    let mut c = claims();
    if let Some(m) = c.as_object_mut() {
        m.remove(key);
    }
    c
}

fn with(key: &str, value: Value) -> Value {
    let mut c = claims();
    c[key] = value;
    c
}

/// Every forgery answers 401 on every kind of endpoint.
pub async fn forged_tokens_are_refused(atk: &Attacker<'_>, cast: &Cast) {
    let key = TEST_SECRET.as_bytes();
    let forged: Vec<(&str, String)> = vec![
        ("alg none", unsigned(&json!({"alg": "none", "typ": "JWT"}), &claims())),
        ("alg None", unsigned(&json!({"alg": "None", "typ": "JWT"}), &claims())),
        ("wrong key", sign(&claims(), b"not-the-secret-not-the-secret-0123456789", Algorithm::HS256)),
        ("HS512 with the key", sign(&claims(), key, Algorithm::HS512)),
        ("RS256 header, HMAC body", {
            let t = sign(&claims(), key, Algorithm::HS256);
            let mut parts: Vec<String> = t.split('.').map(str::to_string).collect();
            parts[0] = b64(json!({"alg": "RS256", "typ": "JWT"}).to_string().as_bytes());
            parts.join(".")
        }),
        ("expired", sign(&with("exp", json!(now() - 3600)), key, Algorithm::HS256)),
        ("not yet valid", sign(&with("nbf", json!(now() + 3600)), key, Algorithm::HS256)),
        ("no sub", sign(&without("sub"), key, Algorithm::HS256)),
        ("empty sub", sign(&with("sub", json!("")), key, Algorithm::HS256)),
        ("no tenant", sign(&without("tenant_id"), key, Algorithm::HS256)),
        ("no roles", sign(&without("roles"), key, Algorithm::HS256)),
        ("empty roles", sign(&with("roles", json!([])), key, Algorithm::HS256)),
        ("unknown role", sign(&with("roles", json!(["god"])), key, Algorithm::HS256)),
        ("no exp", sign(&without("exp"), key, Algorithm::HS256)),
        ("bad tenant", sign(&with("tenant_id", json!("../x")), key, Algorithm::HS256)),
        ("huge", sign(&with("pad", json!("x".repeat(64 * 1024))), key, Algorithm::HS256)),
        ("truncated", sign(&claims(), key, Algorithm::HS256).chars().take(40).collect()),
        ("garbage", "a.b.c".into()),
    ];
    let victim = atk.resources.first().map(|r| r.id.clone()).unwrap_or_default();
    for (what, token) in forged {
        let mallory = Principal { name: "mallory", tenant: "acme", role: cast.alice.role, token };
        for (method, path) in [
            ("GET", "/v1/jobs".to_string()),
            ("GET", format!("/v1/jobs/{victim}")),
            ("GET", format!("/v1/documents/{victim}")),
            ("POST", "/v1/auth/tickets".to_string()),
            ("GET", "/v1/queues".to_string()),
        ] {
            let a = atk.send(&mallory, method, &path, (method == "POST").then_some(&Value::Null)).await;
            assert_eq!(a.status, 401, "{what}: {method} {path}: {}", a.body);
            assert_eq!(a.code(), "auth.invalid_token", "{what}: {}", a.body);
        }
    }
}

async fn issue(atk: &Attacker<'_>, p: &Principal) -> String {
    let a = atk.send(p, "POST", "/v1/auth/tickets", None).await;
    assert_eq!(a.status, 201, "{}", a.body);
    a.json()["ticket"].as_str().unwrap_or_default().to_string()
}

async fn exchange(atk: &Attacker<'_>, p: &Principal, ticket: &str) -> (u16, Value) {
    let resp = atk
        .app
        .client
        .post(atk.app.url("/v1/auth/tickets/exchange"))
        .json(&json!({ "ticket": ticket }))
        .send()
        .await
        .unwrap_or_else(|e| panic!("exchange: {e}"));
    let a = atk.answer(p, "POST", "/v1/auth/tickets/exchange", resp).await;
    (a.status, a.json())
}

/// Replay, a race of exchanges, and renewal chains.
pub async fn tickets_cannot_be_replayed_or_stretched(atk: &Attacker<'_>, cast: &Cast) {
    // A short-lived parent: the child must expire with it, not an hour later.
    let parent = atk.app.token_for("acme", cast.bob.role, "bob", std::time::Duration::from_secs(120));
    let bob = Principal { token: parent.clone(), ..cast.bob.clone() };
    let parent_exp = payload(&parent)["exp"].as_i64().unwrap_or(i64::MAX);
    let ticket = issue(atk, &bob).await;
    let (status, body) = exchange(atk, &bob, &ticket).await;
    assert_eq!(status, 200, "{body}");
    let child = body["access_token"].as_str().unwrap_or_default().to_string();
    let child_exp = payload(&child)["exp"].as_i64().unwrap_or(i64::MAX);
    assert!(child_exp <= parent_exp, "exchanged token outlives its parent: {child_exp} > {parent_exp}");
    assert!(body["expires_in"].as_u64().is_some_and(|s| s <= 120), "{body}");
    // The child keeps the identity: bob's own jobs, nobody else's.
    let child_p = Principal { token: child.clone(), ..cast.bob.clone() };
    atk.expect(&child_p, "GET", &format!("/v1/jobs/{}", super::setup::id_of(atk, "alice", 0)), 404, None).await;
    // Renewing through a chain of tickets never extends it either.
    let again = issue(atk, &child_p).await;
    let (status, body) = exchange(atk, &bob, &again).await;
    assert_eq!(status, 200, "{body}");
    let grandchild = body["access_token"].as_str().unwrap_or_default();
    assert!(payload(grandchild)["exp"].as_i64().unwrap_or(i64::MAX) <= parent_exp);
    // Replay.
    for _ in 0..3 {
        let (status, body) = exchange(atk, &bob, &ticket).await;
        assert_eq!((status, body["error"]["code"].as_str()), (401, Some("auth.invalid_ticket")), "{body}");
    }
    // A race of exchanges: exactly one wins.
    let ticket = issue(atk, &cast.alice).await;
    let mut tasks = Vec::new();
    for _ in 0..20 {
        let (client, url, t) = (atk.app.client.clone(), atk.app.url("/v1/auth/tickets/exchange"), ticket.clone());
        tasks.push(tokio::spawn(async move {
            client.post(url).json(&json!({ "ticket": t })).send().await.map(|r| r.status().as_u16()).unwrap_or(0)
        }));
    }
    let mut wins = 0;
    for t in tasks {
        let s = t.await.unwrap_or(0);
        assert!(s == 200 || s == 401, "exchange race answered {s}");
        wins += usize::from(s == 200);
    }
    atk.count(20);
    assert_eq!(wins, 1, "one ticket, one token");
}
