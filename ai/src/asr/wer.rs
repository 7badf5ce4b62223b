//! Word error rate, the standard accuracy measure for transcripts. Tests
//! and benchmarks use it to judge the engine on speech made at test time.

fn words(s: &str) -> Vec<String> {
    s.to_lowercase()
        .chars()
        .map(|c| if c.is_alphanumeric() || c == '\'' || c.is_whitespace() { c } else { ' ' })
        .collect::<String>()
        .split_whitespace()
        .map(str::to_string)
        .collect()
}

/// Word-level edit distance (substitutions + deletions + insertions) over
/// the number of reference words; case and punctuation are ignored.
pub fn word_error_rate(reference: &str, hypothesis: &str) -> f64 {
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
    use super::word_error_rate as wer;

    #[test]
    fn wer_counts_edits_per_reference_word() {
        assert_eq!(wer("a b c d", "A, b. c d!"), 0.0);
        assert_eq!(wer("a b c d", "a x c"), 0.5); // one substitution, one deletion
        assert_eq!(wer("a b", "a b c d"), 1.0); // two insertions
        assert_eq!(wer("the quick brown fox", "the quick fox"), 0.25);
    }
}
