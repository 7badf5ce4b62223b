//! Shared by the fixture tests: the real tools that judge the fixtures
//! (LibreOffice, poppler) and small text helpers.
#![allow(dead_code)] // each test file uses a different part

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

pub const AGENDA: [&str; 3] = [
    "会议日程 Meeting agenda\nItem one: budget & staffing",
    "第二页 Second page\n预算 <review>",
    "第三页 Third page\nClosing remarks",
];

// ---------------------------------------------------------------------------
// Tools

/// Runs `program` with `args`, killing it after `limit`.
pub fn run(program: &str, args: &[&str], limit: Duration) -> Output {
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

pub fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
    path
}

pub fn path_str(path: &Path) -> &str {
    path.to_str().unwrap_or_else(|| panic!("non-UTF-8 path {}", path.display()))
}

/// `pdfinfo` fields, or the tool's error text.
pub fn pdfinfo(pdf: &Path, extra: &[&str]) -> Result<HashMap<String, String>, String> {
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

pub fn pages(pdf: &Path) -> usize {
    let info = pdfinfo(pdf, &[]).unwrap_or_else(|e| panic!("pdfinfo {}: {e}", pdf.display()));
    info.get("Pages").and_then(|p| p.parse().ok()).unwrap_or_else(|| panic!("no page count: {info:?}"))
}

/// The text of page `page` (1-based), or of all pages when `None`.
pub fn pdftotext(pdf: &Path, page: Option<usize>, extra: &[&str]) -> String {
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
pub fn soffice_convert(files: &[PathBuf], out_dir: &Path, profile: &Path) -> HashMap<String, PathBuf> {
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

pub fn squash(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

pub fn assert_contains(text: &str, needles: &[&str], what: &str) {
    let squashed = squash(text);
    for needle in needles {
        assert!(squashed.contains(&squash(needle)), "{what}: {needle:?} missing from {text:?}");
    }
}

pub fn strings(rows: &[&[&str]]) -> Vec<Vec<String>> {
    rows.iter().map(|row| row.iter().map(|cell| cell.to_string()).collect()).collect()
}
