//! The parts every OOXML package shares: `[Content_Types].xml`, the
//! relationship parts and the document properties.
//!
//! Word, Excel and PowerPoint refuse a package whose content types or
//! relationships are incomplete ("unreadable content"), and LibreOffice
//! picks its import filter from the content type of the main part, so these
//! are written the way Office writes them rather than "just enough".

use super::DocMeta;
use super::xml::escape;

pub(crate) const XML_DECL: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n";

pub(crate) const REL_OFFICE_DOCUMENT: &str =
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument";
pub(crate) const REL_CORE_PROPERTIES: &str =
    "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties";
pub(crate) const REL_EXTENDED_PROPERTIES: &str =
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties";
pub(crate) const REL_STYLES: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles";
pub(crate) const REL_THEME: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/theme";

pub(crate) const CT_CORE: &str = "application/vnd.openxmlformats-package.core-properties+xml";
pub(crate) const CT_APP: &str = "application/vnd.openxmlformats-officedocument.extended-properties+xml";
pub(crate) const CT_THEME: &str = "application/vnd.openxmlformats-officedocument.theme+xml";

/// `[Content_Types].xml` with the `rels`/`xml` defaults and one override per
/// `(part name, content type)`; part names start with `/`.
pub(crate) fn content_types(overrides: &[(String, &str)]) -> String {
    let mut xml = String::from(XML_DECL);
    xml.push_str("<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">");
    xml.push_str(
        "<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>",
    );
    xml.push_str("<Default Extension=\"xml\" ContentType=\"application/xml\"/>");
    for (part, content_type) in overrides {
        xml.push_str(&format!("<Override PartName=\"{part}\" ContentType=\"{content_type}\"/>"));
    }
    xml.push_str("</Types>");
    xml
}

/// A relationships part from `(id, type, target)` triples.
pub(crate) fn relationships(rels: &[(String, &str, String)]) -> String {
    let mut xml = String::from(XML_DECL);
    xml.push_str("<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">");
    for (id, kind, target) in rels {
        xml.push_str(&format!("<Relationship Id=\"{id}\" Type=\"{kind}\" Target=\"{target}\"/>"));
    }
    xml.push_str("</Relationships>");
    xml
}

/// The package-level `_rels/.rels`: main part, core and extended properties.
pub(crate) fn root_relationships(main_part: &str) -> String {
    relationships(&[
        ("rId1".into(), REL_OFFICE_DOCUMENT, main_part.into()),
        ("rId2".into(), REL_CORE_PROPERTIES, "docProps/core.xml".into()),
        ("rId3".into(), REL_EXTENDED_PROPERTIES, "docProps/app.xml".into()),
    ])
}

/// `docProps/core.xml`. The fixed creation date keeps fixtures deterministic;
/// Office requires `dcterms:created` to carry its `xsi:type`.
pub(crate) fn core_properties(meta: &DocMeta<'_>) -> String {
    let mut xml = String::from(XML_DECL);
    xml.push_str(concat!(
        "<cp:coreProperties",
        " xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\"",
        " xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:dcterms=\"http://purl.org/dc/terms/\"",
        " xmlns:dcmitype=\"http://purl.org/dc/dcmitype/\"",
        " xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">"
    ));
    if !meta.title.is_empty() {
        xml.push_str(&format!("<dc:title>{}</dc:title>", escape(meta.title)));
    }
    if !meta.author.is_empty() {
        xml.push_str(&format!("<dc:creator>{}</dc:creator>", escape(meta.author)));
    }
    xml.push_str("<dcterms:created xsi:type=\"dcterms:W3CDTF\">2024-01-01T00:00:00Z</dcterms:created>");
    xml.push_str("<dcterms:modified xsi:type=\"dcterms:W3CDTF\">2024-01-01T00:00:00Z</dcterms:modified>");
    xml.push_str("</cp:coreProperties>");
    xml
}

/// `docProps/app.xml`, naming the application that wrote the file.
pub(crate) fn app_properties() -> String {
    format!(
        "{XML_DECL}<Properties xmlns=\"http://schemas.openxmlformats.org/officeDocument/2006/extended-properties\" \
         xmlns:vt=\"http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes\">\
         <Application>meeteasy-tests</Application></Properties>"
    )
}
