//! OpenDocument fixtures: text (`.odt`), spreadsheet (`.ods`) and
//! presentation (`.odp`).
//!
//! ODF has one packaging rule that sniffers depend on: the first zip entry
//! is `mimetype`, stored uncompressed, so the media type sits at byte 38 of
//! the file. After it come `META-INF/manifest.xml`, `content.xml` and
//! `meta.xml` (and, for presentations, a `styles.xml` with the master page
//! every slide names). Page breaks in text documents use an automatic
//! paragraph style with `fo:break-before="page"`, as LibreOffice writes them.

use super::DocMeta;
use super::package::Package;
use super::xlsx::is_number;
use super::xml::{escape, lines};

const VERSION: &str = "1.2";
const XML_DECL: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
const NS: &str = concat!(
    "xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\" ",
    "xmlns:style=\"urn:oasis:names:tc:opendocument:xmlns:style:1.0\" ",
    "xmlns:text=\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\" ",
    "xmlns:table=\"urn:oasis:names:tc:opendocument:xmlns:table:1.0\" ",
    "xmlns:draw=\"urn:oasis:names:tc:opendocument:xmlns:drawing:1.0\" ",
    "xmlns:presentation=\"urn:oasis:names:tc:opendocument:xmlns:presentation:1.0\" ",
    "xmlns:fo=\"urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0\" ",
    "xmlns:svg=\"urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0\" ",
    "xmlns:meta=\"urn:oasis:names:tc:opendocument:xmlns:meta:1.0\" ",
    "xmlns:dc=\"http://purl.org/dc/elements/1.1/\""
);

/// Font faces and the text properties that use them, so CJK text is set in
/// an installed CJK font rather than left to glyph fallback.
const FONT_FACES: &str = concat!(
    "<office:font-face-decls>",
    "<style:font-face style:name=\"DejaVu Sans\" svg:font-family=\"&apos;DejaVu Sans&apos;\"/>",
    "<style:font-face style:name=\"Noto Sans CJK SC\" svg:font-family=\"&apos;Noto Sans CJK SC&apos;\"/>",
    "</office:font-face-decls>"
);
const TEXT_PROPERTIES: &str =
    "<style:text-properties style:font-name=\"DejaVu Sans\" style:font-name-asian=\"Noto Sans CJK SC\"/>";

/// An `.odt` with one page per entry of `pages` and no title or author.
pub fn odt(pages: &[&str]) -> Vec<u8> {
    odt_with_meta(pages, &DocMeta::default())
}

/// An `.odt` with one page per entry of `pages` (one paragraph per line,
/// later pages starting with a page break), and `meta` in `meta.xml`.
pub fn odt_with_meta(pages: &[&str], meta: &DocMeta<'_>) -> Vec<u8> {
    let mut body = String::new();
    for (index, page) in pages.iter().enumerate() {
        for (line_index, line) in lines(page).enumerate() {
            let style = if index > 0 && line_index == 0 { "PageBreak" } else { "Body" };
            body.push_str(&format!("<text:p text:style-name=\"{style}\">{}</text:p>", text(line)));
        }
    }
    let content = format!(
        "{XML_DECL}<office:document-content {NS} office:version=\"{VERSION}\">{FONT_FACES}\
         <office:automatic-styles>\
         <style:style style:name=\"Body\" style:family=\"paragraph\">{TEXT_PROPERTIES}</style:style>\
         <style:style style:name=\"PageBreak\" style:family=\"paragraph\">\
         <style:paragraph-properties fo:break-before=\"page\"/>{TEXT_PROPERTIES}</style:style>\
         </office:automatic-styles><office:body><office:text>{body}</office:text></office:body>\
         </office:document-content>"
    );
    package("application/vnd.oasis.opendocument.text", &content, None, meta)
}

/// An `.ods` with one table per `(sheet name, rows)`; cells whose text is a
/// finite number are stored as floats, the rest as strings.
pub fn ods(sheets: &[(&str, Vec<Vec<String>>)]) -> Vec<u8> {
    let mut body = String::new();
    for (name, rows) in sheets {
        body.push_str(&format!("<table:table table:name=\"{}\">", escape(name)));
        body.push_str("<table:table-column/>");
        for row in rows {
            body.push_str("<table:table-row>");
            for cell in row {
                body.push_str(&cell_xml(cell));
            }
            if row.is_empty() {
                body.push_str("<table:table-cell/>");
            }
            body.push_str("</table:table-row>");
        }
        if rows.is_empty() {
            body.push_str("<table:table-row><table:table-cell/></table:table-row>");
        }
        body.push_str("</table:table>");
    }
    if sheets.is_empty() {
        body.push_str(
            "<table:table table:name=\"Sheet1\"><table:table-column/>\
             <table:table-row><table:table-cell/></table:table-row></table:table>",
        );
    }
    let content = format!(
        "{XML_DECL}<office:document-content {NS} office:version=\"{VERSION}\">{FONT_FACES}\
         <office:body><office:spreadsheet>{body}</office:spreadsheet></office:body></office:document-content>"
    );
    package("application/vnd.oasis.opendocument.spreadsheet", &content, None, &DocMeta::default())
}

/// An `.odp` with one 16:9 slide per entry of `slides`; each slide has one
/// text frame with one paragraph per line.
pub fn odp(slides: &[&str]) -> Vec<u8> {
    let mut body = String::new();
    for (index, slide) in slides.iter().enumerate() {
        body.push_str(&format!(
            "<draw:page draw:name=\"page{}\" draw:master-page-name=\"Default\">\
             <draw:frame draw:style-name=\"Frame\" svg:x=\"2cm\" svg:y=\"2cm\" svg:width=\"24cm\" svg:height=\"11cm\">\
             <draw:text-box>",
            index + 1
        ));
        for line in lines(slide) {
            body.push_str(&format!("<text:p text:style-name=\"Body\">{}</text:p>", text(line)));
        }
        body.push_str("</draw:text-box></draw:frame></draw:page>");
    }
    let content = format!(
        "{XML_DECL}<office:document-content {NS} office:version=\"{VERSION}\">{FONT_FACES}\
         <office:automatic-styles>\
         <style:style style:name=\"Frame\" style:family=\"graphic\">\
         <style:graphic-properties draw:stroke=\"none\" draw:fill=\"none\"/></style:style>\
         <style:style style:name=\"Body\" style:family=\"paragraph\">\
         <style:text-properties fo:font-size=\"24pt\" style:font-name=\"DejaVu Sans\" \
         style:font-name-asian=\"Noto Sans CJK SC\" style:font-size-asian=\"24pt\"/></style:style>\
         </office:automatic-styles><office:body><office:presentation>{body}</office:presentation></office:body>\
         </office:document-content>"
    );
    let styles = format!(
        "{XML_DECL}<office:document-styles {NS} office:version=\"{VERSION}\">\
         <office:automatic-styles><style:page-layout style:name=\"PM1\">\
         <style:page-layout-properties fo:margin-top=\"0cm\" fo:margin-bottom=\"0cm\" fo:margin-left=\"0cm\" \
         fo:margin-right=\"0cm\" fo:page-width=\"28cm\" fo:page-height=\"15.75cm\" \
         style:print-orientation=\"landscape\"/></style:page-layout></office:automatic-styles>\
         <office:master-styles><style:master-page style:name=\"Default\" style:page-layout-name=\"PM1\"/>\
         </office:master-styles></office:document-styles>"
    );
    package("application/vnd.oasis.opendocument.presentation", &content, Some(&styles), &DocMeta::default())
}

fn cell_xml(cell: &str) -> String {
    if cell.is_empty() {
        "<table:table-cell/>".into()
    } else if is_number(cell) {
        format!(
            "<table:table-cell office:value-type=\"float\" office:value=\"{cell}\"><text:p>{cell}</text:p></table:table-cell>"
        )
    } else {
        format!("<table:table-cell office:value-type=\"string\"><text:p>{}</text:p></table:table-cell>", text(cell))
    }
}

/// Paragraph text: XML-escaped, with the runs of spaces and the tabs that
/// ODF would otherwise collapse written as `<text:s/>` and `<text:tab/>`.
fn text(line: &str) -> String {
    let mut out = String::new();
    let mut spaces = 0usize;
    for c in line.chars() {
        match c {
            ' ' => spaces += 1,
            '\t' => {
                push_spaces(&mut out, &mut spaces);
                out.push_str("<text:tab/>");
            }
            c => {
                push_spaces(&mut out, &mut spaces);
                out.push_str(&escape(c.encode_utf8(&mut [0; 4])));
            }
        }
    }
    push_spaces(&mut out, &mut spaces);
    out
}

/// Writes a pending run of `spaces`: one literal space then `<text:s/>` for
/// the rest, or all of them as `<text:s/>` at the start of a paragraph.
fn push_spaces(out: &mut String, spaces: &mut usize) {
    match (*spaces, out.is_empty()) {
        (0, _) => {}
        (n, true) => out.push_str(&format!("<text:s text:c=\"{n}\"/>")),
        (1, false) => out.push(' '),
        (n, false) => out.push_str(&format!(" <text:s text:c=\"{}\"/>", n - 1)),
    }
    *spaces = 0;
}

fn package(media_type: &str, content: &str, styles: Option<&str>, meta: &DocMeta<'_>) -> Vec<u8> {
    let mut entries = String::new();
    for name in ["content.xml", "meta.xml"].into_iter().chain(styles.map(|_| "styles.xml")) {
        entries.push_str(&format!(
            "<manifest:file-entry manifest:full-path=\"{name}\" manifest:media-type=\"text/xml\"/>"
        ));
    }
    let manifest = format!(
        "{XML_DECL}<manifest:manifest xmlns:manifest=\"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0\" \
         manifest:version=\"{VERSION}\"><manifest:file-entry manifest:full-path=\"/\" manifest:version=\"{VERSION}\" \
         manifest:media-type=\"{media_type}\"/>{entries}</manifest:manifest>"
    );
    let mut package = Package::new();
    package
        .stored("mimetype", media_type.as_bytes())
        .deflated("META-INF/manifest.xml", manifest.as_bytes())
        .deflated("content.xml", content.as_bytes())
        .deflated("meta.xml", meta_xml(meta).as_bytes());
    if let Some(styles) = styles {
        package.deflated("styles.xml", styles.as_bytes());
    }
    package.finish()
}

fn meta_xml(meta: &DocMeta<'_>) -> String {
    let mut fields = String::from("<meta:generator>meeteasy-tests</meta:generator>");
    if !meta.title.is_empty() {
        fields.push_str(&format!("<dc:title>{}</dc:title>", escape(meta.title)));
    }
    if !meta.author.is_empty() {
        let author = escape(meta.author);
        fields.push_str(&format!(
            "<meta:initial-creator>{author}</meta:initial-creator><dc:creator>{author}</dc:creator>"
        ));
    }
    fields.push_str("<meta:creation-date>2024-01-01T00:00:00</meta:creation-date>");
    format!(
        "{XML_DECL}<office:document-meta {NS} office:version=\"{VERSION}\"><office:meta>{fields}</office:meta>\
         </office:document-meta>"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_runs_of_spaces_and_tabs() {
        assert_eq!(text("a b"), "a b");
        assert_eq!(text("a   b"), "a <text:s text:c=\"2\"/>b");
        assert_eq!(text("  a\tb&"), "<text:s text:c=\"2\"/>a<text:tab/>b&amp;");
    }

    #[test]
    fn mimetype_is_the_first_entry_and_stored() {
        let bytes = odt(&["x"]);
        assert_eq!(&bytes[0..4], b"PK\x03\x04");
        assert_eq!(u16::from_le_bytes([bytes[8], bytes[9]]), 0, "compression method");
        assert_eq!(&bytes[30..38], b"mimetype");
        assert_eq!(&bytes[38..38 + 39], b"application/vnd.oasis.opendocument.text");
    }
}
