//! Socket.IO eavesdropping, through the official python-socketio client
//! (`tests/py/socketio_attack.py`).

use std::time::Duration;

use meeteasy_tests::attack::Attacker;
use meeteasy_tests::smtp::python;
use serde_json::Value;

use super::setup::Cast;

pub async fn sockets_follow_ownership(atk: &Attacker<'_>, cast: &Cast) {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/py/socketio_attack.py");
    let short = atk.app.token_for("acme", cast.alice.role, "alice", Duration::from_secs(3));
    let out = tokio::process::Command::new(python())
        .args([script, &atk.app.address, &cast.alice.token, &cast.bob.token, &cast.olga.token, &cast.gus.token, &short])
        .output()
        .await
        .unwrap_or_else(|e| panic!("running {}: {e}", python()));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "client failed: {}\n{stdout}", String::from_utf8_lossy(&out.stderr));
    let r: Value = serde_json::from_str(stdout.trim()).unwrap_or_else(|_| panic!("not JSON: {stdout}"));
    atk.count(usize::try_from(r["requests"].as_u64().unwrap_or(0)).unwrap_or(0));

    let job = r["job_id"].as_str().unwrap_or_default();
    let heard = |who: &str| -> Vec<(String, String, String)> {
        serde_json::from_value(r["heard"][who].clone()).unwrap_or_default()
    };
    let completed = |who: &str| heard(who).iter().any(|(e, j, _)| e == "job.completed" && j == job);
    assert!(completed("alice"), "the creator hears her job: {r}");
    assert!(completed("olga"), "her organizer hears it: {r}");
    assert!(heard("alice").iter().all(|(_, _, by)| by == "alice"), "an attendee hears only her own jobs: {r}");
    // Bob may still hear his own jobs of earlier scenarios finishing, and
    // nothing else; the other tenant hears nothing of this tenant.
    assert!(heard("bob").iter().all(|(_, j, by)| by == "bob" && j != job), "bob hears only his own jobs: {r}");
    let acme = ["alice", "bob", "olga", "adam"];
    assert!(
        heard("other").iter().all(|(_, j, by)| !acme.contains(&by.as_str()) && j != job),
        "another tenant hears nothing of acme: {r}"
    );
    assert_eq!(r["subscribe_alice"]["ok"], true, "{r}");
    for who in ["bob", "other"] {
        assert_eq!(r[format!("subscribe_{who}")]["error"], "job.not_found", "{r}");
    }
    assert_eq!(r["subscribe_malformed"]["error"], "job.not_found", "{r}");
    assert_eq!(r["expired_socket_disconnected"], true, "{r}");
    assert!(r["flood_rate_limited"].as_u64().is_some_and(|n| n > 0), "subscribe floods are limited: {r}");
}
