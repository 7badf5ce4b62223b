//! Voice input end to end: API → queue → AI pool (whisper.cpp) → store,
//! with speech made at test time by espeak-ng. Needs the models
//! (`scripts/fetch-models.sh`; scripts/test.sh exports MEETEASY_MODELS_DIR).
//!
//! WER threshold: 0.2. espeak-ng's synthetic voice is clean but robotic;
//! tiny.en transcribes these sentences exactly in our runs (WER 0), and 0.2
//! allows one slipped word per five without letting a broken pipeline
//! (wrong sample rate, wrong channel mix) pass, since that yields
//! near-total garbage.

use std::time::Duration;

use meeteasy_models::Pool;
use meeteasy_models::auth::Role;
use meeteasy_tests::app::{assert_error, json};
use meeteasy_tests::smtp::python;
use meeteasy_tests::speech::{silence, speak, wer};
use meeteasy_tests::{Backend, TestApp, on_both_backends};
use serde_json::Value;

const SENTENCE: &str = "please send the report to the team by friday";

async fn app(backend: Backend) -> TestApp {
    assert!(
        std::env::var("MEETEASY_MODELS_DIR").is_ok(),
        "MEETEASY_MODELS_DIR is not set: run scripts/fetch-models.sh DIR"
    );
    TestApp::spawn_pools(backend, &[Pool::Cpu, Pool::Ai], |_| {}).await
}

async fn upload(app: &TestApp, token: &str, path: &std::path::Path, query: &str) -> reqwest::Response {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{e}"));
    let part = reqwest::multipart::Part::bytes(bytes).file_name("clip.bin");
    let form = reqwest::multipart::Form::new().part("file", part);
    app.client
        .post(app.url(&format!("/v1/transcriptions{query}")))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

on_both_backends!(voice_input_comes_back_as_text_within_the_wait, |backend: Backend| async move {
    let app = app(backend).await;
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let t = app.token("acme", Role::Attendee);
    let clips = [
        speak(dir.path(), "mono16k.wav", SENTENCE, &["-r", "16000", "-c", "1", "-b", "16"]),
        speak(dir.path(), "stereo44k.wav", SENTENCE, &["-r", "44100", "-c", "2"]),
        speak(dir.path(), "stereo44k.flac", SENTENCE, &["-r", "44100", "-c", "2"]),
        speak(dir.path(), "clip.ogg", SENTENCE, &["-r", "44100", "-c", "2"]),
        speak(dir.path(), "clip.mp3", SENTENCE, &["-r", "44100", "-c", "1"]),
    ];
    for clip in &clips {
        let resp = upload(&app, &t, clip, "?wait=10").await;
        assert_eq!(resp.status().as_u16(), 200, "{}", clip.display());
        let job = json(resp).await;
        assert_eq!(job["status"], "succeeded", "{job}");
        let text = job["result"]["text"].as_str().unwrap_or_default();
        let rate = wer(SENTENCE, text);
        println!("{}: WER {rate:.3} ({text:?})", clip.display());
        assert!(rate <= 0.2, "{}: WER {rate} for {text:?}", clip.display());
        assert_eq!(job["result"]["language"], "en");
        let segs = job["result"]["segments"].as_array().cloned().unwrap_or_default();
        assert!(!segs.is_empty());
        let duration = job["result"]["duration"].as_f64().unwrap_or(0.0);
        assert!(
            segs.iter()
                .all(|s| s["start"].as_f64() <= s["end"].as_f64()
                    && s["end"].as_f64().unwrap_or(99.0) <= duration + 0.01),
            "{job}"
        );
    }
    // Without ?wait: 202 and a queued job that finishes later.
    let resp = upload(&app, &t, &clips[0], "").await;
    assert_eq!(resp.status().as_u16(), 202);
    let id = json(resp).await["id"].as_str().unwrap_or_default().to_string();
    let done = app.wait_for_status(&t, &id, &["succeeded"], Duration::from_secs(60)).await;
    let other = app.token("globex", Role::Organizer);
    assert_error(app.get(&format!("/v1/jobs/{id}"), &other).await, 404, "job.not_found").await;
    assert!(done["result"]["text"].as_str().is_some_and(|t| !t.is_empty()));
});

on_both_backends!(silence_and_bad_audio_never_hallucinate_or_crash, |backend: Backend| async move {
    let app = app(backend).await;
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let t = app.token("acme", Role::Attendee);
    let quiet = json(upload(&app, &t, &silence(dir.path(), "silence.wav", 3), "?wait=10").await).await;
    assert_eq!((quiet["status"].as_str(), quiet["result"]["text"].as_str()), (Some("succeeded"), Some("")), "{quiet}");

    let garbage = dir.path().join("noise.wav");
    std::fs::write(&garbage, b"RIFF\x00\x00\x00\x00this is not audio at all, just text pretending").unwrap_or_default();
    let text_file = dir.path().join("notes.mp3");
    std::fs::write(&text_file, "just some text with an mp3 name".repeat(20)).unwrap_or_default();
    for (path, codes) in [
        (&garbage, ["audio.corrupt", "audio.unsupported_format"]),
        (&text_file, ["audio.unsupported_format", "audio.corrupt"]),
    ] {
        let job = json(upload(&app, &t, path, "?wait=10").await).await;
        assert_eq!(job["status"], "dead", "{job}");
        assert_eq!(job["attempts"], 1, "bad input is never retried: {job}");
        assert!(codes.contains(&job["error"]["code"].as_str().unwrap_or_default()), "{job}");
    }
    let long = silence(dir.path(), "long.flac", 130);
    let job = json(upload(&app, &t, &long, "?wait=10").await).await;
    assert_eq!(job["error"]["code"], "audio.too_long", "{job}");
    let empty = dir.path().join("empty.wav");
    std::fs::write(&empty, b"").unwrap_or_default();
    assert_error(upload(&app, &t, &empty, "?wait=10").await, 422, "audio.empty").await;
    assert_error(upload(&app, &t, &garbage, "?wait=11").await, 422, "request.invalid").await;
    // The worker is still healthy afterwards.
    let ok = json(
        upload(&app, &t, &speak(dir.path(), "after.wav", SENTENCE, &["-r", "16000", "-c", "1"]), "?wait=10").await,
    )
    .await;
    assert_eq!(ok["status"], "succeeded", "{ok}");
});

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_official_openai_client_works_against_us() {
    let app = app(Backend::Embedded).await;
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let clip = speak(dir.path(), "clip.wav", SENTENCE, &["-r", "16000", "-c", "1", "-b", "16"]);
    let token = app.token("acme", Role::Attendee);
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/py/openai_check.py");
    let out = tokio::process::Command::new(python()).args([script, &app.address, &token]).arg(&clip).output().await;
    let out = out.unwrap_or_else(|e| panic!("{e}"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}\n{stdout}", String::from_utf8_lossy(&out.stderr));
    let r: Value = serde_json::from_str(stdout.trim()).unwrap_or_else(|_| panic!("not JSON: {stdout}"));
    for key in ["json", "text"] {
        let text = r[key].as_str().unwrap_or_default();
        assert!(wer(SENTENCE, text) <= 0.2, "{key}: {text:?}");
    }
    let srt = r["srt"].as_str().unwrap_or_default();
    let srt_time = |l: &str| {
        let b = l.as_bytes();
        l.len() == 29 && &l[12..17] == " --> " && b[8] == b',' && b[25] == b',' && b[2] == b':' && b[5] == b':'
    };
    let lines: Vec<&str> = srt.lines().collect();
    assert_eq!(lines.first(), Some(&"1"), "{srt}");
    assert!(lines.get(1).is_some_and(|l| srt_time(l)), "SRT timing line: {srt}");
    let vtt = r["vtt"].as_str().unwrap_or_default();
    assert!(vtt.starts_with("WEBVTT\n\n"), "{vtt}");
    let vtt_line = vtt.lines().nth(2).unwrap_or_default();
    assert!(
        vtt_line.len() == 29 && &vtt_line[12..17] == " --> " && vtt_line.as_bytes()[8] == b'.',
        "VTT timing line: {vtt}"
    );
    assert_eq!(r["verbose"]["language"], "english");
    assert!(r["verbose"]["duration"].as_f64().is_some_and(|d| d > 1.0));
    assert!(r["verbose"]["segments"].as_array().is_some_and(|s| !s.is_empty()));
    assert!(r["bad_file"].as_str().is_some_and(|s| s.starts_with("BadRequestError")), "{r}");
    // The synchronous endpoint ran real jobs for the tenant.
    let jobs = json(app.get("/v1/jobs?kind=transcribe_audio", &app.token("acme", Role::Organizer)).await).await;
    assert!(jobs["total"].as_u64().is_some_and(|n| n >= 5), "{jobs}");
}
