//! Reads, lists, cancels and retries of every resource by every principal.

use std::collections::BTreeSet;

use meeteasy_models::auth::Role;
use meeteasy_tests::attack::{Attacker, Principal};
use serde_json::json;

use super::setup::{Cast, id_of};

/// `GET` of each job (and each document's record, PDF and text) by everyone:
/// 200 where the rules allow, else the same 404 as an unknown id.
pub async fn reads_follow_ownership(atk: &Attacker<'_>, cast: &Cast) {
    for r in atk.resources.clone() {
        for p in cast.everyone() {
            let visible = p.may_see(r.tenant, r.owner);
            let a = atk.expect(p, "GET", &format!("/v1/jobs/{}", r.id), if visible { 200 } else { 404 }, None).await;
            if visible {
                assert_eq!(a.json()["created_by"], r.owner, "{}", a.body);
            } else {
                assert_eq!(a.code(), "job.not_found");
            }
            if r.kind != "document" {
                continue;
            }
            for suffix in ["", "/pdf", "/text"] {
                let path = format!("/v1/documents/{}{suffix}", r.id);
                let (status, code) = if visible { (200, None) } else { (404, Some("document.not_found")) };
                atk.expect(p, "GET", &path, status, code).await;
            }
        }
    }
}

/// Lists hold exactly what the caller may see, under every filter.
pub async fn lists_follow_ownership(atk: &Attacker<'_>, cast: &Cast) {
    for p in cast.everyone() {
        if p.role == Role::SuperAdmin {
            continue; // lists are per tenant; an operator's own tenant is empty
        }
        let expected: BTreeSet<String> =
            atk.resources.iter().filter(|r| p.may_see(r.tenant, r.owner)).map(|r| r.id.clone()).collect();
        for query in ["", "?page_size=100", "?kind=ocr_image", "?status=succeeded", "?page=2&page_size=1"] {
            let a = atk.expect(p, "GET", &format!("/v1/jobs{query}"), 200, None).await;
            let body = a.json();
            let items = body["items"].as_array().cloned().unwrap_or_default();
            for item in &items {
                let id = item["id"].as_str().unwrap_or_default();
                let owner = item["created_by"].as_str().unwrap_or_default();
                let is_platform = owner.starts_with("system:");
                assert!(
                    expected.contains(id) || (p.role != Role::Attendee && (is_platform || owner == p.name)),
                    "{} listed {id} of {owner}: {body}",
                    p.name
                );
                if p.role == Role::Attendee {
                    assert_eq!(owner, p.name, "attendees list only their own jobs: {body}");
                }
            }
            if query == "?page_size=100" {
                let listed: BTreeSet<String> =
                    items.iter().filter_map(|i| i["id"].as_str().map(str::to_string)).collect();
                assert!(expected.is_subset(&listed), "{} must list all it may see: {body}", p.name);
            }
        }
        // A tenant in the query that is not the token's is refused.
        let other = if p.tenant == "acme" { "globex" } else { "acme" };
        atk.expect(p, "GET", &format!("/v1/jobs?tenant_id={other}"), 403, Some("auth.tenant_mismatch")).await;
    }
}

async fn cancel_as(atk: &Attacker<'_>, p: &Principal, id: &str, status: u16, code: Option<&str>) {
    atk.expect(p, "POST", &format!("/v1/jobs/{id}/cancel"), status, code).await;
}

/// Nobody cancels or retries what it may not see; attendees never retry.
pub async fn cancels_and_retries(atk: &Attacker<'_>, cast: &Cast) {
    for r in atk.resources.clone() {
        for p in cast.everyone() {
            if p.role == Role::SuperAdmin {
                continue; // control acts within the caller's tenant
            }
            let retry = format!("/v1/jobs/{}/retry", r.id);
            if !p.may_see(r.tenant, r.owner) {
                cancel_as(atk, p, &r.id, 404, Some("job.not_found")).await;
                let (status, code) =
                    if p.role == Role::Attendee { (403, "auth.forbidden") } else { (404, "job.not_found") };
                atk.expect(p, "POST", &retry, status, Some(code)).await;
            } else if p.role == Role::Attendee {
                atk.expect(p, "POST", &retry, 403, Some("auth.forbidden")).await;
            }
        }
    }
    // The owner may cancel its own queued job (no AI pool runs here): it
    // stays cancelled, and bob still cannot touch it.
    let ocr = id_of(atk, "alice", 1);
    cancel_as(atk, &cast.alice, &ocr, 200, None).await;
    cancel_as(atk, &cast.bob, &ocr, 404, Some("job.not_found")).await;
    cancel_as(atk, &cast.alice, &ocr, 409, Some("job.not_cancellable")).await;
    let seen = atk.expect(&cast.olga, "GET", &format!("/v1/jobs/{ocr}"), 200, None).await;
    assert_eq!(seen.json()["status"], "cancelled");
}

const MALFORMED: [&str; 9] = [
    "not-a-uuid",
    "00000000-0000-0000-0000-000000000000",
    "0192f0c4-1c2b-4d5e-8f00-000000000000",
    "0192f0c4-1c2b-7d5e-8f00-00000000000",
    "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "%00",
    "0192f0c4-1c2b-7d5e-8f00-0000000000001",
    "%E2%80%AEgnp",
    "9999999999999999999999999999999999999999999999999999999999999999",
];

/// Ids that do not parse, of another kind, or of a deleted record: 404.
pub async fn malformed_foreign_and_deleted_ids(atk: &Attacker<'_>, cast: &Cast) {
    let long = "a".repeat(4096);
    for id in MALFORMED.iter().copied().chain([long.as_str()]) {
        for p in [&cast.alice, &cast.olga] {
            atk.expect(p, "GET", &format!("/v1/jobs/{id}"), 404, None).await;
            atk.expect(p, "GET", &format!("/v1/documents/{id}"), 404, Some("document.not_found")).await;
            atk.expect(p, "POST", &format!("/v1/jobs/{id}/cancel"), 404, None).await;
        }
        atk.expect(&cast.olga, "POST", &format!("/v1/jobs/{id}/retry"), 404, None).await;
    }
    // A job id is not a document id, even for its own creator.
    for (p, id) in [(&cast.alice, id_of(atk, "alice", 0)), (&cast.adam, id_of(atk, "adam", 0))] {
        for suffix in ["", "/pdf", "/text"] {
            atk.expect(p, "GET", &format!("/v1/documents/{id}{suffix}"), 404, Some("document.not_found")).await;
        }
    }
    // A deleted webhook is gone for everyone, and never another tenant's.
    let hook = atk
        .send(
            &cast.adam,
            "POST",
            "/v1/webhooks",
            Some(&json!({"url": "http://127.0.0.1:9/h", "events": ["job.completed"]})),
        )
        .await;
    assert_eq!(hook.status, 201, "{}", hook.body);
    let hook_id = hook.json()["id"].as_str().unwrap_or_default().to_string();
    atk.expect(&cast.root, "DELETE", &format!("/v1/webhooks/{hook_id}"), 404, None).await;
    atk.expect(&cast.gus, "DELETE", &format!("/v1/webhooks/{hook_id}"), 403, Some("auth.forbidden")).await;
    atk.expect(&cast.olga, "DELETE", &format!("/v1/webhooks/{hook_id}"), 403, Some("auth.forbidden")).await;
    atk.expect(&cast.adam, "DELETE", &format!("/v1/webhooks/{hook_id}"), 204, None).await;
    atk.expect(&cast.adam, "DELETE", &format!("/v1/webhooks/{hook_id}"), 404, None).await;
    let left = atk.expect(&cast.adam, "GET", "/v1/webhooks", 200, None).await;
    assert!(!left.body.contains(&hook_id), "{}", left.body);
}

/// `/v1/queues` is for admins, per tenant; the operator sees everything.
pub async fn queues_and_tenant_params(atk: &Attacker<'_>, cast: &Cast) {
    for p in [&cast.alice, &cast.olga, &cast.gina, &cast.gus] {
        atk.expect(p, "GET", "/v1/queues", 403, Some("auth.forbidden")).await;
        atk.expect(p, "GET", "/v1/webhooks", 403, Some("auth.forbidden")).await;
    }
    let tenant = atk.expect(&cast.adam, "GET", "/v1/queues", 200, None).await.json();
    assert_eq!(tenant["scope"], "tenant", "{tenant}");
    // acme has exactly one succeeded-or-not analytics job per attendee;
    // globex's never show up in acme's figures.
    let analytics = |v: &serde_json::Value| {
        v["queues"].as_array().into_iter().flatten().find(|q| q["kind"] == "ingest_analytics").cloned()
    };
    let acme_analytics = analytics(&tenant).unwrap_or_default();
    let total: u64 = ["depth", "running", "dead", "failed"].iter().filter_map(|k| acme_analytics[k].as_u64()).sum();
    assert!(total <= 2, "only acme's analytics jobs may be counted: {acme_analytics}");
    let all = atk.expect(&cast.root, "GET", "/v1/queues", 200, None).await.json();
    assert_eq!(all["scope"], "all", "{all}");
    // Analytics summaries are tenant-scoped and for organizers.
    let summary =
        "/v1/analytics/summary?conference_id=c1&from=2026-11-27T00:00:00Z&to=2026-11-28T00:00:00Z&granularity=day";
    atk.expect(&cast.alice, "GET", summary, 403, Some("auth.forbidden")).await;
    atk.expect(&cast.olga, "GET", &format!("{summary}&tenant_id=globex"), 403, Some("auth.tenant_mismatch")).await;
    let mismatch = json!({"tenant_id": "globex", "events": super::setup::events("x-1")["events"].clone()});
    let a = atk.send(&cast.alice, "POST", "/v1/analytics/events", Some(&mismatch)).await;
    assert_eq!((a.status, a.code()), (403, "auth.tenant_mismatch".to_string()), "{}", a.body);
}
