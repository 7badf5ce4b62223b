//! A content-stream interpreter that tracks just enough graphics state to say
//! where text and images land on the page.
//!
//! It follows `q`/`Q`/`cm` (the current transformation matrix), the text
//! state (`Tf Tc Tw Tz TL Ts`, `Td TD Tm T*`, `Tj TJ ' "`) with real glyph
//! advances, `Do` of image and form XObjects, and inline images. It reports
//! to a [`Sink`]: text runs with their start and end points in user space,
//! and image draws with the matrix they were drawn under. Text extraction,
//! scanned-page detection and page-image extraction are all sinks.
//!
//! Bounds, because the content is the uploader's program:
//! * form XObjects nest at most [`MAX_FORM_DEPTH`] deep, a form already being
//!   drawn is not entered again (a form that draws itself), and one page draws
//!   at most [`MAX_FORM_DRAWS`] forms (a form that draws another one 100 times,
//!   which draws another 100 times, ... is exponential);
//! * at most [`MAX_OPS`] operators per page, with forms counted;
//! * at most [`PAGE_CONTENT_BYTES`] of decoded content per page, forms included;
//! * `q` nests at most [`MAX_SAVE_DEPTH`] deep;
//! * the deadline is checked every 4096 operators.
//!
//! Running into a count bound ends that page's interpretation quietly (what
//! was found so far stands); running into the deadline is an error.

use std::collections::HashMap;
use std::rc::Rc;

use lopdf::content::Content;
use lopdf::{Dictionary, Document, Object, ObjectId, Stream};

use super::PdfError;
use super::font::{Font, deref};
use super::limits::Deadline;
use super::matrix::Matrix;
use super::tree::PageNode;

pub(crate) const MAX_FORM_DEPTH: usize = 12;
pub(crate) const MAX_FORM_DRAWS: u32 = 10_000;
pub(crate) const MAX_OPS: u64 = 5_000_000;
pub(crate) const PAGE_CONTENT_BYTES: usize = 128 * 1024 * 1024;
const MAX_SAVE_DEPTH: usize = 256;
const MAX_CACHED_FONTS: usize = 10_000;

/// A string shown by `Tj`/`TJ`/`'`/`"`, in user space.
#[derive(Debug)]
pub(crate) struct TextRun<'t> {
    /// Decoded text (may be empty when the font has no Unicode mapping).
    pub text: &'t str,
    pub start: (f64, f64),
    pub end: (f64, f64),
    /// The font size as it appears on the page.
    pub size: f64,
    /// Unit vector along the baseline.
    pub dir: (f64, f64),
}

/// An image drawn on the page: the unit square mapped by `ctm`.
#[derive(Debug, Clone)]
pub(crate) struct ImageDraw<'a> {
    /// The image XObject; `None` for an inline image (`BI … EI`).
    pub stream: Option<&'a Stream>,
    pub ctm: Matrix,
}

pub(crate) trait Sink<'a> {
    /// Whether text runs should be decoded at all (positions are tracked anyway).
    fn wants_text(&self) -> bool;
    fn text(&mut self, run: TextRun<'_>);
    fn image(&mut self, draw: ImageDraw<'a>);
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum FontKey {
    Object(ObjectId),
    /// A font dictionary written inline; its address is stable while the document is borrowed.
    Inline(usize),
}

/// Interprets the pages of one document, caching fonts across pages.
pub(crate) struct Interpreter<'a> {
    doc: &'a Document,
    deadline: Deadline,
    fonts: HashMap<FontKey, Rc<Font>>,
    unknown_font: Rc<Font>,
}

#[derive(Clone)]
struct GState {
    ctm: Matrix,
    font: Option<Rc<Font>>,
    size: f64,
    char_space: f64,
    word_space: f64,
    /// `Tz` / 100.
    hscale: f64,
    leading: f64,
    rise: f64,
}

struct Budget {
    ops: u64,
    form_draws: u32,
    bytes: usize,
    exhausted: bool,
}

impl<'a> Interpreter<'a> {
    pub(crate) fn new(doc: &'a Document, deadline: Deadline) -> Self {
        Self { doc, deadline, fonts: HashMap::new(), unknown_font: Rc::new(Font::unknown()) }
    }

    /// Interprets one page's content (and the forms it draws) into `sink`.
    pub(crate) fn run_page<S: Sink<'a>>(&mut self, page: &PageNode, sink: &mut S) -> Result<(), PdfError> {
        self.deadline.check()?;
        let mut budget =
            Budget { ops: MAX_OPS, form_draws: MAX_FORM_DRAWS, bytes: PAGE_CONTENT_BYTES, exhausted: false };
        // lopdf follows `/Contents` (a stream, an array, or a short reference
        // chain) and bounds the decoded total; a page over the bound has no content here.
        let content = self.doc.get_page_content_with_limit(page.id, budget.bytes).unwrap_or_default();
        budget.bytes = budget.bytes.saturating_sub(content.len());
        let resources = page.resources.and_then(|r| r.resolve(self.doc));
        let gs = GState {
            ctm: Matrix::IDENTITY,
            font: None,
            size: 0.0,
            char_space: 0.0,
            word_space: 0.0,
            hscale: 1.0,
            leading: 0.0,
            rise: 0.0,
        };
        let mut forms = Vec::new();
        self.run_content(&content, resources, gs, &mut forms, &mut budget, sink)
    }

    fn run_content<S: Sink<'a>>(
        &mut self,
        data: &[u8],
        resources: Option<&'a Dictionary>,
        gs: GState,
        forms: &mut Vec<ObjectId>,
        budget: &mut Budget,
        sink: &mut S,
    ) -> Result<(), PdfError> {
        let mut gs = gs;
        let mut saved: Vec<GState> = Vec::new();
        let mut unsaved_q = 0usize;
        let mut tm = Matrix::IDENTITY;
        let mut tlm = Matrix::IDENTITY;
        for op in Content::decode_iter(data) {
            // A syntax error ends the stream, as in lopdf's own reader.
            let Ok(op) = op else { break };
            if budget.ops == 0 {
                budget.exhausted = true;
            }
            if budget.exhausted {
                break;
            }
            budget.ops -= 1;
            if budget.ops.is_multiple_of(4096) {
                self.deadline.check()?;
            }
            let operands = &op.operands;
            let num =
                |i: usize| operands.get(i).and_then(|o| o.as_float().ok()).map(f64::from).filter(|v| v.is_finite());
            match op.operator.as_str() {
                "q" => {
                    if saved.len() < MAX_SAVE_DEPTH {
                        saved.push(gs.clone());
                    } else {
                        unsaved_q += 1;
                    }
                }
                "Q" => {
                    if unsaved_q > 0 {
                        unsaved_q -= 1;
                    } else if let Some(prev) = saved.pop() {
                        gs = prev;
                    }
                }
                "cm" => {
                    if let Some(m) = Matrix::from_operands(operands) {
                        gs.ctm = m.then(&gs.ctm);
                    }
                }
                "BT" => {
                    tm = Matrix::IDENTITY;
                    tlm = Matrix::IDENTITY;
                }
                "Tf" => {
                    gs.font = operands.first().and_then(|n| n.as_name().ok()).map(|n| self.font(resources, n));
                    gs.size = num(1).unwrap_or(0.0);
                }
                "Tc" => gs.char_space = num(0).unwrap_or(0.0),
                "Tw" => gs.word_space = num(0).unwrap_or(0.0),
                "Tz" => gs.hscale = num(0).unwrap_or(100.0) / 100.0,
                "TL" => gs.leading = num(0).unwrap_or(0.0),
                "Ts" => gs.rise = num(0).unwrap_or(0.0),
                "Td" | "TD" => {
                    let (tx, ty) = (num(0).unwrap_or(0.0), num(1).unwrap_or(0.0));
                    if op.operator == "TD" {
                        gs.leading = -ty;
                    }
                    tlm = Matrix::translate(tx, ty).then(&tlm);
                    tm = tlm;
                }
                "Tm" => {
                    if let Some(m) = Matrix::from_operands(operands) {
                        tlm = m;
                        tm = m;
                    }
                }
                "T*" => {
                    tlm = Matrix::translate(0.0, -gs.leading).then(&tlm);
                    tm = tlm;
                }
                "Tj" => {
                    if let Some(Ok(bytes)) = operands.first().map(Object::as_str) {
                        self.show(&gs, &mut tm, bytes, budget, sink);
                    }
                }
                "'" | "\"" => {
                    if op.operator == "\"" {
                        gs.word_space = num(0).unwrap_or(gs.word_space);
                        gs.char_space = num(1).unwrap_or(gs.char_space);
                    }
                    tlm = Matrix::translate(0.0, -gs.leading).then(&tlm);
                    tm = tlm;
                    if let Some(Ok(bytes)) = operands.last().map(Object::as_str) {
                        self.show(&gs, &mut tm, bytes, budget, sink);
                    }
                }
                "TJ" => {
                    if let Some(Ok(items)) = operands.first().map(Object::as_array) {
                        for item in items {
                            match item {
                                Object::String(bytes, _) => self.show(&gs, &mut tm, bytes, budget, sink),
                                other => {
                                    if let Ok(n) = other.as_float() {
                                        let tx = -f64::from(n) / 1000.0 * gs.size * gs.hscale;
                                        if tx.is_finite() {
                                            tm = Matrix::translate(tx, 0.0).then(&tm);
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                "Do" => {
                    if let Some(Ok(name)) = operands.first().map(Object::as_name) {
                        self.draw_xobject(resources, name, &gs, forms, budget, sink)?;
                    }
                }
                "BI" => sink.image(ImageDraw { stream: None, ctm: gs.ctm }),
                _ => {}
            }
        }
        Ok(())
    }

    /// Shows one string: advances the text matrix glyph by glyph and reports the run.
    fn show<S: Sink<'a>>(&self, gs: &GState, tm: &mut Matrix, bytes: &[u8], budget: &mut Budget, sink: &mut S) {
        let font = gs.font.clone().unwrap_or_else(|| self.unknown_font.clone());
        let render = Matrix::new(gs.size * gs.hscale, 0.0, 0.0, gs.size, 0.0, gs.rise);
        let start_m = render.then(tm).then(&gs.ctm);
        let wants_text = sink.wants_text();
        let mut text = String::new();
        let mut glyphs = 0u64;
        for code in font.codes(bytes) {
            glyphs += 1;
            if wants_text {
                font.unicode(code, &mut text);
            }
            let spacing = if Font::is_word_space(code) { gs.word_space } else { 0.0 };
            let tx = (font.width(code) * gs.size + gs.char_space + spacing) * gs.hscale;
            if tx.is_finite() {
                *tm = Matrix::translate(tx, 0.0).then(tm);
            }
        }
        budget.ops = budget.ops.saturating_sub(glyphs / 16);
        let end_m = render.then(tm).then(&gs.ctm);
        let size = start_m.c.hypot(start_m.d);
        let len = start_m.a.hypot(start_m.b);
        let dir = if len > 1e-9 { (start_m.a / len, start_m.b / len) } else { (1.0, 0.0) };
        if start_m.is_finite() && end_m.is_finite() {
            sink.text(TextRun { text: &text, start: (start_m.e, start_m.f), end: (end_m.e, end_m.f), size, dir });
        }
    }

    fn draw_xobject<S: Sink<'a>>(
        &mut self,
        resources: Option<&'a Dictionary>,
        name: &[u8],
        gs: &GState,
        forms: &mut Vec<ObjectId>,
        budget: &mut Budget,
        sink: &mut S,
    ) -> Result<(), PdfError> {
        let doc = self.doc;
        let Some(entry) = resources
            .and_then(|r| r.get(b"XObject").ok())
            .and_then(|x| deref(doc, x).as_dict().ok())
            .and_then(|x| x.get(name).ok())
        else {
            return Ok(());
        };
        let id = entry.as_reference().ok();
        let Ok(stream) = deref(doc, entry).as_stream() else { return Ok(()) };
        match stream.dict.get(b"Subtype").and_then(Object::as_name) {
            Ok(b"Image") => sink.image(ImageDraw { stream: Some(stream), ctm: gs.ctm }),
            Ok(b"Form") => {
                let Some(id) = id else { return Ok(()) };
                if forms.len() >= MAX_FORM_DEPTH || forms.contains(&id) || budget.form_draws == 0 {
                    return Ok(());
                }
                budget.form_draws -= 1;
                let matrix = stream
                    .dict
                    .get(b"Matrix")
                    .ok()
                    .and_then(|m| deref(doc, m).as_array().ok())
                    .and_then(|m| Matrix::from_operands(m))
                    .unwrap_or(Matrix::IDENTITY);
                let form_resources =
                    stream.dict.get(b"Resources").ok().and_then(|r| deref(doc, r).as_dict().ok()).or(resources);
                let data = match stream.dict.get(b"Filter") {
                    Ok(_) => stream.decompressed_content_with_limit(budget.bytes).unwrap_or_default(),
                    Err(_) if stream.content.len() <= budget.bytes => stream.content.clone(),
                    Err(_) => Vec::new(),
                };
                budget.bytes = budget.bytes.saturating_sub(data.len());
                let mut inner = gs.clone();
                inner.ctm = matrix.then(&gs.ctm);
                forms.push(id);
                let result = self.run_content(&data, form_resources, inner, forms, budget, sink);
                forms.pop();
                result?;
            }
            _ => {}
        }
        Ok(())
    }

    fn font(&mut self, resources: Option<&'a Dictionary>, name: &[u8]) -> Rc<Font> {
        let doc = self.doc;
        let Some(entry) = resources
            .and_then(|r| r.get(b"Font").ok())
            .and_then(|f| deref(doc, f).as_dict().ok())
            .and_then(|f| f.get(name).ok())
        else {
            return self.unknown_font.clone();
        };
        let Ok(dict) = deref(doc, entry).as_dict() else { return self.unknown_font.clone() };
        let key = match entry.as_reference() {
            Ok(id) => FontKey::Object(id),
            Err(_) => FontKey::Inline(dict as *const Dictionary as usize),
        };
        if let Some(font) = self.fonts.get(&key) {
            return font.clone();
        }
        let font = Rc::new(Font::load(doc, dict));
        if self.fonts.len() < MAX_CACHED_FONTS {
            self.fonts.insert(key, font.clone());
        }
        font
    }
}
