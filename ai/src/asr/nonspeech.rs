//! Removes Whisper's non-speech annotations from segment text.
//!
//! Why: Whisper was trained on subtitles, so silence, noise and music come out
//! as `[BLANK_AUDIO]`, `(music)`, `[Applause]` or `♪`. Token suppression keeps
//! most of them out, but not all; a transcript of a silent clip must be empty,
//! not a stage direction. Spoken words are never bracketed in Whisper's
//! output, so any `[…]` or `(…)` span is dropped whole.

/// `text` without bracketed spans and music symbols, whitespace collapsed.
pub fn strip_non_speech(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut closer: Option<char> = None;
    for c in text.chars() {
        match closer {
            Some(close) if c == close => closer = None,
            Some(_) => {}
            None => match c {
                '[' => closer = Some(']'),
                '(' => closer = Some(')'),
                '♪' | '♫' | '♬' | '♩' => out.push(' '),
                _ => out.push(c),
            },
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Whether what is left has anything a person said (not only punctuation).
pub fn has_words(text: &str) -> bool {
    text.chars().any(char::is_alphanumeric)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drops_annotations_and_keeps_speech() {
        assert_eq!(strip_non_speech(" [BLANK_AUDIO]"), "");
        assert_eq!(strip_non_speech("(music) Hello there. [Applause]"), "Hello there.");
        assert_eq!(strip_non_speech("♪ la la ♪"), "la la");
        assert_eq!(strip_non_speech(" Please send the report."), "Please send the report.");
        // An unclosed bracket drops the rest rather than leaking a tag.
        assert_eq!(strip_non_speech("Okay [inaudible"), "Okay");
    }

    #[test]
    fn punctuation_alone_is_not_speech() {
        assert!(!has_words(" . ..."));
        assert!(has_words("Yes."));
    }
}
