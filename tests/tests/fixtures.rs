//! The document fixtures checked against real tools: LibreOffice converts
//! the Office fixtures, and the zip, CFB and image fixtures are read back
//! with the libraries the product uses (the PDF fixtures are
//! `fixtures_pdf.rs`).
//!
//! A fixture that LibreOffice or poppler does not read the way a test
//! assumes would make every pipeline test built on it meaningless, so
//! these tests pin down what each generator's output really is. LibreOffice
//! starts are expensive (seconds each on this machine), so all conversions
//! happen in two `soffice` runs, each converting a batch of files.

mod fixture_tools;

use fixture_tools::*;
use std::io::Read;
use std::time::Instant;

use image::{GenericImageView, ImageFormat};
use meeteasy_tests::documents::{self, DocMeta, ScanImage};

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
