//! Character error rate: the edit distance between two texts, in
//! characters, over the reference length. Whitespace runs count as one
//! space, so line breaks versus spaces are not errors.

fn normalize(s: &str) -> Vec<char> {
    s.split_whitespace().collect::<Vec<_>>().join(" ").chars().collect()
}

/// CER of `hypothesis` against `reference` (0 = identical).
pub fn cer(reference: &str, hypothesis: &str) -> f64 {
    let (r, h) = (normalize(reference), normalize(hypothesis));
    if r.is_empty() {
        return if h.is_empty() { 0.0 } else { 1.0 };
    }
    let mut prev: Vec<usize> = (0..=h.len()).collect();
    for (i, rc) in r.iter().enumerate() {
        let mut cur = vec![i + 1; h.len() + 1];
        for (j, hc) in h.iter().enumerate() {
            let sub = prev[j] + usize::from(rc != hc);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[h.len()] as f64 / r.len() as f64
}

#[cfg(test)]
mod tests {
    use super::cer;

    #[test]
    fn counts_character_edits() {
        assert_eq!(cer("abc", "abc"), 0.0);
        assert_eq!(cer("a  b\nc", "a b c"), 0.0);
        assert!((cer("abcd", "abxd") - 0.25).abs() < 1e-9);
        assert!((cer("中文识别", "中文识") - 0.25).abs() < 1e-9);
        assert_eq!(cer("", "x"), 1.0);
    }
}
