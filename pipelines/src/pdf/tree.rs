//! The page tree, walked iteratively and exactly once.
//!
//! lopdf has its own page iterator, but the page tree is the first thing a
//! hostile file attacks: `/Kids` that contain their ancestor, a node listed
//! under two parents (a DAG that doubles at each level), a `/Parent` chain that
//! loops, millions of leaves. So the walk here
//! * uses an explicit stack, never recursion;
//! * visits each node at most once: meeting an intermediate node (one with
//!   `/Kids`) a second time is [`PdfError::ReferenceLoop`], meeting a leaf a
//!   second time skips it;
//! * counts leaves as it goes and stops with [`PdfError::TooManyPages`] as soon
//!   as the cap is passed, before anything reads page content;
//! * carries the inheritable attributes (`/MediaBox`, `/CropBox`, `/Rotate`,
//!   `/Resources`) *down* the tree. Inheritance is defined by the tree, so this
//!   is exact, and it means `/Parent` is never followed at all: a `/Parent`
//!   loop cannot hurt.

use std::collections::HashSet;

use lopdf::{Dictionary, Document, Object, ObjectId};

use super::PdfError;
use super::limits::Deadline;

/// US Letter, the default media box when a file names none.
const DEFAULT_MEDIA_BOX: Rect = Rect { llx: 0.0, lly: 0.0, urx: 612.0, ury: 792.0 };

/// A page box, normalised so that `llx <= urx` and `lly <= ury`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Rect {
    pub llx: f64,
    pub lly: f64,
    pub urx: f64,
    pub ury: f64,
}

impl Rect {
    pub(crate) fn width(&self) -> f64 {
        self.urx - self.llx
    }
    pub(crate) fn height(&self) -> f64 {
        self.ury - self.lly
    }
    pub(crate) fn as_array(&self) -> [f64; 4] {
        [self.llx, self.lly, self.urx, self.ury]
    }
}

/// Where a page's (possibly inherited) `/Resources` live: the id of the
/// resource dictionary, or the id of the tree node that holds it inline.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum ResourcesAt {
    Object(ObjectId),
    InlineIn(ObjectId),
}

impl ResourcesAt {
    pub(crate) fn resolve<'a>(&self, doc: &'a Document) -> Option<&'a Dictionary> {
        match *self {
            ResourcesAt::Object(id) => doc.get_dictionary(id).ok(),
            ResourcesAt::InlineIn(node) => doc.get_dictionary(node).ok()?.get(b"Resources").ok()?.as_dict().ok(),
        }
    }
}

/// One leaf of the page tree, with its inherited attributes resolved.
#[derive(Debug, Clone)]
pub(crate) struct PageNode {
    /// 1-based.
    pub number: u32,
    pub id: ObjectId,
    pub media_box: Rect,
    pub crop_box: Option<Rect>,
    /// 0, 90, 180 or 270.
    pub rotate: u32,
    pub resources: Option<ResourcesAt>,
}

impl PageNode {
    /// Width and height as displayed: the crop box (else the media box),
    /// swapped for a quarter-turn `/Rotate`.
    pub(crate) fn display_size(&self) -> (f64, f64) {
        let b = self.crop_box.unwrap_or(self.media_box);
        if self.rotate % 180 == 90 { (b.height(), b.width()) } else { (b.width(), b.height()) }
    }
}

#[derive(Debug, Clone, Copy)]
struct Inherited {
    media_box: Option<Rect>,
    crop_box: Option<Rect>,
    rotate: Option<u32>,
    resources: Option<ResourcesAt>,
}

/// All pages in document order, or why the tree cannot be used.
pub(crate) fn pages(doc: &Document, max_pages: u32, deadline: &Deadline) -> Result<Vec<PageNode>, PdfError> {
    let root = tree_root(doc)?;
    let claimed = doc.get_dictionary(root).ok().and_then(|d| d.get(b"Count").ok()).and_then(|c| c.as_i64().ok());
    let mut stack = vec![(root, Inherited { media_box: None, crop_box: None, rotate: None, resources: None })];
    let mut seen: HashSet<ObjectId> = HashSet::new();
    let mut pages = Vec::new();
    let mut steps = 0u64;
    while let Some((id, inherited)) = stack.pop() {
        steps += 1;
        if steps.is_multiple_of(1024) {
            deadline.check()?;
        }
        let node = match doc.get_object(id) {
            Ok(Object::Dictionary(node)) => node,
            Err(lopdf::Error::ReferenceLimit | lopdf::Error::ReferenceCycle(_)) => return Err(PdfError::ReferenceLoop),
            // A missing or non-dictionary kid is skipped, as viewers do.
            _ if id != root => continue,
            _ => return Err(PdfError::Malformed("the page tree root is not a dictionary".into())),
        };
        let kids = match node.get(b"Kids").map(|k| doc.dereference(k)) {
            Ok(Ok((_, Object::Array(kids)))) => Some(kids),
            Ok(Err(lopdf::Error::ReferenceLimit | lopdf::Error::ReferenceCycle(_))) => {
                return Err(PdfError::ReferenceLoop);
            }
            _ => None,
        };
        let is_leaf = kids.is_none() && node.get(b"Type").and_then(Object::as_name).map_or(true, |t| t != b"Pages");
        if !seen.insert(id) {
            if is_leaf {
                continue;
            }
            return Err(PdfError::ReferenceLoop);
        }
        let here = Inherited {
            media_box: rect(doc, node, b"MediaBox").or(inherited.media_box),
            crop_box: rect(doc, node, b"CropBox").or(inherited.crop_box),
            rotate: rotate(doc, node).or(inherited.rotate),
            resources: match node.get(b"Resources") {
                Ok(Object::Reference(r)) => Some(ResourcesAt::Object(*r)),
                Ok(Object::Dictionary(_)) => Some(ResourcesAt::InlineIn(id)),
                _ => inherited.resources,
            },
        };
        match kids {
            Some(kids) => {
                // Reverse, so that popping visits the kids in order.
                for kid in kids.iter().rev() {
                    if let Object::Reference(kid) = kid {
                        stack.push((*kid, here));
                    }
                }
            }
            None if is_leaf => {
                let number = pages.len() as u32 + 1;
                if number > max_pages {
                    let claimed = claimed.and_then(|c| u64::try_from(c).ok()).unwrap_or(0);
                    return Err(PdfError::TooManyPages { pages: claimed.max(u64::from(number)), max: max_pages });
                }
                let media_box = here.media_box.unwrap_or(DEFAULT_MEDIA_BOX);
                pages.push(PageNode {
                    number,
                    id,
                    media_box,
                    crop_box: here.crop_box.and_then(|c| intersect(&c, &media_box)),
                    rotate: here.rotate.unwrap_or(0),
                    resources: here.resources,
                });
            }
            // A `/Type /Pages` node without kids: empty.
            None => {}
        }
    }
    if pages.is_empty() {
        return Err(PdfError::Malformed("the document has no pages".into()));
    }
    Ok(pages)
}

/// The object id of the page tree root (`/Root /Pages`).
fn tree_root(doc: &Document) -> Result<ObjectId, PdfError> {
    let catalog = match doc.trailer.get(b"Root").map(|r| doc.dereference(r)) {
        Ok(Ok((_, Object::Dictionary(catalog)))) => catalog,
        Ok(Err(lopdf::Error::ReferenceLimit | lopdf::Error::ReferenceCycle(_))) => return Err(PdfError::ReferenceLoop),
        _ => return Err(PdfError::Malformed("the document has no catalog".into())),
    };
    match catalog.get(b"Pages") {
        Ok(Object::Reference(id)) => Ok(*id),
        _ => Err(PdfError::Malformed("the catalog has no page tree".into())),
    }
}

/// A box attribute, when present and sane.
fn rect(doc: &Document, node: &Dictionary, key: &[u8]) -> Option<Rect> {
    let (_, arr) = doc.dereference(node.get(key).ok()?).ok()?;
    let arr = arr.as_array().ok()?;
    if arr.len() != 4 {
        return None;
    }
    let mut v = [0f64; 4];
    for (slot, item) in v.iter_mut().zip(arr) {
        let (_, item) = doc.dereference(item).ok()?;
        *slot = f64::from(item.as_float().ok()?);
        if !slot.is_finite() {
            return None;
        }
    }
    let r = Rect { llx: v[0].min(v[2]), lly: v[1].min(v[3]), urx: v[0].max(v[2]), ury: v[1].max(v[3]) };
    // Zero-area boxes are unusable; PDF caps user space at 14,400 units per side
    // (200 in), but large-format scans exceed it, so only absurd values go.
    (r.width() >= 1.0 && r.height() >= 1.0 && r.width() <= 1.0e6 && r.height() <= 1.0e6).then_some(r)
}

fn intersect(a: &Rect, b: &Rect) -> Option<Rect> {
    let r = Rect { llx: a.llx.max(b.llx), lly: a.lly.max(b.lly), urx: a.urx.min(b.urx), ury: a.ury.min(b.ury) };
    (r.width() >= 1.0 && r.height() >= 1.0).then_some(r)
}

fn rotate(doc: &Document, node: &Dictionary) -> Option<u32> {
    let (_, r) = doc.dereference(node.get(b"Rotate").ok()?).ok()?;
    let r = r.as_i64().ok()?;
    (r % 90 == 0).then(|| r.rem_euclid(360) as u32)
}
