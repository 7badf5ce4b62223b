//! Transcript formats: SubRip (SRT) and WebVTT, from timed segments.

/// One timed line of text, in seconds.
#[derive(Debug, Clone, PartialEq)]
pub struct Cue {
    pub start: f64,
    pub end: f64,
    pub text: String,
}

fn stamp(seconds: f64, sep: char) -> String {
    let ms = (seconds.max(0.0) * 1000.0).round() as u64;
    let (h, m, s, ms) = (ms / 3_600_000, (ms / 60_000) % 60, (ms / 1000) % 60, ms % 1000);
    format!("{h:02}:{m:02}:{s:02}{sep}{ms:03}")
}

/// SRT: numbered cues, `HH:MM:SS,mmm --> HH:MM:SS,mmm`, blank line between.
pub fn srt(cues: &[Cue]) -> String {
    let mut out = String::new();
    for (i, c) in cues.iter().enumerate() {
        out.push_str(&format!("{}\n{} --> {}\n{}\n\n", i + 1, stamp(c.start, ','), stamp(c.end, ','), c.text.trim()));
    }
    out
}

/// WebVTT: the `WEBVTT` header, then `HH:MM:SS.mmm --> HH:MM:SS.mmm` cues.
pub fn vtt(cues: &[Cue]) -> String {
    let mut out = String::from("WEBVTT\n\n");
    for c in cues {
        out.push_str(&format!("{} --> {}\n{}\n\n", stamp(c.start, '.'), stamp(c.end, '.'), c.text.trim()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_formats_use_their_own_timestamp_syntax() {
        let cues = [
            Cue { start: 0.0, end: 2.5, text: " Hello.".into() },
            Cue { start: 3661.007, end: 3662.0, text: "Bye".into() },
        ];
        assert_eq!(srt(&cues), "1\n00:00:00,000 --> 00:00:02,500\nHello.\n\n2\n01:01:01,007 --> 01:01:02,000\nBye\n\n");
        assert_eq!(vtt(&cues[..1]), "WEBVTT\n\n00:00:00.000 --> 00:00:02.500\nHello.\n\n");
    }
}
