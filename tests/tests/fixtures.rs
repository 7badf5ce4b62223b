//! The document fixtures checked against real tools: LibreOffice converts
//! the Office fixtures, poppler reads the PDFs, and the zip, CFB and image
//! fixtures are read back with the libraries the product uses.
//!
//! A fixture that LibreOffice or poppler does not read the way a test
//! assumes would make every pipeline test built on it meaningless, so
//! these tests pin down what each generator's output really is. LibreOffice
//! starts are expensive (seconds each on this machine), so all conversions
//! happen in two `soffice` runs, each converting a batch of files.

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use image::{GenericImageView, ImageFormat};
use meeteasy_tests::documents::{self, DocMeta, ScanImage};

const AGENDA: [&str; 3] = [
    "会议日程 Meeting agenda\nItem one: budget & staffing",
    "第二页 Second page\n预算 <review>",
    "第三页 Third page\nClosing remarks",
];

// ---------------------------------------------------------------------------
// Tools

/// Runs `program` with `args`, killing it after `limit`.
fn run(program: &str, args: &[&str], limit: Duration) -> Output {
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("spawn {program}: {e}"));
    let started = Instant::now();
    // Drain the pipes on threads so a chatty tool cannot block on a full pipe.
    let mut stdout = child.stdout.take().unwrap_or_else(|| panic!("{program}: no stdout"));
    let mut stderr = child.stderr.take().unwrap_or_else(|| panic!("{program}: no stderr"));
    let out = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = stdout.read_to_end(&mut buf);
        buf
    });
    let err = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = stderr.read_to_end(&mut buf);
        buf
    });
    let status = loop {
        if let Some(status) = child.try_wait().unwrap_or_else(|e| panic!("wait {program}: {e}")) {
            break status;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{program} {args:?} still running after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Output { status, stdout: out.join().unwrap_or_default(), stderr: err.join().unwrap_or_default() }
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
    path
}

fn path_str(path: &Path) -> &str {
    path.to_str().unwrap_or_else(|| panic!("non-UTF-8 path {}", path.display()))
}

/// `pdfinfo` fields, or the tool's error text.
fn pdfinfo(pdf: &Path, extra: &[&str]) -> Result<HashMap<String, String>, String> {
    let mut args = extra.to_vec();
    args.push(path_str(pdf));
    let output = run("pdfinfo", &args, Duration::from_secs(60));
    if !output.status.success() {
        return Err(String::from_utf8_lossy(&output.stderr).into_owned());
    }
    Ok(String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| line.split_once(':'))
        .map(|(key, value)| (key.trim().to_string(), value.trim().to_string()))
        .collect())
}

fn pages(pdf: &Path) -> usize {
    let info = pdfinfo(pdf, &[]).unwrap_or_else(|e| panic!("pdfinfo {}: {e}", pdf.display()));
    info.get("Pages").and_then(|p| p.parse().ok()).unwrap_or_else(|| panic!("no page count: {info:?}"))
}

/// The text of page `page` (1-based), or of all pages when `None`.
fn pdftotext(pdf: &Path, page: Option<usize>, extra: &[&str]) -> String {
    let page = page.map(|p| p.to_string());
    let mut args = extra.to_vec();
    if let Some(page) = &page {
        args.extend(["-f", page, "-l", page]);
    }
    args.extend([path_str(pdf), "-"]);
    let output = run("pdftotext", &args, Duration::from_secs(60));
    assert!(output.status.success(), "pdftotext: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Converts `files` to PDF in one headless LibreOffice run with a private
/// profile; returns the PDFs that came out, by input file stem.
fn soffice_convert(files: &[PathBuf], out_dir: &Path, profile: &Path) -> HashMap<String, PathBuf> {
    let profile_url = format!("-env:UserInstallation=file://{}", path_str(profile));
    let mut args = vec!["--headless", "--norestore", "--nologo", "--convert-to", "pdf", "--outdir", path_str(out_dir)];
    args.extend(files.iter().map(|f| path_str(f)));
    args.push(&profile_url);
    let started = Instant::now();
    let output = run("soffice", &args, Duration::from_secs(300));
    eprintln!(
        "soffice converted {} files in {:?}\nstdout: {}\nstderr: {}",
        files.len(),
        started.elapsed(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    std::fs::read_dir(out_dir)
        .unwrap_or_else(|e| panic!("read {}: {e}", out_dir.display()))
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "pdf"))
        .map(|path| (path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default(), path))
        .collect()
}

fn squash(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

fn assert_contains(text: &str, needles: &[&str], what: &str) {
    let squashed = squash(text);
    for needle in needles {
        assert!(squashed.contains(&squash(needle)), "{what}: {needle:?} missing from {text:?}");
    }
}

fn strings(rows: &[&[&str]]) -> Vec<Vec<String>> {
    rows.iter().map(|row| row.iter().map(|cell| cell.to_string()).collect()).collect()
}

// ---------------------------------------------------------------------------
// LibreOffice

#[test]
fn libreoffice_converts_every_office_fixture_with_its_pages_and_text() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let (input, out, profile) = (dir.path().join("in"), dir.path().join("out"), dir.path().join("profile"));
    for d in [&input, &out, &profile] {
        std::fs::create_dir_all(d).unwrap_or_else(|e| panic!("mkdir: {e}"));
    }
    let meta = DocMeta { title: "Board meeting 董事会", author: "Ada Lovelace" };
    let sheets = [
        ("Budget", strings(&[&["项目 Item", "Amount"], &["会议室 Room", "1200.5"], &["Catering", "300"]])),
        ("Attendees", strings(&[&["Name"], &["张伟 Zhang Wei"], &["Grace Hopper"]])),
    ];
    let files = vec![
        write(&input, "agenda.docx", &documents::docx_with_meta(&AGENDA, &meta)),
        write(&input, "budget.xlsx", &documents::xlsx(&sheets)),
        write(&input, "deck.pptx", &documents::pptx(&["会议日程 Agenda slide", "第二张 Second slide\nQ&A"])),
        write(&input, "notes.odt", &documents::odt_with_meta(&["会议纪要 Minutes", "第二页 Page two"], &meta)),
        write(&input, "table.ods", &documents::ods(&sheets)),
        write(&input, "slides.odp", &documents::odp(&["演示 First slide", "Second slide  two   spaces"])),
        write(&input, "memo.rtf", &documents::rtf("备忘录 Memo {braces}\nLine two\u{c}第二页 Page two")),
        write(&input, "plain.txt", &documents::txt("纯文本 Plain text\nsecond line")),
    ];
    let pdfs = soffice_convert(&files, &out, &profile);
    let pdf = |stem: &str| pdfs.get(stem).unwrap_or_else(|| panic!("{stem} was not converted; got {pdfs:?}"));

    let agenda = pdf("agenda");
    assert_eq!(pages(agenda), 3, "docx pages");
    for (page, text) in AGENDA.iter().enumerate() {
        assert_contains(&pdftotext(agenda, Some(page + 1), &[]), &text.split('\n').collect::<Vec<_>>(), "docx page");
    }
    let info = pdfinfo(agenda, &[]).unwrap_or_default();
    assert_eq!(info.get("Title").map(String::as_str), Some(meta.title), "docx title: {info:?}");
    assert_eq!(info.get("Author").map(String::as_str), Some(meta.author), "docx author: {info:?}");

    let budget = pdf("budget");
    assert_eq!(pages(budget), 2, "one page per sheet");
    assert_contains(&pdftotext(budget, Some(1), &[]), &["项目 Item", "会议室 Room", "1200.5", "Catering"], "xlsx");
    assert_contains(&pdftotext(budget, Some(2), &[]), &["张伟 Zhang Wei", "Grace Hopper"], "xlsx sheet 2");

    let deck = pdf("deck");
    assert_eq!(pages(deck), 2, "one page per slide");
    assert_contains(&pdftotext(deck, Some(1), &[]), &["会议日程 Agenda slide"], "pptx slide 1");
    assert_contains(&pdftotext(deck, Some(2), &[]), &["第二张 Second slide", "Q&A"], "pptx slide 2");

    let notes = pdf("notes");
    assert_eq!(pages(notes), 2, "odt pages");
    assert_contains(&pdftotext(notes, Some(2), &[]), &["第二页 Page two"], "odt page 2");
    let info = pdfinfo(notes, &[]).unwrap_or_default();
    assert_eq!(info.get("Title").map(String::as_str), Some(meta.title), "odt title: {info:?}");

    let table = pdf("table");
    assert_eq!(pages(table), 2, "ods: one page per sheet");
    assert_contains(&pdftotext(table, None, &[]), &["会议室 Room", "1200.5", "Grace Hopper"], "ods");

    let slides = pdf("slides");
    assert_eq!(pages(slides), 2, "odp pages");
    assert_contains(&pdftotext(slides, Some(1), &[]), &["演示 First slide"], "odp slide 1");
    assert_contains(&pdftotext(slides, Some(2), &[]), &["Second slide two spaces"], "odp slide 2");

    let memo = pdf("memo");
    assert_eq!(pages(memo), 2, "rtf form feed is a page break");
    assert_contains(&pdftotext(memo, Some(1), &[]), &["备忘录 Memo {braces}", "Line two"], "rtf page 1");
    assert_contains(&pdftotext(memo, Some(2), &[]), &["第二页 Page two"], "rtf page 2");

    assert_contains(&pdftotext(pdf("plain"), None, &[]), &["纯文本 Plain text", "second line"], "txt");
}

#[test]
fn libreoffice_refuses_password_protected_office_files() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let (input, out, profile) = (dir.path().join("in"), dir.path().join("out"), dir.path().join("profile"));
    for d in [&input, &out, &profile] {
        std::fs::create_dir_all(d).unwrap_or_else(|e| panic!("mkdir: {e}"));
    }
    let files = vec![
        write(&input, "locked.docx", &documents::encrypted_docx()),
        write(&input, "locked97.doc", &documents::encrypted_doc()),
        // A control in the same run: it converts, so LibreOffice did run.
        write(&input, "control.docx", &documents::docx(&["control"])),
    ];
    let pdfs = soffice_convert(&files, &out, &profile);
    assert!(pdfs.contains_key("control"), "the control converts: {pdfs:?}");
    assert!(!pdfs.contains_key("locked"), "encrypted docx must not convert");
    assert!(!pdfs.contains_key("locked97"), "encrypted doc must not convert");
}

// ---------------------------------------------------------------------------
// PDF

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

// ---------------------------------------------------------------------------
// Zip, CFB and images

#[test]
fn zip_bomb_declares_and_inflates_to_the_requested_size() {
    const GIB: u64 = 1 << 30;
    let started = Instant::now();
    let bomb = documents::zip_bomb_docx(GIB);
    eprintln!("zip_bomb_docx(1 GiB): {} bytes in {:?}", bomb.len(), started.elapsed());
    assert!(bomb.len() < 4 << 20, "a 1 GiB bomb compresses to {} bytes", bomb.len());
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(&bomb)).unwrap_or_else(|e| panic!("zip: {e}"));
    let names: Vec<String> = archive.file_names().filter_map(Result::ok).map(String::from).collect();
    for part in ["[Content_Types].xml", "_rels/.rels", "word/document.xml", "word/styles.xml"] {
        assert!(names.iter().any(|n| n == part), "{part} missing: {names:?}");
    }
    let document = archive.by_name("word/document.xml").unwrap_or_else(|e| panic!("document.xml: {e}"));
    assert_eq!(document.size(), GIB, "declared size");

    // A smaller bomb inflated in full: exactly the size, and XML throughout.
    let small = documents::zip_bomb_docx(20 << 20);
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(&small)).unwrap_or_else(|e| panic!("zip: {e}"));
    let mut xml = Vec::new();
    let mut document = archive.by_name("word/document.xml").unwrap_or_else(|e| panic!("document.xml: {e}"));
    document.read_to_end(&mut xml).unwrap_or_else(|e| panic!("inflate: {e}"));
    assert_eq!(xml.len(), 20 << 20);
    assert!(xml.starts_with(b"<?xml") && xml.ends_with(b"</w:body></w:document>"));
}

#[test]
fn encrypted_office_files_have_the_streams_office_writes() {
    let docx = documents::encrypted_docx();
    assert_eq!(&docx[..8], b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", "CFB signature");
    let mut file = cfb::CompoundFile::open(std::io::Cursor::new(&docx)).unwrap_or_else(|e| panic!("cfb: {e}"));
    for stream in [
        "/EncryptionInfo",
        "/EncryptedPackage",
        "/\u{6}DataSpaces/Version",
        "/\u{6}DataSpaces/DataSpaceMap",
        "/\u{6}DataSpaces/DataSpaceInfo/StrongEncryptionDataSpace",
        "/\u{6}DataSpaces/TransformInfo/StrongEncryptionTransform/\u{6}Primary",
    ] {
        assert!(file.is_stream(stream), "{stream:?} missing");
    }
    let mut info = Vec::new();
    let mut stream = file.open_stream("/EncryptionInfo").unwrap_or_else(|e| panic!("EncryptionInfo: {e}"));
    stream.read_to_end(&mut info).unwrap_or_else(|e| panic!("read: {e}"));
    assert_eq!(&info[..8], &[4, 0, 4, 0, 0x40, 0, 0, 0], "agile version 4.4");
    let xml = String::from_utf8_lossy(&info[8..]);
    assert!(xml.contains("keyEncryptor/password") && xml.contains("cipherAlgorithm=\"AES\""), "{xml}");

    let doc = documents::encrypted_doc();
    let mut file = cfb::CompoundFile::open(std::io::Cursor::new(&doc)).unwrap_or_else(|e| panic!("cfb: {e}"));
    assert!(file.is_stream("/1Table"));
    let mut fib = Vec::new();
    let mut stream = file.open_stream("/WordDocument").unwrap_or_else(|e| panic!("WordDocument: {e}"));
    stream.read_to_end(&mut fib).unwrap_or_else(|e| panic!("read: {e}"));
    assert_eq!(&fib[..2], &0xA5ECu16.to_le_bytes(), "wIdent");
    let flags = u16::from_le_bytes([fib[10], fib[11]]);
    assert_eq!(flags & 0x0100, 0x0100, "fEncrypted");
    assert_eq!(flags & 0x8000, 0, "RC4, not XOR obfuscation");
    assert_eq!(file.root_entry().clsid().to_string(), "00020906-0000-0000-c000-000000000046");
}

#[test]
fn images_decode_in_their_format_and_the_png_bomb_declares_its_canvas() {
    for (bytes, format) in [
        (documents::png(320, 200), ImageFormat::Png),
        (documents::jpeg(320, 200), ImageFormat::Jpeg),
        (documents::tiff(320, 200), ImageFormat::Tiff),
        (documents::webp(320, 200), ImageFormat::WebP),
        (documents::bmp(320, 200), ImageFormat::Bmp),
    ] {
        assert_eq!(image::guess_format(&bytes).ok(), Some(format));
        let decoded = image::load_from_memory_with_format(&bytes, format).unwrap_or_else(|e| panic!("{format:?}: {e}"));
        assert_eq!(decoded.dimensions(), (320, 200), "{format:?}");
    }

    let bomb = documents::png_bomb(100_000, 100_000);
    assert!(bomb.len() < 4096, "{} bytes", bomb.len());
    assert_eq!(&bomb[12..16], b"IHDR");
    assert_eq!(&bomb[16..24], &[0, 1, 0x86, 0xA0, 0, 1, 0x86, 0xA0], "100000 x 100000");
    // The chunks are valid, so the refusal comes from the canvas size or the short data, not a checksum.
    let error = image::load_from_memory_with_format(&bomb, ImageFormat::Png).err();
    let error = error.map(|e| e.to_string()).unwrap_or_else(|| panic!("a 10 GB canvas decoded"));
    assert!(!error.to_lowercase().contains("crc"), "{error}");
}

#[test]
fn truncation_and_determinism() {
    let docx = documents::docx(&["x"]);
    assert_eq!(documents::truncated(&docx, 100), docx[..100].to_vec());
    assert_eq!(documents::truncated(&docx, usize::MAX), docx);
    assert!(zip::ZipArchive::new(std::io::Cursor::new(documents::truncated(&docx, 100))).is_err());

    let sheets = [("S", strings(&[&["1", "a"]]))];
    type Generator = fn() -> Vec<u8>;
    let generators: [(&str, Generator); 14] = [
        ("docx", || documents::docx(&AGENDA)),
        ("xlsx", || documents::xlsx(&[("S", vec![vec!["1".into()]])])),
        ("pptx", || documents::pptx(&["a", "b"])),
        ("odt", || documents::odt(&AGENDA)),
        ("odp", || documents::odp(&["a"])),
        ("rtf", || documents::rtf("a")),
        ("pdf", || documents::pdf_text(&AGENDA)),
        ("many", || documents::pdf_many_pages(10)),
        ("encrypted pdf", documents::pdf_encrypted_user_password),
        ("scan", || documents::pdf_scanned(&[ScanImage::Jpeg(documents::jpeg(50, 50))])),
        ("bomb", || documents::zip_bomb_docx(3 << 20)),
        ("encrypted docx", documents::encrypted_docx),
        ("encrypted doc", documents::encrypted_doc),
        ("png", || documents::png(30, 30)),
    ];
    for (name, generate) in generators {
        assert_eq!(generate(), generate(), "{name} is not deterministic");
    }
    assert_eq!(documents::ods(&sheets), documents::ods(&sheets));
}
