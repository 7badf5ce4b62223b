//! Idempotency keys: scoped by tenant, creator and endpoint; never in the
//! platform's own namespace; the same key with another body is refused.

use meeteasy_jobs::IdemKey;
use meeteasy_jobs::kinds::Sleep;
use meeteasy_models::{JobKind, TenantId};
use meeteasy_tests::attack::{Attacker, Principal};
use meeteasy_tests::documents::png;
use serde_json::Value;

use super::setup::{Cast, events, id_of};

async fn ocr_with_key(atk: &Attacker<'_>, p: &Principal, key: &str, image: Vec<u8>) -> (u16, Value) {
    let form =
        reqwest::multipart::Form::new().part("file", reqwest::multipart::Part::bytes(image).file_name("page.png"));
    let resp = atk
        .app
        .client
        .post(atk.app.url("/v1/ocr"))
        .bearer_auth(&p.token)
        .header("Idempotency-Key", key)
        .multipart(form)
        .send()
        .await
        .unwrap_or_else(|e| panic!("ocr: {e}"));
    let a = atk.answer(p, "POST", "/v1/ocr", resp).await;
    (a.status, a.json())
}

async fn events_with_key(atk: &Attacker<'_>, p: &Principal, key: &str, event_id: &str) -> (u16, Value) {
    let a =
        atk.send_with(p, "POST", "/v1/analytics/events", Some(&events(event_id)), &[("Idempotency-Key", key)]).await;
    (a.status, a.json())
}

/// Claims the platform's key for `key` the way a pipeline would; it must
/// still be free (or already the platform's own).
async fn platform_key_is_free(atk: &Attacker<'_>, key: &str) {
    let tenant = TenantId::parse("acme").unwrap_or_else(|e| panic!("{e}"));
    let rec = atk
        .app
        .jobs
        .enqueue(&tenant, "olga", Sleep { millis: 0, fail: None }, Some(IdemKey::internal(key)))
        .await
        .unwrap_or_else(|e| panic!("the platform key {key} was taken by a client: {e}"));
    assert_eq!((rec.kind, rec.created_by.as_str()), (JobKind::Sleep, "olga"), "{key}");
}

pub async fn keys_cannot_collide(atk: &Attacker<'_>, cast: &Cast) {
    let doc = id_of(atk, "olga", 0);
    // The two attacks of the issue: an attendee takes the keys that the
    // document's pipeline uses for its searchable PDF and its page-1 OCR.
    for key in [format!("make_searchable_pdf:{doc}"), format!("ocr_image:{doc}:1"), format!("i:ocr_image:{doc}:1")] {
        let (status, job) = ocr_with_key(atk, &cast.alice, &key, png(40, 20)).await;
        assert_eq!(status, 202, "{job}");
        assert_eq!((job["kind"].as_str(), job["created_by"].as_str()), (Some("ocr_image"), Some("alice")), "{job}");
        assert_ne!(job["id"].as_str(), Some(doc.as_str()));
        let (status, job) = events_with_key(atk, &cast.bob, &key, "collide").await;
        assert_eq!((status, job["created_by"].as_str()), (202, Some("bob")), "{job}");
    }
    for key in [format!("make_searchable_pdf:{doc}"), format!("ocr_image:{doc}:1")] {
        platform_key_is_free(atk, &key).await;
    }

    // Same key, same body: the same job. Same key, other body: 422.
    let (_, first) = ocr_with_key(atk, &cast.alice, "upload-7", png(30, 30)).await;
    let (status, again) = ocr_with_key(atk, &cast.alice, "upload-7", png(30, 30)).await;
    assert_eq!((status, &again["id"]), (202, &first["id"]), "{again}");
    let (status, conflict) = ocr_with_key(atk, &cast.alice, "upload-7", png(31, 30)).await;
    assert_eq!((status, conflict["error"]["code"].as_str()), (422, Some("idempotency.conflict")), "{conflict}");
    let (_, e1) = events_with_key(atk, &cast.alice, "batch-1", "e-1").await;
    let (status, e2) = events_with_key(atk, &cast.alice, "batch-1", "e-1").await;
    assert_eq!((status, &e2["id"]), (202, &e1["id"]));
    let (status, e3) = events_with_key(atk, &cast.alice, "batch-1", "e-2").await;
    assert_eq!((status, e3["error"]["code"].as_str()), (422, Some("idempotency.conflict")), "{e3}");

    // Another creator, another tenant or another endpoint: another job,
    // never someone else's.
    for p in [&cast.bob, &cast.olga, &cast.gina] {
        let (status, other) = ocr_with_key(atk, p, "upload-7", png(30, 30)).await;
        assert_eq!(status, 202, "{other}");
        assert_ne!(other["id"], first["id"], "{} got alice's job", p.name);
        assert_eq!(other["created_by"], p.name);
    }
    let (status, other_endpoint) = events_with_key(atk, &cast.alice, "upload-7", "e-3").await;
    assert_eq!(status, 202, "{other_endpoint}");
    assert_ne!(other_endpoint["id"], first["id"]);
}
