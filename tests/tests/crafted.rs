//! Crafted files that make parser dependencies allocate far more than the
//! file holds (tests/fixtures/crafted, written by tests/py/make_crafted.py;
//! its README says what each one targets and what it does unguarded: every
//! hostile one aborts an unguarded process). Each must cost exactly one
//! attempt of one job, ending `dead` with a stable code, while the process
//! (the test process itself, on the embedded backend) stays up: the parser
//! sandbox contains them.

use std::path::PathBuf;
use std::time::Duration;

use meeteasy_models::Pool;
use meeteasy_models::auth::Role;
use meeteasy_tests::app::json;
use meeteasy_tests::{Backend, TestApp, on_both_backends};
use serde_json::Value;

const WITHIN: Duration = Duration::from_secs(180);

fn crafted(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/crafted").join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e} (run tests/py/make_crafted.py)", path.display()))
}

async fn transcribe(app: &TestApp, token: &str, name: &str) -> Value {
    let resp = app.upload_files("/v1/transcriptions", token, &[(name, crafted(name))], &[]).await;
    assert_eq!(resp.status().as_u16(), 202, "{name}");
    let job = json(resp).await;
    app.finished(token, &job, WITHIN).await
}

fn assert_dead(job: &Value, name: &str, codes: &[&str]) {
    assert_eq!(job["status"], "dead", "{name}: {job}");
    assert_eq!(job["attempts"], 1, "{name}: a hostile file is never retried: {job}");
    let code = job["error"]["code"].as_str().unwrap_or_default();
    assert!(codes.contains(&code), "{name}: expected one of {codes:?}: {job}");
}

on_both_backends!(crafted_files_cost_one_attempt_never_the_process, |backend: Backend| async move {
    let app = TestApp::spawn_pools(backend, &[Pool::Cpu, Pool::Ai], |_| {}).await;
    let organizer = app.token("acme", Role::Organizer);
    let attendee = app.token("acme", Role::Attendee);

    let job = app.convert(&organizer, "fanout.pdf", crafted("pdf_objstm_fanout.pdf"), WITHIN).await;
    assert_dead(&job, "pdf_objstm_fanout.pdf", &["document.resource_limit"]);

    for name in [
        "m4a_stsz_huge.m4a",
        "m4a_stts_huge.m4a",
        "m4a_stsc_huge.m4a",
        "m4a_stco_huge.m4a",
        "m4a_co64_huge.m4a",
        "mkv_huge_element.webm",
        "ogg_vorbis_codebook_wrap.ogg",
        "wav_info_huge.wav",
    ] {
        let job = transcribe(&app, &attendee, name).await;
        assert_dead(&job, name, &["audio.corrupt"]);
    }
    // At our caps (384 kHz, 8 channels) with no samples: refused for what it
    // is, not for a crash.
    let job = transcribe(&app, &attendee, "wav_huge_header.wav").await;
    assert_dead(&job, "wav_huge_header.wav", &["audio.empty", "audio.corrupt"]);

    // 40 MP of 16-bit RGB, inside the documented caps: it is read.
    let resp = app.upload_files("/v1/ocr", &attendee, &[("big.png", crafted("png_40mp_16bit.png"))], &[]).await;
    assert_eq!(resp.status().as_u16(), 202);
    let job = app.finished(&attendee, &json(resp).await, WITHIN).await;
    assert_eq!(job["status"], "succeeded", "{job}");
    assert_eq!((job["result"]["width"].as_u64(), job["result"]["height"].as_u64()), (Some(8000), Some(5000)), "{job}");

    // Still serving, and still parsing ordinary files.
    assert_eq!(app.client.get(app.url("/healthz")).send().await.map(|r| r.status().as_u16()).ok(), Some(200));
    let ok = app.convert(&organizer, "ok.pdf", meeteasy_tests::documents::pdf_text(&["still here"]), WITHIN).await;
    assert_eq!(ok["status"], "succeeded", "{ok}");
});
