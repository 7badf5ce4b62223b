//! Documents end to end: upload → convert_document on the CPU pool (real
//! LibreOffice, real lopdf) → store → the documents API. Every fixture is
//! made by the test (`meeteasy_tests::documents`), hostile ones included.

use std::time::{Duration, Instant};

use meeteasy_models::auth::Role;
use meeteasy_tests::app::{assert_error, json, quick_retries};
use meeteasy_tests::documents as fx;
use meeteasy_tests::{Backend, TestApp, on_both_backends};
use serde_json::Value;

/// LibreOffice starts on the first Office document of an app (a few
/// seconds on 2 cores), so conversions get a generous bound.
const CONVERT: Duration = Duration::from_secs(120);

async fn app(backend: Backend, slots: usize) -> TestApp {
    TestApp::spawn_with(backend, true, |s| {
        s.documents.office.slots = slots;
    })
    .await
}

fn id_of(job: &Value) -> String {
    job["id"].as_str().unwrap_or_else(|| panic!("no id: {job}")).to_string()
}

async fn ready_document(app: &TestApp, token: &str, name: &str, bytes: Vec<u8>) -> (Value, Value) {
    let job = app.convert(token, name, bytes, CONVERT).await;
    assert_eq!(job["status"], "succeeded", "{name}: {job}");
    let id = id_of(&job);
    assert_eq!(job["result"]["document_id"], id.as_str(), "{job}");
    let doc = app.document(token, &id).await;
    assert_eq!(doc["status"], "ready", "{doc}");
    (doc, app.document_text(token, &id).await)
}

fn page_text(text: &Value, page: usize) -> String {
    text["pages"][page]["text"].as_str().unwrap_or_default().split_whitespace().collect::<Vec<_>>().join(" ")
}

on_both_backends!(office_files_become_pdfs_with_their_text, |backend: Backend| async move {
    let app = app(backend, 2).await;
    let t = app.token("acme", Role::Organizer);

    let docx = fx::docx_with_meta(
        &["会议日程 Conference agenda", "Keynote at 9:00 主题演讲", "Closing remarks 闭幕"],
        &fx::DocMeta { title: "Agenda 2026", author: "Ops Team" },
    );
    let (doc, text) = ready_document(&app, &t, "agenda.docx", docx).await;
    assert_eq!(doc["page_count"], 3, "{doc}");
    assert_eq!(doc["has_text"], true);
    assert_eq!(doc["needs_ocr"], false);
    assert_eq!(doc["filename"], "agenda.docx");
    assert_eq!(doc["source_type"], "docx");
    assert_eq!(doc["content_type"], "application/vnd.openxmlformats-officedocument.wordprocessingml.document");
    assert_eq!(doc["title"], "Agenda 2026", "{doc}");
    assert_eq!(doc["author"], "Ops Team", "{doc}");
    assert!(doc["size"].as_u64().is_some_and(|n| n > 0));
    assert!(page_text(&text, 0).contains("会议日程 Conference agenda"), "{text}");
    assert!(page_text(&text, 1).contains("Keynote at 9:00"), "{text}");
    assert!(page_text(&text, 2).contains("闭幕"), "{text}");

    let rows = vec![vec!["Session".to_string(), "Room".into()], vec!["开幕式".into(), "Hall A".into()]];
    let (doc, text) = ready_document(&app, &t, "rooms.xlsx", fx::xlsx(&[("Rooms", rows)])).await;
    assert_eq!(doc["page_count"], 1, "{doc}");
    assert!(page_text(&text, 0).contains("开幕式"), "{text}");
    assert!(page_text(&text, 0).contains("Hall A"), "{text}");

    let (doc, text) = ready_document(&app, &t, "deck.pptx", fx::pptx(&["Welcome 欢迎", "Thank you"])).await;
    assert_eq!(doc["page_count"], 2, "{doc}");
    assert!(page_text(&text, 0).contains("欢迎"), "{text}");
    assert!(page_text(&text, 1).contains("Thank you"), "{text}");

    let (doc, text) = ready_document(&app, &t, "notes.odt", fx::odt(&["第一页 page one", "page two"])).await;
    assert_eq!(doc["page_count"], 2, "{doc}");
    assert!(page_text(&text, 0).contains("第一页 page one"), "{text}");

    let (doc, text) = ready_document(&app, &t, "memo.rtf", fx::rtf("Memo for the speakers")).await;
    assert_eq!(doc["page_count"], 1, "{doc}");
    assert!(page_text(&text, 0).contains("Memo for the speakers"), "{text}");

    // A PDF is validated and normalized, not converted.
    let (doc, text) = ready_document(&app, &t, "handout.pdf", fx::pdf_text(&["Handout page one", "Page two"])).await;
    assert_eq!(doc["page_count"], 2, "{doc}");
    assert_eq!(doc["source_type"], "pdf");
    assert!(page_text(&text, 1).contains("Page two"), "{text}");

    // The PDF download: type, name, ranges.
    let id = doc["id"].as_str().unwrap_or_default();
    let resp = app.get(&format!("/v1/documents/{id}/pdf"), &t).await;
    assert_eq!(resp.status().as_u16(), 200);
    assert_eq!(resp.headers()["content-type"], "application/pdf");
    assert_eq!(resp.headers()["accept-ranges"], "bytes");
    let cd = resp.headers()["content-disposition"].to_str().unwrap_or_default().to_string();
    assert!(cd.starts_with("attachment; filename=\"handout.pdf\""), "{cd}");
    let whole = resp.bytes().await.unwrap_or_default();
    assert!(whole.starts_with(b"%PDF-"));
    assert_eq!(doc["pdf_size"], whole.len() as u64);
    let part = app
        .client
        .get(app.url(&format!("/v1/documents/{id}/pdf")))
        .bearer_auth(&t)
        .header("Range", "bytes=5-9")
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(part.status().as_u16(), 206);
    assert_eq!(part.headers()["content-range"], format!("bytes 5-9/{}", whole.len()).as_str());
    assert_eq!(part.bytes().await.unwrap_or_default().as_ref(), &whole[5..10]);
    let past = app
        .client
        .get(app.url(&format!("/v1/documents/{id}/pdf")))
        .bearer_auth(&t)
        .header("Range", format!("bytes={}-", whole.len()))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(past.status().as_u16(), 416);
    assert_eq!(past.headers()["content-range"], format!("bytes */{}", whole.len()).as_str());
});

async fn dead_with(app: &TestApp, token: &str, name: &str, bytes: Vec<u8>, code: &str) -> Value {
    let job = app.convert(token, name, bytes, CONVERT).await;
    assert_eq!(job["status"], "dead", "{name}: {job}");
    assert_eq!(job["error"]["code"], code, "{name}: {job}");
    let doc = app.document(token, &id_of(&job)).await;
    assert_eq!(doc["status"], "failed", "{name}: {doc}");
    assert_eq!(doc["error"]["code"], code, "{name}: {doc}");
    job
}

on_both_backends!(hostile_files_end_in_a_clear_terminal_state, |backend: Backend| async move {
    let app = TestApp::spawn_with(backend, true, |s| {
        s.documents.office.slots = 1;
        s.limits.document_body_bytes = 8 * 1024 * 1024;
        s.documents.container.max_uncompressed_bytes = 256 * 1024 * 1024;
    })
    .await;
    let t = app.token("acme", Role::Organizer);

    // Refused at the door: nothing to convert.
    let empty = app.upload_files("/v1/documents", &t, &[("empty.docx", Vec::new())], &[]).await;
    assert_error(empty, 422, "document.empty").await;
    let noise: Vec<u8> = (0..4096u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    let garbage = app.upload_files("/v1/documents", &t, &[("noise.docx", noise)], &[]).await;
    assert_error(garbage, 415, "document.unsupported_format").await;
    let big = app.upload_files("/v1/documents", &t, &[("big.pdf", vec![b'%'; 9 * 1024 * 1024])], &[]).await;
    assert_error(big, 413, "request.too_large").await;
    let bad_ocr = app.upload_files("/v1/documents", &t, &[("a.pdf", fx::pdf_text(&["x"]))], &[("ocr", "maybe")]).await;
    assert_error(bad_ocr, 422, "request.invalid").await;

    // Accepted, then refused by the worker with a stable code (Abort: one attempt).
    let started = Instant::now();
    let bomb = dead_with(&app, &t, "bomb.docx", fx::zip_bomb_docx(1 << 30), "document.too_large_uncompressed").await;
    assert_eq!(bomb["attempts"], 1, "{bomb}");
    assert!(started.elapsed() < Duration::from_secs(60), "the bomb was not stopped early");
    dead_with(&app, &t, "locked.docx", fx::encrypted_docx(), "document.encrypted").await;
    dead_with(&app, &t, "locked.doc", fx::encrypted_doc(), "document.encrypted").await;
    dead_with(&app, &t, "locked.pdf", fx::pdf_encrypted_user_password(), "document.encrypted").await;
    dead_with(&app, &t, "huge.pdf", fx::pdf_many_pages(5000), "document.too_many_pages").await;
    let good_docx = fx::docx(&["intact"]);
    dead_with(&app, &t, "cut.docx", fx::truncated(&good_docx, good_docx.len() / 2), "document.corrupt").await;
    // A page tree that contains itself has no well-defined pages.
    let job = app.convert(&t, "kids.pdf", fx::pdf_kids_loop(), CONVERT).await;
    assert_eq!(job["status"], "dead", "{job}");
    assert_eq!(job["error"]["code"], "document.reference_loop", "{job}");
    // A /Parent loop only breaks attribute inheritance (the walk is bounded);
    // the page itself is well defined, so the document converts.
    let job = app.convert(&t, "parent.pdf", fx::pdf_parent_loop(), CONVERT).await;
    assert_eq!(job["status"], "succeeded", "{job}");
    assert_eq!(job["result"]["page_count"], 1, "{job}");
    // A truncated PDF is either repaired by lopdf or refused as corrupt; it never hangs or crashes.
    let good_pdf = fx::pdf_text(&["one", "two", "three"]);
    let job = app.convert(&t, "cut.pdf", fx::truncated(&good_pdf, good_pdf.len() / 2), CONVERT).await;
    assert!(job["status"] == "succeeded" || job["error"]["code"] == "document.corrupt", "{job}");

    // An owner-password-only PDF opens like any other.
    let job = app.convert(&t, "owner.pdf", fx::pdf_encrypted_owner_only(), CONVERT).await;
    assert_eq!(job["status"], "succeeded", "{job}");

    // Types come from the bytes: a PDF named .docx is a PDF.
    let (doc, _) = ready_document(&app, &t, "report.docx", fx::pdf_text(&["really a pdf"])).await;
    assert_eq!(doc["source_type"], "pdf", "{doc}");

    // Hostile names are sanitized for display and never used as paths.
    let (doc, _) = ready_document(&app, &t, "../../etc/passwd.pdf", fx::pdf_text(&["x"])).await;
    assert_eq!(doc["filename"], "passwd.pdf", "{doc}");
    let (doc, _) = ready_document(&app, &t, "..\\..\\evil\tname.pdf", fx::pdf_text(&["x"])).await;
    assert_eq!(doc["filename"], "evilname.pdf", "{doc}");

    // The worker survived all of it.
    let (doc, _) = ready_document(&app, &t, "after.docx", fx::docx(&["still converting"])).await;
    assert_eq!(doc["page_count"], 1);
});

on_both_backends!(a_hung_libreoffice_is_killed_retried_and_marked_dead, |backend: Backend| async move {
    let app = TestApp::spawn_with(backend, true, |s| {
        s.documents.office.slots = 2;
        s.documents.office.convert_timeout = Duration::from_secs(3);
        s.documents.office.fault_injection = true;
        quick_retries(s, "convert_document", 2, 60);
    })
    .await;
    let t = app.token("acme", Role::Organizer);
    // Warm both slots so the timings below are about the hang only.
    ready_document(&app, &t, "warm.docx", fx::docx(&["warm"])).await;

    let hang = app.upload_document(&t, "hang.txt", b"MEETEASY-FAULT:HANG\n".to_vec(), None).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    // The other slot keeps converting while one is hung.
    let (doc, text) = ready_document(&app, &t, "meanwhile.docx", fx::docx(&["converted meanwhile"])).await;
    assert_eq!(doc["page_count"], 1);
    assert!(page_text(&text, 0).contains("converted meanwhile"));
    let during = app.get(&format!("/v1/jobs/{}", id_of(&hang)), &t).await;
    let during = json(during).await;
    assert_ne!(during["status"], "dead", "the normal document should finish before the hung one gives up: {during}");

    let hang = app.finished(&t, &hang, CONVERT).await;
    assert_eq!(hang["status"], "dead", "{hang}");
    assert_eq!(hang["error"]["code"], "document.conversion_timeout", "{hang}");
    assert_eq!(hang["attempts"], 2, "{hang}");

    // The killed instance was replaced.
    let (doc, _) = ready_document(&app, &t, "after.docx", fx::docx(&["after the hang"])).await;
    assert_eq!(doc["page_count"], 1);
});

on_both_backends!(documents_are_tenant_private, |backend: Backend| async move {
    let app = app(backend, 1).await;
    let a = app.token("acme", Role::Organizer);
    let b = app.token("globex", Role::Organizer);
    let (doc, _) = ready_document(&app, &a, "private.pdf", fx::pdf_text(&["acme only"])).await;
    let id = doc["id"].as_str().unwrap_or_default();
    for path in [format!("/v1/documents/{id}"), format!("/v1/documents/{id}/pdf"), format!("/v1/documents/{id}/text")] {
        assert_error(app.get(&path, &b).await, 404, "document.not_found").await;
    }
    assert_error(app.get("/v1/documents/not-a-uuid", &a).await, 404, "document.not_found").await;
    // An id of another kind of job is not a document.
    let admin = app.token("acme", Role::Admin);
    let other = app.post("/v1/diagnostics/sleep", &admin, &serde_json::json!({"millis": 1})).await;
    let other = json(other).await;
    assert_error(app.get(&format!("/v1/documents/{}", id_of(&other)), &a).await, 404, "document.not_found").await;
    // Attendees cannot upload documents.
    let attendee = app.token("acme", Role::Attendee);
    let resp = app.upload_files("/v1/documents", &attendee, &[("a.pdf", fx::pdf_text(&["x"]))], &[]).await;
    assert_error(resp, 403, "auth.forbidden").await;
    // A super_admin may read across tenants.
    let root = app.token("root", Role::SuperAdmin);
    let seen = app.document(&root, id).await;
    assert_eq!(seen["id"], id);
});

on_both_backends!(an_idempotent_upload_is_one_document, |backend: Backend| async move {
    let app = app(backend, 1).await;
    let t = app.token("acme", Role::Organizer);
    let send = || async {
        let form = reqwest::multipart::Form::new()
            .part("file", reqwest::multipart::Part::bytes(fx::pdf_text(&["same"])).file_name("same.pdf"));
        let resp = app
            .client
            .post(app.url("/v1/documents"))
            .bearer_auth(&t)
            .header("Idempotency-Key", "upload-1")
            .multipart(form)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(resp.status().as_u16(), 202);
        json(resp).await
    };
    let first = send().await;
    let second = send().await;
    assert_eq!(first["id"], second["id"]);
    let done = app.finished(&t, &first, CONVERT).await;
    assert_eq!(done["status"], "succeeded", "{done}");
});

// OCR that ends without a result (here: cancelled while it waits for page
// OCR that no AI worker will run) leaves the document's OCR `failed`, never
// `pending` for good.
on_both_backends!(ocr_that_ends_without_a_result_is_failed_not_pending, |backend: Backend| async move {
    let app = TestApp::spawn(backend).await;
    let t = app.token("acme", Role::Organizer);
    let scan = fx::pdf_scanned(&[fx::ScanImage::Jpeg(fx::jpeg(64, 64))]);
    let job = app.upload_document(&t, "scan.pdf", scan, Some("force")).await;
    let id = job["id"].as_str().unwrap_or_default().to_string();
    app.wait_for_status(&t, &id, &["succeeded"], Duration::from_secs(60)).await;
    let doc = app.document(&t, &id).await;
    assert_eq!(doc["ocr_status"], "pending", "{doc}");
    let ocr_job = doc["ocr_job_id"].as_str().unwrap_or_default().to_string();
    let resp = app.post(&format!("/v1/jobs/{ocr_job}/cancel"), &t, &serde_json::json!({})).await;
    assert_eq!(resp.status().as_u16(), 200);
    let doc = app.document(&t, &id).await;
    assert_eq!((doc["status"].as_str(), doc["ocr_status"].as_str()), (Some("ready"), Some("failed")), "{doc}");
});
