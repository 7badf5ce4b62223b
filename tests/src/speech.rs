//! Speech fixtures made at test time (espeak-ng + sox), and word error rate.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Speaks `text` into `dir/name` (16 kHz mono 16-bit WAV unless `sox_args`
/// ask for another rate, channel count or format via the file extension).
pub fn speak(dir: &Path, name: &str, text: &str, sox_args: &[&str]) -> PathBuf {
    let raw = dir.join(format!("{name}.raw.wav"));
    let out = dir.join(name);
    let status = Command::new("espeak-ng").args(["-v", "en-us", "-s", "140", "-w"]).arg(&raw).arg(text).status();
    assert!(status.is_ok_and(|s| s.success()), "espeak-ng failed (apt-get install espeak-ng)");
    let mut sox = Command::new("sox");
    sox.arg(&raw).args(sox_args).arg(&out);
    assert!(sox.status().is_ok_and(|s| s.success()), "sox failed for {name} (apt-get install sox libsox-fmt-all)");
    out
}

/// Silence of `secs` seconds as a 16 kHz WAV.
pub fn silence(dir: &Path, name: &str, secs: u32) -> PathBuf {
    let out = dir.join(name);
    let status = Command::new("sox")
        .args(["-n", "-r", "16000", "-c", "1", "-b", "16"])
        .arg(&out)
        .args(["trim", "0", &secs.to_string()])
        .status();
    assert!(status.is_ok_and(|s| s.success()), "sox failed");
    out
}

fn words(s: &str) -> Vec<String> {
    s.split_whitespace()
        .map(|w| w.chars().filter(|c| c.is_alphanumeric()).collect::<String>().to_lowercase())
        .filter(|w| !w.is_empty())
        .collect()
}

/// Word error rate: word-level edit distance over the reference length.
pub fn wer(reference: &str, hypothesis: &str) -> f64 {
    let (r, h) = (words(reference), words(hypothesis));
    let mut prev: Vec<usize> = (0..=h.len()).collect();
    for (i, rw) in r.iter().enumerate() {
        let mut cur = vec![i + 1; h.len() + 1];
        for (j, hw) in h.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(rw != hw)).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[h.len()] as f64 / r.len().max(1) as f64
}

#[cfg(test)]
mod tests {
    use super::wer;

    #[test]
    fn wer_counts_edits_per_reference_word() {
        assert_eq!(wer("the quick brown fox", "The quick brown fox."), 0.0);
        assert_eq!(wer("the quick brown fox", "the quick fox"), 0.25);
        assert_eq!(wer("a b", "x y z"), 1.5);
    }
}
