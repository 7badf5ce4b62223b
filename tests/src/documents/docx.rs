//! Word documents (`.docx`) with a known page count and text.
//!
//! Each entry of `pages` becomes one page: its lines become paragraphs and
//! an explicit page break (`<w:br w:type="page"/>`) starts the next page, so
//! the converted PDF has exactly `pages.len()` pages as long as each page's
//! text fits on one A4 page (about 40 lines of short text). The default
//! fonts name an East-Asian face (Noto Sans CJK SC, installed with the
//! product) so Chinese text renders as text, not as boxes.

use super::DocMeta;
use super::ooxml::{
    CT_APP, CT_CORE, REL_STYLES, XML_DECL, app_properties, content_types, core_properties, relationships,
    root_relationships,
};
use super::package::Package;
use super::xml::{escape, lines};

const W_NS: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
const CT_DOCUMENT: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml";
const CT_STYLES: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml";

/// A `.docx` with one page per entry of `pages` and no title or author.
pub fn docx(pages: &[&str]) -> Vec<u8> {
    docx_with_meta(pages, &DocMeta::default())
}

/// A `.docx` with one page per entry of `pages`, and `meta` as its
/// `dc:title` / `dc:creator`.
pub fn docx_with_meta(pages: &[&str], meta: &DocMeta<'_>) -> Vec<u8> {
    let mut package = Package::new();
    package
        .deflated(
            "[Content_Types].xml",
            content_types(&[
                ("/word/document.xml".into(), CT_DOCUMENT),
                ("/word/styles.xml".into(), CT_STYLES),
                ("/docProps/core.xml".into(), CT_CORE),
                ("/docProps/app.xml".into(), CT_APP),
            ])
            .as_bytes(),
        )
        .deflated("_rels/.rels", root_relationships("word/document.xml").as_bytes())
        .deflated(
            "word/_rels/document.xml.rels",
            relationships(&[("rId1".into(), REL_STYLES, "styles.xml".into())]).as_bytes(),
        )
        .deflated("word/document.xml", document_xml(pages).as_bytes())
        .deflated("word/styles.xml", styles_xml().as_bytes())
        .deflated("docProps/core.xml", core_properties(meta).as_bytes())
        .deflated("docProps/app.xml", app_properties().as_bytes());
    package.finish()
}

/// The opening of `word/document.xml`, up to and including `<w:body>`.
/// The zip-bomb fixture reuses it.
pub(crate) fn document_head() -> String {
    format!("{XML_DECL}<w:document xmlns:w=\"{W_NS}\"><w:body>")
}

/// The close of `word/document.xml`: an A4 section and the closing tags.
pub(crate) const DOCUMENT_TAIL: &str = concat!(
    "<w:sectPr><w:pgSz w:w=\"11906\" w:h=\"16838\"/>",
    "<w:pgMar w:top=\"1440\" w:right=\"1440\" w:bottom=\"1440\" w:left=\"1440\"",
    " w:header=\"708\" w:footer=\"708\" w:gutter=\"0\"/></w:sectPr></w:body></w:document>"
);

fn document_xml(pages: &[&str]) -> String {
    let mut xml = document_head();
    for (index, page) in pages.iter().enumerate() {
        for (line_index, line) in lines(page).enumerate() {
            xml.push_str("<w:p>");
            if index > 0 && line_index == 0 {
                xml.push_str("<w:r><w:br w:type=\"page\"/></w:r>");
            }
            if !line.is_empty() {
                xml.push_str(&format!("<w:r><w:t xml:space=\"preserve\">{}</w:t></w:r>", escape(line)));
            }
            xml.push_str("</w:p>");
        }
    }
    if pages.is_empty() {
        xml.push_str("<w:p/>");
    }
    xml.push_str(DOCUMENT_TAIL);
    xml
}

/// `word/styles.xml` with document defaults that name a Latin and an
/// East-Asian font, and the `Normal` paragraph style.
pub(crate) fn styles_xml() -> String {
    format!(
        "{XML_DECL}<w:styles xmlns:w=\"{W_NS}\"><w:docDefaults><w:rPrDefault><w:rPr>\
         <w:rFonts w:ascii=\"DejaVu Sans\" w:eastAsia=\"Noto Sans CJK SC\" w:hAnsi=\"DejaVu Sans\" w:cs=\"DejaVu Sans\"/>\
         <w:sz w:val=\"22\"/><w:szCs w:val=\"22\"/><w:lang w:val=\"en-US\" w:eastAsia=\"zh-CN\" w:bidi=\"ar-SA\"/>\
         </w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:spacing w:after=\"120\" w:line=\"259\" w:lineRule=\"auto\"/>\
         </w:pPr></w:pPrDefault></w:docDefaults>\
         <w:style w:type=\"paragraph\" w:default=\"1\" w:styleId=\"Normal\"><w:name w:val=\"Normal\"/><w:qFormat/></w:style>\
         </w:styles>"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn breaks_pages_between_entries_only() {
        let xml = document_xml(&["a\nb", "c", "d"]);
        assert_eq!(xml.matches("w:type=\"page\"").count(), 2);
        assert_eq!(xml.matches("<w:p>").count(), 4);
        assert!(xml.ends_with(DOCUMENT_TAIL));
    }
}
