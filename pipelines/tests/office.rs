//! The LibreOffice pool against a real LibreOffice: no mocks.
//!
//! These tests need `soffice` (Debian's libreoffice-*-nogui packages),
//! `/usr/bin/python3` with `uno` (python3-uno), `pdftotext` (poppler-utils),
//! fonts with CJK glyphs (fonts-noto-cjk) and, for the isolation test, a
//! working `unshare --net`. When one is missing they FAIL, saying what to
//! install; they never pass by skipping.
//!
//! Each test starts its own pool; fault injection is on where a test needs a
//! hung or crashed instance.

use std::error::Error;
use std::io::Write;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use meeteasy_pipelines::office::{ConversionFailure, NetworkIsolation, OfficeError, OfficePool, OfficeSettings};

type TestResult = Result<(), Box<dyn Error>>;

const HANG: &[u8] = b"MEETEASY-FAULT:HANG\n";
const CRASH: &[u8] = b"MEETEASY-FAULT:CRASH\n";

fn settings(slots: usize) -> OfficeSettings {
    OfficeSettings { slots, fault_injection: true, ..OfficeSettings::default() }
}

async fn pool(settings: OfficeSettings) -> Result<Arc<OfficePool>, Box<dyn Error>> {
    OfficePool::start(settings).await.map_err(|e| {
        format!("the LibreOffice pool did not start (these tests need LibreOffice, they do not skip): {e}").into()
    })
}

/// The PDF's text, through poppler's pdftotext.
fn pdf_text(pdf: &[u8]) -> Result<String, Box<dyn Error>> {
    assert!(pdf.starts_with(b"%PDF"), "not a PDF: {:?}", &pdf[..pdf.len().min(16)]);
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("out.pdf");
    std::fs::write(&path, pdf)?;
    let out = std::process::Command::new("pdftotext")
        .arg(&path)
        .arg("-")
        .output()
        .map_err(|e| format!("cannot run pdftotext (install poppler-utils): {e}"))?;
    assert!(out.status.success(), "pdftotext failed: {}", String::from_utf8_lossy(&out.stderr));
    Ok(String::from_utf8(out.stdout)?)
}

/// A minimal Word document, one paragraph per entry.
fn docx(paragraphs: &[&str]) -> Result<Vec<u8>, Box<dyn Error>> {
    use zip::write::SimpleFileOptions;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("[Content_Types].xml", options)?;
    zip.write_all(
        br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>
</Types>"#,
    )?;
    zip.start_file("_rels/.rels", options)?;
    zip.write_all(
        br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>
</Relationships>"#,
    )?;
    zip.start_file("word/document.xml", options)?;
    let mut body = String::new();
    for p in paragraphs {
        body.push_str(&format!("<w:p><w:r><w:t xml:space=\"preserve\">{p}</w:t></w:r></w:p>"));
    }
    write!(
        zip,
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{body}<w:sectPr/></w:body></w:document>"#
    )?;
    Ok(zip.finish()?.into_inner())
}

fn soffice_pid(pool: &OfficePool, slot: usize) -> Option<u32> {
    pool.instances().into_iter().find(|i| i.slot == slot).and_then(|i| i.soffice_pid)
}

/// Waits until the pool has every slot idle again (background restarts
/// included), so stats and pids are settled.
async fn settle(pool: &OfficePool) {
    for _ in 0..600 {
        if pool.stats().busy == 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Whether `pid` is gone (or a zombie nobody has reaped yet).
fn is_dead(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        // "pid (comm) S ...": the state follows the last ')'.
        Ok(stat) => stat.rsplit_once(')').map(|(_, rest)| rest.trim_start().starts_with('Z')).unwrap_or(false),
    }
}

async fn wait_dead(pid: u32) -> bool {
    for _ in 0..100 {
        if is_dead(pid) {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn converts_english_and_chinese_text() -> TestResult {
    let pool = pool(settings(1)).await?;
    let pdf = pool.convert("Hello MeetEasy\n你好，世界\n".as_bytes(), "txt", None).await?;
    let text = pdf_text(&pdf)?;
    assert!(text.contains("Hello MeetEasy"), "{text}");
    assert!(text.contains("你好，世界"), "{text}");
    let info = &pool.instances()[0];
    assert_eq!(info.macro_security_level, Some(3), "macro security must be 'very high'");
    assert_eq!(info.macros_disabled, Some(true));
    assert!(info.version.as_deref().is_some_and(|v| !v.is_empty()));
    let stats = pool.stats();
    assert_eq!((stats.conversions, stats.failures, stats.restarts), (1, 0, 0));
    pool.shutdown().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn converts_a_minimal_docx() -> TestResult {
    let pool = pool(settings(1)).await?;
    let input = docx(&["Quarterly meeting notes", "会议纪要：你好，世界"])?;
    let pdf = pool.convert(&input, "docx", None).await?;
    let text = pdf_text(&pdf)?;
    assert!(text.contains("Quarterly meeting notes"), "{text}");
    assert!(text.contains("会议纪要：你好，世界"), "{text}");
    pool.shutdown().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fault_markers_are_plain_text_unless_fault_injection_is_on() -> TestResult {
    let pool = pool(OfficeSettings { slots: 1, ..OfficeSettings::default() }).await?;
    let pdf = pool.convert(HANG, "txt", Some(Duration::from_secs(30))).await?;
    assert!(pdf_text(&pdf)?.contains("MEETEASY-FAULT:HANG"));
    pool.shutdown().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unloadable_file_fails_for_good_and_the_slot_keeps_working() -> TestResult {
    let pool = pool(settings(1)).await?;
    let before = soffice_pid(&pool, 0);
    let err = pool.convert(b"garbage\x00\x01\x02 not a zip", "docx", None).await.err();
    match &err {
        Some(OfficeError::ConversionFailed { reason: ConversionFailure::LoadFailed, .. }) => {}
        other => panic!("expected a load failure, got {other:?}"),
    }
    assert_eq!(err.as_ref().map(|e| e.code()), Some("document.conversion_failed"));
    assert_eq!(err.as_ref().map(|e| e.is_retryable()), Some(false));

    let pdf = pool.convert(b"still alive", "txt", None).await?;
    assert!(pdf_text(&pdf)?.contains("still alive"));
    assert_eq!(soffice_pid(&pool, 0), before, "a bad document must not cost a restart");
    let stats = pool.stats();
    assert_eq!((stats.conversions, stats.failures, stats.restarts), (1, 1, 0));

    let bad_ext = pool.convert(b"x", "../etc", None).await.err();
    assert_eq!(bad_ext.map(|e| e.code()), Some("document.conversion_failed"));
    pool.shutdown().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hung_conversion_times_out_and_the_pool_recovers() -> TestResult {
    let pool = pool(settings(1)).await?;
    let before = soffice_pid(&pool, 0);
    let limit = Duration::from_secs(3);
    let started = Instant::now();
    let err = pool.convert(HANG, "txt", Some(limit)).await.err();
    let elapsed = started.elapsed();
    assert!(matches!(err, Some(OfficeError::Timeout { .. })), "{err:?}");
    assert_eq!(err.as_ref().map(|e| e.code()), Some("document.conversion_timeout"));
    assert_eq!(err.as_ref().map(|e| e.is_retryable()), Some(true));
    assert!(elapsed >= limit, "returned before the timeout: {elapsed:?}");
    assert!(elapsed < limit + Duration::from_secs(30), "the timeout was not enforced: {elapsed:?}");
    if let Some(pid) = before {
        assert!(wait_dead(pid).await, "the hung soffice {pid} was not killed");
    }

    let pdf = pool.convert(b"after the hang", "txt", None).await?;
    assert!(pdf_text(&pdf)?.contains("after the hang"));
    assert_ne!(soffice_pid(&pool, 0), before, "the instance must have been replaced");
    let stats = pool.stats();
    assert_eq!((stats.timeouts, stats.restarts, stats.conversions), (1, 1, 1));
    pool.shutdown().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_is_reported_as_retryable_and_the_pool_recovers() -> TestResult {
    let pool = pool(settings(1)).await?;
    let before = soffice_pid(&pool, 0);
    let err = pool.convert(CRASH, "txt", Some(Duration::from_secs(30))).await.err();
    assert!(matches!(err, Some(OfficeError::Crashed { .. })), "{err:?}");
    assert_eq!(err.as_ref().map(|e| e.code()), Some("office.crashed"));
    assert_eq!(err.as_ref().map(|e| e.is_retryable()), Some(true));

    let pdf = pool.convert(b"after the crash", "txt", None).await?;
    assert!(pdf_text(&pdf)?.contains("after the crash"));
    assert_ne!(soffice_pid(&pool, 0), before);
    let stats = pool.stats();
    assert_eq!((stats.crashes, stats.restarts), (1, 1));
    pool.shutdown().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_instance_that_dies_while_idle_is_replaced_before_the_next_document() -> TestResult {
    let pool = pool(settings(1)).await?;
    let info = pool.instances().into_iter().next().ok_or("no instance")?;
    let (Some(soffice), Some(bridge)) = (info.soffice_pid, info.bridge_pid) else {
        return Err("the instance reported no pids".into());
    };
    let soffice = nix::unistd::Pid::from_raw(i32::try_from(soffice)?);
    nix::sys::signal::kill(soffice, nix::sys::signal::Signal::SIGKILL)?;
    // The bridge notices and exits; wait for that, so the next conversion
    // meets a dead slot rather than racing the bridge.
    assert!(wait_dead(bridge).await, "the bridge did not exit after its soffice died");

    let pdf = pool.convert(b"after an idle death", "txt", None).await?;
    assert!(pdf_text(&pdf)?.contains("after an idle death"));
    let stats = pool.stats();
    assert_eq!((stats.crashes, stats.restarts, stats.failures), (1, 1, 0));
    pool.shutdown().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instances_are_recycled_after_n_documents() -> TestResult {
    let pool = pool(OfficeSettings { recycle_after: 2, ..settings(1) }).await?;
    let first = soffice_pid(&pool, 0);
    for n in 0..2 {
        pool.convert(format!("document {n}").as_bytes(), "txt", None).await?;
    }
    let pdf = pool.convert(b"document 2", "txt", None).await?;
    assert!(pdf_text(&pdf)?.contains("document 2"));
    let second = soffice_pid(&pool, 0);
    assert!(first.is_some() && second.is_some());
    assert_ne!(first, second, "the instance was not replaced after 2 documents");
    assert_eq!(pool.instances()[0].generation, 2);
    let stats = pool.stats();
    assert_eq!((stats.conversions, stats.restarts, stats.failures), (3, 1, 0));
    pool.shutdown().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn other_slots_keep_converting_while_one_hangs() -> TestResult {
    let pool = pool(settings(2)).await?;
    let hung = {
        let pool = Arc::clone(&pool);
        tokio::spawn(async move { pool.convert(HANG, "txt", Some(Duration::from_secs(20))).await })
    };
    while pool.stats().busy == 0 {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    for n in 0..3 {
        let pdf = pool.convert(format!("parallel {n}").as_bytes(), "txt", None).await?;
        assert!(pdf_text(&pdf)?.contains(&format!("parallel {n}")));
    }
    assert!(!hung.is_finished(), "the hung conversion ended before the other slot's conversions");
    let err = hung.await?.err();
    assert!(matches!(err, Some(OfficeError::Timeout { .. })), "{err:?}");
    settle(&pool).await;
    assert_eq!(pool.stats().timeouts, 1);
    pool.shutdown().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_abandoned_conversion_does_not_wedge_its_slot() -> TestResult {
    let pool = pool(settings(1)).await?;
    let before = soffice_pid(&pool, 0);
    // The job's own deadline fires first and drops the conversion future.
    let abandoned = tokio::time::timeout(Duration::from_secs(2), pool.convert(HANG, "txt", None)).await;
    assert!(abandoned.is_err(), "the hang fault did not hang");
    if let Some(pid) = before {
        assert!(wait_dead(pid).await, "the abandoned instance {pid} is still running");
    }
    let pdf = pool.convert(b"after abandonment", "txt", Some(Duration::from_secs(60))).await?;
    assert!(pdf_text(&pdf)?.contains("after abandonment"));
    assert_eq!(pool.stats().restarts, 1);
    pool.shutdown().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instances_have_no_network() -> TestResult {
    let pool = pool(OfficeSettings { network_isolation: NetworkIsolation::Required, ..settings(1) })
        .await
        .map_err(|e| format!("{e} (the isolation test needs `unshare --net`: root or CAP_SYS_ADMIN)"))?;
    assert!(pool.network_isolated());
    let info = pool.instances().into_iter().next().ok_or("no instance")?;
    assert!(info.network_isolated);
    let soffice = info.soffice_pid.ok_or("no soffice pid")?;
    let ours = std::fs::read_link("/proc/self/ns/net")?;
    let theirs = std::fs::read_link(format!("/proc/{soffice}/ns/net"))?;
    assert_ne!(ours, theirs, "soffice shares the test's network namespace");
    // A conversion still works in there (the UNO pipe is a unix socket).
    let pdf = pool.convert(b"isolated", "txt", None).await?;
    assert!(pdf_text(&pdf)?.contains("isolated"));
    pool.shutdown().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_password_protected_document_is_reported_as_encrypted() -> TestResult {
    let dir = tempfile::tempdir()?;
    let encrypted = dir.path().join("secret.odt");
    make_encrypted_odt(dir.path(), &encrypted).await?;
    let pool = pool(settings(1)).await?;
    let err = pool.convert(&std::fs::read(&encrypted)?, "odt", None).await.err();
    assert!(matches!(err, Some(OfficeError::Encrypted)), "{err:?}");
    assert_eq!(err.as_ref().map(|e| e.code()), Some("document.encrypted"));
    assert_eq!(err.as_ref().map(|e| e.is_retryable()), Some(false));
    // The prompt was answered: the slot is free and working.
    let pdf = pool.convert(b"after the password prompt", "txt", None).await?;
    assert!(pdf_text(&pdf)?.contains("after the password prompt"));
    pool.shutdown().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_stops_every_instance_and_refuses_new_work() -> TestResult {
    let pool = pool(settings(2)).await?;
    let pids: Vec<u32> = pool.instances().iter().flat_map(|i| [i.soffice_pid, i.bridge_pid]).flatten().collect();
    assert_eq!(pids.len(), 4);
    pool.shutdown().await;
    for pid in pids {
        assert!(wait_dead(pid).await, "{pid} survived the shutdown");
    }
    let err = pool.convert(b"too late", "txt", None).await.err();
    assert_eq!(err.map(|e| e.code()), Some("office.unavailable"));
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropping_the_pool_kills_its_instances() -> TestResult {
    let pool = pool(settings(1)).await?;
    let pids: Vec<u32> = pool.instances().iter().flat_map(|i| [i.soffice_pid, i.bridge_pid]).flatten().collect();
    let dir = pool.work_dir().to_path_buf();
    assert_eq!(pids.len(), 2);
    drop(pool);
    for pid in pids {
        assert!(wait_dead(pid).await, "{pid} survived the pool");
    }
    assert!(!dir.exists(), "the pool's temp work dir was left behind");
    Ok(())
}

#[tokio::test]
async fn a_missing_libreoffice_is_a_clear_start_error() {
    let missing = OfficeSettings { soffice: "/nonexistent/soffice".into(), ..OfficeSettings::default() };
    let err = OfficePool::start(missing).await.err();
    assert_eq!(err.as_ref().map(|e| e.code()), Some("office.start_failed"));
    let text = err.map(|e| e.to_string()).unwrap_or_default();
    assert!(text.contains("libreoffice-writer-nogui") && text.contains("python3-uno"), "{text}");
}

/// Writes a password-protected ODT with LibreOffice itself (a separate,
/// short-lived instance driven by a throwaway UNO script).
async fn make_encrypted_odt(dir: &Path, target: &Path) -> TestResult {
    const SCRIPT: &str = r#"
import os, subprocess, sys, time
import uno
from com.sun.star.beans import PropertyValue
from com.sun.star.connection import NoConnectException

def prop(name, value):
    p = PropertyValue(); p.Name = name; p.Value = value; return p

profile, target = sys.argv[1], sys.argv[2]
pipe = "meeteasy-test-%d" % os.getpid()
office = subprocess.Popen(["soffice", "--headless", "--invisible", "--norestore", "--nologo", "--nodefault",
    "-env:UserInstallation=" + uno.systemPathToFileUrl(profile),
    "--accept=pipe,name=%s;urp;StarOffice.ComponentContext" % pipe], stdin=subprocess.DEVNULL)
try:
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    deadline = time.monotonic() + 90
    while True:
        try:
            ctx = resolver.resolve("uno:pipe,name=%s;urp;StarOffice.ComponentContext" % pipe)
            break
        except NoConnectException:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
    desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
    doc = desktop.loadComponentFromURL("private:factory/swriter", "_blank", 0, (prop("Hidden", True),))
    doc.getText().setString("top secret minutes")
    doc.storeToURL(uno.systemPathToFileUrl(target), (prop("FilterName", "writer8"), prop("Password", "s3cret")))
    doc.close(True)
    try:
        desktop.terminate()
    except Exception:
        pass
    office.wait(timeout=30)
finally:
    if office.poll() is None:
        office.kill()
"#;
    let script = dir.join("make_encrypted.py");
    std::fs::write(&script, SCRIPT)?;
    let run = tokio::process::Command::new("/usr/bin/python3")
        .arg(&script)
        .arg(dir.join("profile"))
        .arg(target)
        .kill_on_drop(true)
        .output();
    let out = tokio::time::timeout(Duration::from_secs(180), run).await??;
    if !out.status.success() || !target.exists() {
        return Err(format!("could not make the encrypted fixture: {}", String::from_utf8_lossy(&out.stderr)).into());
    }
    // An encrypted ODF package lists encryption data in its manifest.
    let bytes = std::fs::read(target)?;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes))?;
    let mut manifest = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("META-INF/manifest.xml")?, &mut manifest)?;
    assert!(manifest.contains("encryption-data"), "the fixture is not encrypted");
    Ok(())
}
