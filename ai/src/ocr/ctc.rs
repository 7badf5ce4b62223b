//! Greedy CTC decoding (RapidOCR `CTCLabelDecode`).
//!
//! Why greedy: it is what the reference does and it is exact enough for
//! printed text; the vocabulary comes from the model's own metadata so a model
//! update cannot silently desynchronize a hard-coded charset.

use ndarray::ArrayView2;

/// Recognizer vocabulary: index 0 = blank, then the model's `character`
/// list, then a trailing space.
pub struct Charset {
    chars: Vec<String>,
}

impl Charset {
    pub fn from_metadata(character: &str) -> Self {
        let mut chars = vec![String::new()];
        chars.extend(character.lines().map(str::to_owned));
        chars.push(" ".to_owned());
        Self { chars }
    }

    pub fn len(&self) -> usize {
        self.chars.len()
    }
}

/// Decodes one `[T, C]` probability matrix: argmax per step, merge repeats,
/// drop blanks. Confidence = mean max-probability of the kept steps (0 if none).
pub fn greedy_decode(probs: ArrayView2<f32>, charset: &Charset) -> (String, f32) {
    let mut text = String::new();
    let (mut sum, mut n) = (0.0f64, 0usize);
    let mut prev: Option<usize> = None;
    for row in probs.rows() {
        let (idx, p) = match row.as_slice() {
            Some(r) => argmax(r),
            None => argmax(&row.to_vec()),
        };
        if idx != 0 && prev != Some(idx) {
            if let Some(c) = charset.chars.get(idx) {
                text.push_str(c);
            }
            sum += p as f64;
            n += 1;
        }
        prev = Some(idx);
    }
    let conf = if n == 0 { 0.0 } else { (sum / n as f64) as f32 };
    (text, conf)
}

/// Index and value of the first maximum (NaNs never win).
///
/// Why by hand: a row holds every character of the vocabulary (18,710 for
/// PP-OCRv6) and a page has thousands of rows, so this scan is the largest
/// cost of recognition outside ONNX Runtime. Lane-wise maxima compile to
/// vector instructions; the index is then found by one more scan.
fn argmax(row: &[f32]) -> (usize, f32) {
    const LANES: usize = 16;
    let mut lanes = [f32::MIN; LANES];
    let chunks = row.chunks_exact(LANES);
    let tail = chunks.remainder();
    for chunk in chunks {
        for (m, &v) in lanes.iter_mut().zip(chunk) {
            *m = if v > *m { v } else { *m };
        }
    }
    let mut best = lanes.into_iter().fold(f32::MIN, |a, b| if b > a { b } else { a });
    for &v in tail {
        best = if v > best { v } else { best };
    }
    match row.iter().position(|&v| v == best) {
        Some(i) => (i, best),
        None => (0, f32::MIN),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn merges_repeats_and_drops_blanks() {
        let cs = Charset::from_metadata("a\nb");
        // classes: 0 blank, 1 'a', 2 'b', 3 ' '
        let p = array![
            [0.1f32, 0.8, 0.05, 0.05],
            [0.1, 0.8, 0.05, 0.05],
            [0.9, 0.05, 0.03, 0.02],
            [0.1, 0.6, 0.2, 0.1],
            [0.1, 0.1, 0.1, 0.7],
            [0.2, 0.1, 0.6, 0.1]
        ];
        let (t, c) = greedy_decode(p.view(), &cs);
        assert_eq!(t, "aa b");
        assert!((c - (0.8 + 0.6 + 0.7 + 0.6) / 4.0).abs() < 1e-6);
    }

    #[test]
    fn argmax_finds_the_first_maximum_and_ignores_nans() {
        let mut row: Vec<f32> = (0..18_710).map(|i| ((i * 7919) % 1000) as f32 / 1000.0).collect();
        row[12_345] = 2.0;
        row[17_000] = 2.0;
        row[5] = f32::NAN;
        assert_eq!(argmax(&row), (12_345, 2.0));
        assert_eq!(argmax(&[0.5, 0.9, 0.1]), (1, 0.9));
        assert_eq!(argmax(&[f32::NAN]), (0, f32::MIN));
    }

    #[test]
    fn empty_is_zero_confidence() {
        let cs = Charset::from_metadata("a");
        let p = array![[0.9f32, 0.1, 0.0]];
        assert_eq!(greedy_decode(p.view(), &cs), (String::new(), 0.0));
    }
}
