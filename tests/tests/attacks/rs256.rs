//! A server that only verifies tokens (RS256 with an identity provider's
//! public key, `iss` and `aud` configured): key confusion, claims checks,
//! and tickets refused up front rather than with a 500 after use.

use std::path::Path;

use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use meeteasy_models::auth::Role;
use meeteasy_tests::attack::{Attacker, Principal};
use meeteasy_tests::{Backend, TestApp};
use serde_json::{Value, json};

use super::tokens::sign;

const ISS: &str = "https://idp.example";
const AUD: &str = "meeteasy";

/// A fresh RSA key pair from the `openssl` command: (private, public) PEM.
fn keypair(dir: &Path) -> (String, String) {
    let private = dir.join("private.pem");
    let public = dir.join("public.pem");
    let run = |args: &[&str]| {
        let out = std::process::Command::new("openssl").args(args).output();
        let out = out.unwrap_or_else(|e| panic!("openssl: {e}"));
        assert!(out.status.success(), "openssl {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    };
    let (pv, pb) = (private.to_string_lossy().to_string(), public.to_string_lossy().to_string());
    run(&["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", &pv]);
    run(&["pkey", "-in", &pv, "-pubout", "-out", &pb]);
    let read = |p: &Path| std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{e}"));
    (read(&private), read(&public))
}

fn claims(extra: Value) -> Value {
    let now = chrono::Utc::now().timestamp();
    let mut c = json!({"sub": "idp-user", "tenant_id": "acme", "roles": ["organizer"], "exp": now + 600,
        "iss": ISS, "aud": AUD});
    if let (Some(c), Some(e)) = (c.as_object_mut(), extra.as_object()) {
        for (k, v) in e {
            if v.is_null() {
                c.remove(k);
            } else {
                c.insert(k.clone(), v.clone());
            }
        }
    }
    c
}

/// Runs the RS256 checks and returns how many requests they sent.
pub async fn identity_provider_tokens(backend: Backend) -> usize {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let (private, public) = keypair(dir.path());
    let pem = public.clone();
    let app = TestApp::spawn_with(backend, false, move |s| {
        s.jwt_public_key_pem = Some(pem);
        s.jwt_issuer = Some(ISS.into());
        s.jwt_audience = Some(AUD.into());
    })
    .await;
    let atk = Attacker::new(&app);
    let rsa = EncodingKey::from_rsa_pem(private.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    let rs = |c: &Value| encode(&Header::new(Algorithm::RS256), c, &rsa).unwrap_or_default();
    let as_token = |token: String| Principal { name: "idp-user", tenant: "acme", role: Role::Organizer, token };

    let good = as_token(rs(&claims(json!({}))));
    atk.expect(&good, "GET", "/v1/jobs", 200, None).await;
    let now = chrono::Utc::now().timestamp();
    let refused = [
        ("HS256 signed with the public key", sign(&claims(json!({})), public.as_bytes(), Algorithm::HS256)),
        ("no iss", rs(&claims(json!({"iss": null})))),
        ("wrong iss", rs(&claims(json!({"iss": "https://evil.example"})))),
        ("no aud", rs(&claims(json!({"aud": null})))),
        ("wrong aud", rs(&claims(json!({"aud": "someone-else"})))),
        ("not yet valid", rs(&claims(json!({"nbf": now + 3600})))),
        ("expired", rs(&claims(json!({"exp": now - 3600})))),
    ];
    for (what, token) in refused {
        let a = atk.send(&as_token(token), "GET", "/v1/jobs", None).await;
        assert_eq!((a.status, a.code()), (401, "auth.invalid_token".to_string()), "{what}: {}", a.body);
    }
    let listed = rs(&claims(json!({"aud": ["other", AUD]})));
    atk.expect(&as_token(listed), "GET", "/v1/jobs", 200, None).await;
    // This server cannot mint: tickets are refused before one is created.
    atk.expect(&good, "POST", "/v1/auth/tickets", 503, Some("auth.tickets_not_configured")).await;
    atk.sent()
}
