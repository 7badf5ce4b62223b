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

/// Word error rate (the engine's own definition).
pub use meeteasy_ai::asr::word_error_rate as wer;
