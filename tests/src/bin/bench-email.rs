//! Benchmark (not a test): email throughput through the whole pipeline.
//!
//!   cargo run --release -p meeteasy-tests --bin bench-email -- [embedded|scaled] [EMAILS] [PER_JOB] [SMTP_URL]
//!
//! EMAILS `session_reminder` emails, PER_JOB recipients per request
//! (default 1), are posted to the API (32 requests in flight), run as
//! `send_email` jobs and delivered over the pooled SMTP transport. Without SMTP_URL a minimal in-process SMTP sink
//! (below) receives them, so the figure measures the platform rather than a
//! Python server; with SMTP_URL (e.g. aiosmtpd) it measures against that.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use meeteasy_models::auth::Role;
use meeteasy_tests::{Backend, TestApp};
use serde_json::json;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

/// Speaks just enough SMTP to accept messages, counting each DATA.
async fn smtp_sink(counter: Arc<AtomicUsize>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap_or_else(|e| panic!("{e}"));
    let addr = listener.local_addr().unwrap_or_else(|e| panic!("{e}"));
    tokio::spawn(async move {
        while let Ok((sock, _)) = listener.accept().await {
            let counter = counter.clone();
            tokio::spawn(async move {
                let (r, mut w) = sock.into_split();
                let mut lines = BufReader::new(r).lines();
                let _ = w.write_all(b"220 bench ESMTP\r\n").await;
                let mut in_data = false;
                while let Ok(Some(line)) = lines.next_line().await {
                    if in_data {
                        if line == "." {
                            in_data = false;
                            counter.fetch_add(1, Ordering::Relaxed);
                            let _ = w.write_all(b"250 2.0.0 queued\r\n").await;
                        }
                        continue;
                    }
                    let verb = line.get(..4).unwrap_or("").to_ascii_uppercase();
                    let reply: &[u8] = match verb.as_str() {
                        "EHLO" => b"250-bench\r\n250 8BITMIME\r\n",
                        "DATA" => {
                            in_data = true;
                            b"354 go ahead\r\n"
                        }
                        "QUIT" => {
                            let _ = w.write_all(b"221 bye\r\n").await;
                            return;
                        }
                        _ => b"250 OK\r\n",
                    };
                    let _ = w.write_all(reply).await;
                }
            });
        }
    });
    format!("smtp://{addr}")
}

async fn succeeded(app: &TestApp, token: &str) -> usize {
    let page =
        meeteasy_tests::app::json(app.get("/v1/jobs?kind=send_email&status=succeeded&page_size=1", token).await).await;
    usize::try_from(page["total"].as_u64().unwrap_or(0)).unwrap_or(0)
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let backend = if args.get(1).map(String::as_str) == Some("scaled") { Backend::Scaled } else { Backend::Embedded };
    let emails: usize = args.get(2).and_then(|v| v.parse().ok()).unwrap_or(2000);
    let per_job: usize = args.get(3).and_then(|v| v.parse().ok()).unwrap_or(1).max(1);
    let requests = emails.div_ceil(per_job);
    let received = Arc::new(AtomicUsize::new(0));
    let (smtp_url, external) = match args.get(4) {
        Some(u) => (u.clone(), true),
        None => (smtp_sink(received.clone()).await, false),
    };
    let app = TestApp::spawn_with(backend, true, |s| {
        s.smtp_url = Some(smtp_url.clone());
        s.limits.tenant_requests_per_minute = 0;
        s.runtime.cpu.concurrency = 32;
        s.notifications.smtp_pool_size = 16;
        s.notifications.email_per_tenant_per_minute = 0;
        s.notifications.email_per_provider_per_second = 0;
        s.log_level = "warn".into();
    })
    .await;
    let token = app.token("bench", Role::Organizer);
    println!(
        "backend: {backend:?}, emails: {emails}, smtp: {}",
        if external { smtp_url.as_str() } else { "in-process sink" }
    );
    let start = Instant::now();
    let sem = Arc::new(tokio::sync::Semaphore::new(32));
    let mut tasks = Vec::with_capacity(requests);
    for i in 0..requests {
        let permit = sem.clone().acquire_owned().await;
        let (client, url, token) = (app.client.clone(), app.url("/v1/notifications/email"), token.clone());
        tasks.push(tokio::spawn(async move {
            let body = json!({
                "to": (0..per_job).map(|j| format!("attendee{i}-{j}@example.com")).collect::<Vec<_>>(),
                "template": "session_reminder",
                "locale": if i % 2 == 0 { "en" } else { "zh-CN" },
                "vars": {"name": format!("Attendee {i}"), "session_title": "Keynote", "starts_at": "09:00"},
            });
            let r = client.post(url).bearer_auth(token).json(&body).send().await;
            drop(permit);
            r.map(|r| r.status().as_u16()).unwrap_or(0)
        }));
    }
    let mut accepted = 0;
    for t in tasks {
        if t.await.unwrap_or(0) == 202 {
            accepted += 1;
        }
    }
    let enqueued = start.elapsed();
    let deadline = Instant::now() + Duration::from_secs(600);
    while succeeded(&app, &token).await < accepted && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let total = start.elapsed();
    let sent = accepted * per_job;
    println!(
        "{accepted} jobs ({sent} emails) accepted in {:.2}s; all sent after {:.2}s: {:.0} emails/s, {:.0} jobs/s end to end{}",
        enqueued.as_secs_f64(),
        total.as_secs_f64(),
        sent as f64 / total.as_secs_f64(),
        accepted as f64 / total.as_secs_f64(),
        if external { String::new() } else { format!(" (sink counted {})", received.load(Ordering::Relaxed)) }
    );
}
