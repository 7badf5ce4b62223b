//! Columns: which lines are read one after the other, and where a page is read
//! column by column instead of line by line (a recursive XY-cut).
//!
//! Why not a plain XY-cut: it cuts at the widest white gap, and the widest gap
//! on an invoice is the one between the labels and their right-aligned
//! amounts, so it would read every label, then every amount. Both a table and
//! a two-column article have a vertical gutter that no box crosses for a run
//! of lines, and in both the rows on either side often share their baselines
//! (the same font at the same pitch). What tells them apart is the text on
//! each side of the gutter:
//!
//! - A **column of prose** is wide (at least [`PROSE_MIN_WIDTH`] box heights,
//!   some fifteen characters) and its lines fill it: wrapped text ends near
//!   the column's edge except at the end of a paragraph, so the median line
//!   covers at least [`PROSE_MIN_FILL`] of the column's width.
//! - A **table** has at least one side that is narrow (amounts, quantities,
//!   dates) or ragged (labels of every length). It is read row by row: label,
//!   then amount.
//! - Columns whose lines do not line up (different fonts or pitches, so that
//!   fewer than half the lines of the shorter side have a partner across the
//!   gutter) are read column by column whatever their width: read row by row
//!   they would interleave.
//!
//! The page is cut top to bottom into sections first: consecutive lines stay
//! in one section while some gutter at least [`MIN_GUTTER`] box heights wide
//! runs through all of them, so a heading or paragraph spanning the page
//! closes the section above it. A section that reads as columns is split at
//! its widest gutter and each side is cut again the same way (a table inside
//! an article's column still reads row by row). Gutters are measured on the
//! column axis (`Placed::x0`/`x1`), with the page's skew and shear taken out,
//! so a gutter that leans in a skewed scan is still one gutter.

use super::frame::Placed;
use super::lines::line_v;

/// A gutter is at least this many (median) box heights wide. Word gaps are
/// inside a detected box; the gap between a label and its amount, or between
/// two columns, is wider than a box is high.
const MIN_GUTTER: f64 = 0.8;
/// A side of a gutter is prose only when it is at least this many box heights
/// wide (a column of about fifteen characters or more).
const PROSE_MIN_WIDTH: f64 = 7.0;
/// ... and its median line covers at least this fraction of its width.
const PROSE_MIN_FILL: f64 = 0.7;
/// Columns whose lines have a partner across the gutter for fewer than this
/// fraction of the shorter side's lines are read column by column.
const MIN_ALIGNED: f64 = 0.5;

/// Lines, each a list of indices into the `Placed` boxes in order along it.
type Lines = Vec<Vec<usize>>;

enum Task {
    /// One line, boxes in order along it.
    Emit(Vec<usize>),
    /// Lines still to be cut into sections.
    Region(Lines),
}

/// Reading order of `lines` (indices into `placed`, each in order along the
/// text) as the callers' indices (`Placed::index`). Iterative, so a page of
/// thousands of boxes cannot overflow the stack.
pub(super) fn order(placed: &[Placed], lines: Lines) -> Vec<usize> {
    let mut out = Vec::with_capacity(placed.len());
    let mut stack = vec![Task::Region(lines)];
    while let Some(task) = stack.pop() {
        match task {
            Task::Emit(line) => out.extend(line.iter().filter_map(|&i| placed.get(i)).map(|p| p.index)),
            Task::Region(mut lines) => {
                lines.retain(|l| !l.is_empty());
                lines.sort_by(|a, b| line_v(a, placed).total_cmp(&line_v(b, placed)));
                let mut tasks = Vec::new();
                for section in sections(lines, placed) {
                    match column_split(&section, placed) {
                        Some((left, right)) => tasks.extend([Task::Region(left), Task::Region(right)]),
                        None => tasks.extend(section.into_iter().map(Task::Emit)),
                    }
                }
                stack.extend(tasks.into_iter().rev());
            }
        }
    }
    out
}

fn median(mut xs: Vec<f64>) -> Option<f64> {
    xs.retain(|x| x.is_finite());
    xs.sort_by(f64::total_cmp);
    xs.get(xs.len() / 2).copied()
}

fn boxes<'a>(lines: impl IntoIterator<Item = &'a Vec<usize>>, placed: &'a [Placed]) -> Vec<&'a Placed> {
    lines.into_iter().flatten().filter_map(|&i| placed.get(i)).collect()
}

/// The widest interval of the column axis that no box covers, strictly
/// between boxes, if it is at least [`MIN_GUTTER`] box heights wide.
fn widest_gutter(boxes: &[&Placed]) -> Option<(f64, f64)> {
    let height = median(boxes.iter().map(|p| p.thickness).collect())?;
    let mut spans: Vec<(f64, f64)> = boxes.iter().map(|p| (p.x0, p.x1)).collect();
    spans.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut reach = spans.first()?.1;
    let mut best: Option<(f64, f64)> = None;
    for &(x0, x1) in spans.iter().skip(1) {
        if x0 > reach && best.is_none_or(|(lo, hi)| x0 - reach > hi - lo) {
            best = Some((reach, x0));
        }
        reach = reach.max(x1);
    }
    best.filter(|(lo, hi)| hi - lo >= MIN_GUTTER * height)
}

/// Cuts lines (sorted down the page) into runs that share a gutter; a line
/// that no gutter of the run above passes starts a new run.
fn sections(lines: Lines, placed: &[Placed]) -> Vec<Lines> {
    let mut out = Vec::new();
    let mut current: Lines = Vec::new();
    for line in lines {
        if !current.is_empty() && widest_gutter(&boxes(current.iter().chain([&line]), placed)).is_none() {
            out.push(std::mem::take(&mut current));
        }
        current.push(line);
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// Whether one side of a gutter reads like a column of prose.
fn is_prose(side: &[Vec<usize>], placed: &[Placed]) -> bool {
    let all = boxes(side, placed);
    let lo = all.iter().map(|p| p.x0).fold(f64::INFINITY, f64::min);
    let hi = all.iter().map(|p| p.x1).fold(f64::NEG_INFINITY, f64::max);
    let (Some(height), width) = (median(all.iter().map(|p| p.thickness).collect()), hi - lo) else { return false };
    let fills = side.iter().map(|line| {
        let b = boxes([line], placed);
        let lo = b.iter().map(|p| p.x0).fold(f64::INFINITY, f64::min);
        let hi = b.iter().map(|p| p.x1).fold(f64::NEG_INFINITY, f64::max);
        (hi - lo) / width
    });
    width >= PROSE_MIN_WIDTH * height && median(fills.collect()).is_some_and(|f| f >= PROSE_MIN_FILL)
}

/// The section's two sides when it reads column by column; `None` when it
/// reads line by line (a table, or no gutter at all).
fn column_split(section: &[Vec<usize>], placed: &[Placed]) -> Option<(Lines, Lines)> {
    let (lo, hi) = widest_gutter(&boxes(section, placed))?;
    let mid = (lo + hi) / 2.0;
    let (mut left, mut right, mut both) = (Vec::new(), Vec::new(), 0usize);
    for line in section {
        let (l, r): (Vec<usize>, Vec<usize>) =
            line.iter().partition(|&&i| placed.get(i).is_some_and(|p| (p.x0 + p.x1) / 2.0 < mid));
        both += usize::from(!l.is_empty() && !r.is_empty());
        if !l.is_empty() {
            left.push(l);
        }
        if !r.is_empty() {
            right.push(r);
        }
    }
    let shorter = left.len().min(right.len());
    if shorter < 2 {
        return None;
    }
    let staggered = (both as f64) < MIN_ALIGNED * shorter as f64;
    (staggered || (is_prose(&left, placed) && is_prose(&right, placed))).then_some((left, right))
}
