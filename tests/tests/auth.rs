//! Authentication failures all answer 401 with the error shape.

use jsonwebtoken::{EncodingKey, Header, encode};
use meeteasy_models::auth::Role;
use meeteasy_tests::app::{TEST_SECRET, assert_error};
use meeteasy_tests::{Backend, TestApp, on_both_backends};
use serde_json::json;

fn claims(exp_offset: i64) -> serde_json::Value {
    let now = chrono::Utc::now().timestamp();
    json!({"sub": "u1", "tenant_id": "acme", "roles": ["organizer"], "exp": now + exp_offset})
}

fn signed(secret: &str, exp_offset: i64) -> String {
    encode(&Header::default(), &claims(exp_offset), &EncodingKey::from_secret(secret.as_bytes())).unwrap_or_default()
}

fn b64(v: &serde_json::Value) -> String {
    meeteasy_tests::jwt::b64url(v.to_string().as_bytes())
}

on_both_backends!(every_bad_token_is_a_401_with_the_error_shape, |backend: Backend| async move {
    let app = TestApp::spawn(backend).await;
    let resp = app.client.get(app.url("/v1/jobs")).send().await.unwrap_or_else(|e| panic!("{e}"));
    assert_error(resp, 401, "auth.missing_token").await;

    let alg_none = format!("{}.{}.", b64(&json!({"alg": "none", "typ": "JWT"})), b64(&claims(600)));
    let cases = [
        ("garbage", "not-a-jwt".to_string()),
        ("expired", signed(TEST_SECRET, -3600)),
        ("wrong key", signed("some-other-secret", 600)),
        ("alg none", alg_none),
    ];
    for (what, token) in cases {
        let resp = app.get("/v1/jobs", &token).await;
        assert_eq!(resp.status().as_u16(), 401, "{what}");
        assert_error(resp, 401, "auth.invalid_token").await;
    }
    let resp = app
        .client
        .get(app.url("/v1/jobs"))
        .header("authorization", "Basic abc")
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_error(resp, 401, "auth.invalid_token").await;

    let good = app.token("acme", Role::Organizer);
    assert_eq!(app.get("/v1/jobs", &good).await.status().as_u16(), 200);
});

on_both_backends!(errors_are_localized_from_accept_language, |backend: Backend| async move {
    let app = TestApp::spawn(backend).await;
    let zh = app.client.get(app.url("/v1/jobs")).header("accept-language", "zh-CN,zh;q=0.9,en;q=0.5").send().await;
    let body = assert_error(zh.unwrap_or_else(|e| panic!("{e}")), 401, "auth.missing_token").await;
    assert_eq!(body["error"]["message"], "需要身份验证。");
    let en = app.client.get(app.url("/v1/jobs")).header("accept-language", "en-US").send().await;
    let body = assert_error(en.unwrap_or_else(|e| panic!("{e}")), 401, "auth.missing_token").await;
    assert_eq!(body["error"]["message"], "Authentication is required.");
});
