//! Reading-order accuracy on tilted, skewed and photographed pages (a
//! benchmark, not a test): the layout order against RapidOCR's, on the same
//! engine, models and detections.
//!
//! ```text
//! cargo bench -p meeteasy-ai --bench reading_order -- [--models DIR] [--pages DIR]
//! ```
//!
//! `--pages` is a folder of images plus a `truth.json` mapping each file name
//! to its lines in reading order (default: `ai/tests/fixtures/reading_order`,
//! rendered by `gen_reading_order.py`); `--models` defaults to
//! `MEETEASY_MODELS_DIR`. Each page is read twice, once per
//! [`ReadingOrder`]; only the order differs between the two runs. Per page
//! and in total it prints:
//!
//! - **exact**: the recognized lines are the truth's lines, in its order;
//! - **Kendall τ** of the order: each recognized line is matched to the truth
//!   line nearest to it in edit distance, and every pair of recognized lines
//!   counts +1 when it is in the truth's order and -1 when it is not (1 = all
//!   in order, -1 = reversed);
//! - **CER** of the page's text (lines joined by newlines) against the
//!   truth's: the character edit distance over the truth's length, so a line
//!   read in the wrong place costs its length twice, as for a reader.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use meeteasy_ai::ModelInventory;
use meeteasy_ai::ocr::{ImageLimits, ModelPaths, OcrEngine, OcrOptions, ReadingOrder, decode_image};

fn main() {
    if let Err(e) = bench() {
        eprintln!("reading_order: {e}");
        std::process::exit(2);
    }
}

struct Args {
    models: PathBuf,
    pages: PathBuf,
}

fn parse_args() -> Result<Args, String> {
    let mut models = std::env::var_os("MEETEASY_MODELS_DIR").filter(|d| !d.is_empty()).map(PathBuf::from);
    let mut pages = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/reading_order");
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let mut val = || it.next().ok_or_else(|| format!("{a} needs a value"));
        match a.as_str() {
            "--models" => models = Some(val()?.into()),
            "--pages" => pages = val()?.into(),
            // `cargo bench` appends this to every bench target's arguments.
            "--bench" => {}
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(Args { models: models.ok_or("--models (or MEETEASY_MODELS_DIR) is required")?, pages })
}

fn load_truth(dir: &Path) -> Result<BTreeMap<String, Vec<String>>, String> {
    let path = dir.join("truth.json");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// Levenshtein distance over chars.
fn edit_distance(a: &[char], b: &[char]) -> usize {
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut diag = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let next = (diag + usize::from(ca != cb)).min(row[j] + 1).min(row[j + 1] + 1);
            diag = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

fn chars(s: &str) -> Vec<char> {
    s.chars().collect()
}

fn cer(read: &[String], truth: &[String]) -> f64 {
    let (r, t) = (chars(&read.join("\n")), chars(&truth.join("\n")));
    edit_distance(&r, &t) as f64 / t.len().max(1) as f64
}

/// Kendall's τ between the recognized order and the truth's (see above).
fn kendall_tau(read: &[String], truth: &[String]) -> f64 {
    let truth_chars: Vec<Vec<char>> = truth.iter().map(|t| chars(t)).collect();
    let rank: Vec<usize> = read
        .iter()
        .map(|r| {
            let r = chars(r);
            (0..truth_chars.len()).min_by_key(|&j| edit_distance(&r, &truth_chars[j])).unwrap_or(0)
        })
        .collect();
    let (mut concordant, mut discordant) = (0i64, 0i64);
    for i in 0..rank.len() {
        for j in i + 1..rank.len() {
            match rank[i].cmp(&rank[j]) {
                std::cmp::Ordering::Less => concordant += 1,
                std::cmp::Ordering::Greater => discordant += 1,
                std::cmp::Ordering::Equal => {}
            }
        }
    }
    let pairs = concordant + discordant;
    if pairs == 0 { 1.0 } else { (concordant - discordant) as f64 / pairs as f64 }
}

#[derive(Default, Clone, Copy)]
struct Score {
    exact: bool,
    tau: f64,
    cer: f64,
}

/// Reads every page with one engine in `order`; the engine is dropped before
/// the next one is built.
fn read_pages(args: &Args, pages: &[(String, Vec<String>)], order: ReadingOrder) -> Result<Vec<Score>, String> {
    let paths = ModelPaths::from_inventory(&ModelInventory::new(&args.models)).map_err(|e| e.to_string())?;
    let opts = OcrOptions { reading_order: order, ..OcrOptions::default() };
    let engine = OcrEngine::with_options(paths, 2, opts).map_err(|e| e.to_string())?;
    let mut scores = Vec::with_capacity(pages.len());
    for (name, truth) in pages {
        let path = args.pages.join(name);
        let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let image = decode_image(&bytes, &ImageLimits::default()).map_err(|e| format!("{name}: {e}"))?.image;
        let lines = engine.recognize(&image).map_err(|e| format!("{name}: {e}"))?;
        let read: Vec<String> = lines.into_iter().map(|l| l.text).collect();
        scores.push(Score { exact: &read == truth, tau: kendall_tau(&read, truth), cer: cer(&read, truth) });
    }
    Ok(scores)
}

fn bench() -> Result<(), String> {
    let args = parse_args()?;
    let pages: Vec<(String, Vec<String>)> = load_truth(&args.pages)?.into_iter().collect();
    if pages.is_empty() {
        return Err(format!("no pages in {}/truth.json", args.pages.display()));
    }
    let layout = read_pages(&args, &pages, ReadingOrder::Layout)?;
    let rapid = read_pages(&args, &pages, ReadingOrder::RapidOcr)?;

    let cell = |s: &Score| format!("{:>5} {:>6.3} {:>6.3}", if s.exact { "yes" } else { "no" }, s.tau, s.cer);
    println!("{:<24} | {:^19} | {:^19}", "", "layout order", "rapidocr order");
    println!("{:<24} | {:>5} {:>6} {:>6} | {:>5} {:>6} {:>6}", "page", "exact", "tau", "CER", "exact", "tau", "CER");
    for ((name, _), (l, r)) in pages.iter().zip(layout.iter().zip(&rapid)) {
        println!("{name:<24} | {} | {}", cell(l), cell(r));
    }
    let n = pages.len() as f64;
    let total = |s: &[Score]| {
        let exact = s.iter().filter(|s| s.exact).count();
        let tau = s.iter().map(|s| s.tau).sum::<f64>() / n;
        let cer = s.iter().map(|s| s.cer).sum::<f64>() / n;
        format!("{:>5} {tau:>6.3} {cer:>6.3}", format!("{exact}/{}", s.len()))
    };
    println!("{:<24} | {} | {}", "all pages (mean)", total(&layout), total(&rapid));
    Ok(())
}
