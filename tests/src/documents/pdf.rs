//! Well-formed PDFs written with lopdf: text pages, thousands of pages, and
//! password-protected files.
//!
//! A PDF upload is not converted but validated with lopdf, so the fixtures
//! must exercise what that validation reads: page count, metadata, per-page
//! text (Latin and CJK, see `pdf_fonts`) and the encryption dictionary.

use lopdf::content::{Content, Operation};
use lopdf::{Dictionary, Document, EncryptionState, EncryptionVersion, Object, Permissions, Stream, dictionary};

use super::pdf_fonts::{CJK_FONT, LATIN_FONT, add_cjk_font, cid_string, helvetica, win_ansi};
use super::xml::lines;
use super::{DocMeta, must};

/// The user ("open") password of [`pdf_encrypted_user_password`].
pub const PDF_USER_PASSWORD: &str = "meeteasy-user";
/// The owner password of both encrypted PDF fixtures.
pub const PDF_OWNER_PASSWORD: &str = "meeteasy-owner";

/// The text on the single page of the encrypted fixtures.
const ENCRYPTED_TEXT: &str = "Confidential meeting minutes";
/// A4 in points.
const MEDIA_BOX: [i64; 4] = [0, 0, 595, 842];
/// A fixed file identifier: the PDF encryption key depends on it, and a
/// fixed one keeps the encrypted fixtures deterministic.
const FILE_ID: &[u8; 16] = b"meeteasy-fixture";

/// A PDF with one A4 page per entry of `pages`, one text line per line;
/// Latin lines in Helvetica, others in a CID font with a ToUnicode map, so
/// both extract back to the same text. About 45 lines fit on a page.
pub fn pdf_text(pages: &[&str]) -> Vec<u8> {
    pdf_text_with_meta(pages, &DocMeta::default())
}

/// [`pdf_text`] with `meta` as the Info dictionary's `/Title` and `/Author`.
pub fn pdf_text_with_meta(pages: &[&str], meta: &DocMeta<'_>) -> Vec<u8> {
    save(text_document(pages, meta))
}

/// A PDF of `n` identical pages that all share one content stream and one
/// font, so even 5,000 pages take a few hundred kilobytes and milliseconds.
pub fn pdf_many_pages(n: usize) -> Vec<u8> {
    let mut doc = Document::with_version("1.7");
    let pages_id = doc.new_object_id();
    let resources = font_resources(&mut doc, None);
    let content = Content {
        operations: vec![
            Operation::new("BT", vec![]),
            Operation::new("Tf", vec![LATIN_FONT.into(), 24.into()]),
            Operation::new("Td", vec![72.into(), 700.into()]),
            Operation::new("Tj", vec![Object::string_literal("MeetEasy many-pages fixture")]),
            Operation::new("ET", vec![]),
        ],
    };
    let content_id = doc.add_object(Stream::new(Dictionary::new(), must(content.encode(), "encode content")));
    let kids = (0..n)
        .map(|_| {
            let page = dictionary! {
                "Type" => "Page", "Parent" => pages_id, "Contents" => content_id, "Resources" => resources,
            };
            doc.add_object(page).into()
        })
        .collect::<Vec<Object>>();
    finish_tree(&mut doc, pages_id, kids, &DocMeta::default());
    save(doc)
}

/// A one-page PDF encrypted with the Standard security handler, RC4 40-bit
/// (V1, R2), that cannot be opened without [`PDF_USER_PASSWORD`]; its owner
/// password is [`PDF_OWNER_PASSWORD`].
pub fn pdf_encrypted_user_password() -> Vec<u8> {
    encrypted(PDF_USER_PASSWORD)
}

/// A one-page PDF encrypted like [`pdf_encrypted_user_password`] but with an
/// empty user password: every reader opens it without asking, yet strings
/// and streams are encrypted and `/Encrypt` is present (the common
/// "print/copy restricted" PDF).
pub fn pdf_encrypted_owner_only() -> Vec<u8> {
    encrypted("")
}

fn encrypted(user_password: &str) -> Vec<u8> {
    let mut doc = text_document(&[ENCRYPTED_TEXT], &DocMeta { title: "Confidential", author: "" });
    let state = must(
        EncryptionState::try_from(EncryptionVersion::V1 {
            document: &doc,
            owner_password: PDF_OWNER_PASSWORD,
            user_password,
            permissions: Permissions::default(),
        }),
        "derive encryption state",
    );
    must(doc.encrypt(&state), "encrypt");
    save(doc)
}

fn text_document(pages: &[&str], meta: &DocMeta<'_>) -> Document {
    let mut doc = Document::with_version("1.7");
    let pages_id = doc.new_object_id();
    let cjk_text: String = pages
        .iter()
        .flat_map(|page| lines(page))
        .flat_map(font_runs)
        .filter(|(latin, _)| !latin)
        .map(|(_, run)| run)
        .collect();
    let resources = font_resources(&mut doc, (!cjk_text.is_empty()).then_some(cjk_text.as_str()));
    let kids = pages
        .iter()
        .map(|page| {
            let content = must(page_content(page).encode(), "encode content");
            let content_id = doc.add_object(Stream::new(Dictionary::new(), content));
            let page = dictionary! {
                "Type" => "Page", "Parent" => pages_id, "Contents" => content_id, "Resources" => resources,
            };
            doc.add_object(page).into()
        })
        .collect();
    finish_tree(&mut doc, pages_id, kids, meta);
    doc
}

/// One text line per line of `page`, from the top-left margin down.
fn page_content(page: &str) -> Content {
    let mut operations = vec![
        Operation::new("BT", vec![]),
        Operation::new("TL", vec![16.into()]),
        Operation::new("Td", vec![72.into(), 770.into()]),
    ];
    for line in lines(page) {
        for (latin, run) in font_runs(line) {
            let (font, string) = match win_ansi(run) {
                Some(bytes) if latin => (LATIN_FONT, Object::String(bytes, lopdf::StringFormat::Literal)),
                _ => (CJK_FONT, cid_string(run)),
            };
            operations.push(Operation::new("Tf", vec![font.into(), 12.into()]));
            operations.push(Operation::new("Tj", vec![string]));
        }
        operations.push(Operation::new("T*", vec![]));
    }
    operations.push(Operation::new("ET", vec![]));
    Content { operations }
}

/// Splits `line` into runs that Helvetica can show (`true`) and runs for
/// the CJK font (`false`). Showing Latin words in Helvetica keeps their
/// real widths; in the CJK font every character is a full em wide, and
/// poppler then splits "Meeting agenda" into separate blocks.
fn font_runs(line: &str) -> Vec<(bool, &str)> {
    let mut runs: Vec<(bool, &str)> = Vec::new();
    let mut start = 0;
    for (index, c) in line.char_indices() {
        let latin = win_ansi(c.encode_utf8(&mut [0; 4])).is_some();
        match runs.last_mut() {
            Some((kind, run)) if *kind == latin => *run = &line[start..index + c.len_utf8()],
            _ => {
                start = index;
                runs.push((latin, &line[index..index + c.len_utf8()]));
            }
        }
    }
    runs
}

/// A shared resource dictionary with Helvetica, plus the CJK font when
/// `cjk_text` is given.
fn font_resources(doc: &mut Document, cjk_text: Option<&str>) -> lopdf::ObjectId {
    let mut fonts = Dictionary::new();
    fonts.set(LATIN_FONT, doc.add_object(helvetica()));
    if let Some(text) = cjk_text {
        fonts.set(CJK_FONT, add_cjk_font(doc, text));
    }
    doc.add_object(dictionary! { "Font" => fonts })
}

/// Writes the page tree root, catalog, Info and file ID, and compresses.
fn finish_tree(doc: &mut Document, pages_id: lopdf::ObjectId, kids: Vec<Object>, meta: &DocMeta<'_>) {
    let count = kids.len() as i64;
    let pages = dictionary! {
        "Type" => "Pages",
        "Kids" => kids,
        "Count" => count,
        "MediaBox" => MEDIA_BOX.iter().map(|&v| v.into()).collect::<Vec<Object>>(),
    };
    doc.objects.insert(pages_id, Object::Dictionary(pages));
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    let mut info = dictionary! { "Producer" => Object::string_literal("meeteasy-tests") };
    if !meta.title.is_empty() {
        info.set("Title", lopdf::text_string(meta.title));
    }
    if !meta.author.is_empty() {
        info.set("Author", lopdf::text_string(meta.author));
    }
    let info_id = doc.add_object(info);
    doc.trailer.set("Info", info_id);
    let id = Object::String(FILE_ID.to_vec(), lopdf::StringFormat::Hexadecimal);
    doc.trailer.set("ID", vec![id.clone(), id]);
    doc.compress();
}

pub(crate) fn save(mut doc: Document) -> Vec<u8> {
    let mut out = Vec::new();
    must(doc.save_to(&mut out), "save pdf");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_lines_into_font_runs() {
        assert_eq!(font_runs("会议日程 Meeting 2"), vec![(false, "会议日程"), (true, " Meeting 2")]);
        assert_eq!(font_runs("A会B"), vec![(true, "A"), (false, "会"), (true, "B")]);
        assert!(font_runs("").is_empty());
    }
}
