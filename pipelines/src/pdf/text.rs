//! Page text in reading order, from positioned text runs.
//!
//! A PDF has no spaces or line breaks as such: words are runs of glyphs placed
//! at coordinates. This joins the runs the way pdftotext's "raw" mode does, in
//! content-stream order, deciding from geometry alone:
//! * a run whose start is off the previous run's baseline by more than half
//!   the font size starts a new line;
//! * a run that starts more than [`SPACE_GAP`] em after the previous one ended
//!   (or jumps backwards on the same line) is a new word.
//!
//! Geometry is measured along the previous run's direction, so rotated text
//! reads the same as horizontal text.

use super::content::TextRun;

/// Gap, in ems, that separates words. Typical word spaces are 0.25–0.33 em;
/// kerning and justification adjustments stay well under 0.15 em.
const SPACE_GAP: f64 = 0.18;
/// Perpendicular offset, in ems, that starts a new line (superscripts stay).
const LINE_GAP: f64 = 0.6;

#[derive(Debug)]
struct Last {
    end: (f64, f64),
    dir: (f64, f64),
    size: f64,
}

/// Collects one page's text, up to a character cap.
#[derive(Debug)]
pub(crate) struct TextCollector {
    out: String,
    chars: usize,
    max_chars: usize,
    last: Option<Last>,
}

impl TextCollector {
    pub(crate) fn new(max_chars: usize) -> Self {
        Self { out: String::new(), chars: 0, max_chars, last: None }
    }

    pub(crate) fn is_full(&self) -> bool {
        self.chars >= self.max_chars
    }

    pub(crate) fn push(&mut self, run: &TextRun<'_>) {
        if let Some(last) = &self.last {
            let d = (run.start.0 - last.end.0, run.start.1 - last.end.1);
            let along = d.0 * last.dir.0 + d.1 * last.dir.1;
            let across = last.dir.0 * d.1 - last.dir.1 * d.0;
            let em = last.size.max(run.size).max(1e-6);
            if across.abs() > LINE_GAP * em {
                self.separator('\n');
            } else if along > SPACE_GAP * em || along < -em {
                self.separator(' ');
            }
        }
        for c in run.text.chars() {
            let c = match c {
                '\r' | '\n' => '\n',
                '\t' => ' ',
                c if c.is_control() => continue,
                c => c,
            };
            self.put(c);
        }
        self.last = Some(Last { end: run.end, dir: run.dir, size: run.size });
    }

    /// Adds a separator unless the text already ends in white space.
    fn separator(&mut self, sep: char) {
        match self.out.chars().last() {
            None => {}
            Some('\n') => {}
            Some(' ') if sep == '\n' => {
                self.out.pop();
                self.chars -= 1;
                self.put('\n');
            }
            Some(c) if c.is_whitespace() => {}
            Some(_) => self.put(sep),
        }
    }

    fn put(&mut self, c: char) {
        if self.chars < self.max_chars {
            self.out.push(c);
            self.chars += 1;
        }
    }

    pub(crate) fn finish(self) -> String {
        self.out.trim_end().to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str, x: f64, y: f64, width: f64) -> TextRun<'_> {
        TextRun { text, start: (x, y), end: (x + width, y), size: 10.0, dir: (1.0, 0.0) }
    }

    #[test]
    fn words_and_lines_from_positions() {
        let mut t = TextCollector::new(1000);
        t.push(&run("Hello", 0.0, 100.0, 25.0));
        t.push(&run("world", 28.0, 100.0, 25.0)); // 0.3 em gap: a space
        t.push(&run("!", 53.5, 100.0, 3.0)); // kerning-size gap: none
        t.push(&run("Next", 0.0, 88.0, 20.0)); // 1.2 em down: a new line
        assert_eq!(t.finish(), "Hello world!\nNext");
    }

    #[test]
    fn rotated_lines_measure_along_their_direction() {
        // 90°: the text runs upwards; a 3-unit gap upwards is a word space.
        let mut t = TextCollector::new(1000);
        t.push(&TextRun { text: "up", start: (50.0, 0.0), end: (50.0, 10.0), size: 10.0, dir: (0.0, 1.0) });
        t.push(&TextRun { text: "wards", start: (50.0, 13.0), end: (50.0, 40.0), size: 10.0, dir: (0.0, 1.0) });
        assert_eq!(t.finish(), "up wards");
    }

    #[test]
    fn the_cap_truncates() {
        let mut t = TextCollector::new(3);
        t.push(&run("abcdef", 0.0, 0.0, 30.0));
        assert!(t.is_full());
        assert_eq!(t.finish(), "abc");
    }
}
