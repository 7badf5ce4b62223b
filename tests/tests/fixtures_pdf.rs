//! The PDF fixtures checked against poppler (`pdfinfo`, `pdftotext`,
//! `pdfimages`) and lopdf: pages, text, metadata, encryption, scans and the
//! hostile structures, each well formed around its one defect.

mod fixture_tools;

use fixture_tools::*;
use std::time::{Duration, Instant};

use meeteasy_tests::documents::{self, DocMeta, ScanImage};

#[test]
fn text_pdfs_have_their_pages_text_and_metadata() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let meta = DocMeta { title: "议程 Agenda", author: "Grace Hopper" };
    let bytes = documents::pdf_text_with_meta(&AGENDA, &meta);
    let path = write(dir.path(), "agenda.pdf", &bytes);
    assert_eq!(pages(&path), 3);
    for (page, text) in AGENDA.iter().enumerate() {
        assert_contains(&pdftotext(&path, Some(page + 1), &[]), &text.split('\n').collect::<Vec<_>>(), "pdf page");
    }
    let info = pdfinfo(&path, &[]).unwrap_or_default();
    assert_eq!(info.get("Title").map(String::as_str), Some(meta.title));
    assert_eq!(info.get("Author").map(String::as_str), Some(meta.author));

    // The product extracts text with lopdf, so it has to read it back too.
    let doc = lopdf::Document::load_mem(&bytes).unwrap_or_else(|e| panic!("lopdf load: {e}"));
    assert_eq!(doc.get_pages().len(), 3);
    let text = doc.extract_text(&[1]).unwrap_or_else(|e| panic!("lopdf extract: {e}"));
    assert_contains(&text, &["会议日程", "Meeting agenda", "budget & staffing"], "lopdf page 1");

    let latin = write(dir.path(), "latin.pdf", &documents::pdf_text(&["Café €5 – naïve"]));
    assert_contains(&pdftotext(&latin, None, &[]), &["Café €5 – naïve"], "WinAnsi text");
}

#[test]
fn many_pages_pdf_has_five_thousand_pages() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let started = Instant::now();
    let bytes = documents::pdf_many_pages(5_000);
    eprintln!("pdf_many_pages(5000): {} bytes in {:?}", bytes.len(), started.elapsed());
    let path = write(dir.path(), "many.pdf", &bytes);
    assert_eq!(pages(&path), 5_000);
    assert_contains(&pdftotext(&path, Some(4_321), &[]), &["MeetEasy many-pages fixture"], "page 4321");
}

#[test]
fn encrypted_pdfs_report_encryption_and_need_the_password() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let locked = write(dir.path(), "locked.pdf", &documents::pdf_encrypted_user_password());
    let error = pdfinfo(&locked, &[]).err().unwrap_or_else(|| panic!("pdfinfo opened it without a password"));
    assert!(error.contains("Incorrect password"), "{error}");
    let info = pdfinfo(&locked, &["-upw", documents::PDF_USER_PASSWORD])
        .unwrap_or_else(|e| panic!("pdfinfo with the user password: {e}"));
    assert!(info.get("Encrypted").is_some_and(|v| v.starts_with("yes")), "{info:?}");
    assert_eq!(info.get("Pages").map(String::as_str), Some("1"));
    let text = pdftotext(&locked, None, &["-upw", documents::PDF_USER_PASSWORD]);
    assert_contains(&text, &["Confidential meeting minutes"], "decrypted text");

    let mut doc = lopdf::Document::load_mem(&documents::pdf_encrypted_user_password())
        .unwrap_or_else(|e| panic!("lopdf load: {e}"));
    assert!(doc.is_encrypted());
    assert!(doc.decrypt("wrong").is_err());
    doc.decrypt(documents::PDF_USER_PASSWORD).unwrap_or_else(|e| panic!("lopdf decrypt: {e}"));

    let restricted = write(dir.path(), "restricted.pdf", &documents::pdf_encrypted_owner_only());
    let info = pdfinfo(&restricted, &[]).unwrap_or_else(|e| panic!("owner-only opens without a password: {e}"));
    assert!(info.get("Encrypted").is_some_and(|v| v.starts_with("yes")), "{info:?}");
}

#[test]
fn scanned_pdfs_are_image_only_pages_at_200_dpi() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let jpeg = documents::jpeg(1000, 1400);
    let grey =
        image::DynamicImage::ImageLuma8(image::DynamicImage::ImageRgb8(documents::sample_image(400, 200)).to_luma8());
    let pages_in = [
        ScanImage::Jpeg(jpeg),
        ScanImage::Pixels(image::DynamicImage::ImageRgb8(documents::sample_image(600, 800))),
        ScanImage::Pixels(grey),
    ];
    let path = write(dir.path(), "scan.pdf", &documents::pdf_scanned(&pages_in));
    assert_eq!(pages(&path), 3);
    let info = pdfinfo(&path, &["-f", "1", "-l", "3"]).unwrap_or_default();
    // 1000 × 1400 px at 200 dpi is 360 × 504 pt.
    assert_eq!(info.get("Page    1 size").map(String::as_str), Some("360 x 504 pts"), "{info:?}");
    assert_eq!(info.get("Page    2 size").map(String::as_str), Some("216 x 288 pts"), "{info:?}");
    assert!(squash(&pdftotext(&path, None, &[])).is_empty(), "scanned pages have no text");
    let list = run("pdfimages", &["-list", path_str(&path)], Duration::from_secs(60));
    let list = String::from_utf8_lossy(&list.stdout);
    let rows: Vec<Vec<&str>> = list.lines().skip(2).map(|line| line.split_whitespace().collect()).collect();
    let summary: Vec<(&str, &str, &str, &str)> = rows.iter().map(|r| (r[0], r[3], r[4], r[8])).collect();
    assert_eq!(
        summary,
        vec![("1", "1000", "1400", "jpeg"), ("2", "600", "800", "image"), ("3", "400", "200", "image")],
        "{list}"
    );
    assert!(rows[2][5] == "gray" && rows[1][5] == "rgb", "{list}");
}

#[test]
fn hostile_pdfs_are_well_formed_around_their_defect() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    for (name, bytes) in [
        ("kids_loop", documents::pdf_kids_loop()),
        ("parent_loop", documents::pdf_parent_loop()),
        ("self_ref", documents::pdf_self_ref()),
        ("deep", documents::pdf_deep_nesting(100_000)),
    ] {
        let path = write(dir.path(), &format!("{name}.pdf"), &bytes);
        // poppler bounds its walks; it must finish (run() panics otherwise)
        // and must not report a repaired cross-reference table.
        let output = run("pdfinfo", &[path_str(&path)], Duration::from_secs(60));
        let stderr = String::from_utf8_lossy(&output.stderr);
        eprintln!(
            "{name}: {}\n{stderr}",
            String::from_utf8_lossy(&output.stdout).lines().find(|l| l.starts_with("Pages")).unwrap_or("no Pages line")
        );
        assert!(!stderr.contains("xref"), "{name}: the xref table must be valid: {stderr}");
    }
    let deep = documents::pdf_deep_nesting(100_000);
    assert!(deep.len() > 200_000 && deep.len() < 201_000, "{} bytes", deep.len());
    let text = String::from_utf8_lossy(&documents::pdf_self_ref()).into_owned();
    assert!(text.contains("/Length 5 0 R") && text.contains("5 0 obj\n5 0 R\nendobj"), "{text}");
}
