//! Spreadsheets (`.xlsx`) with named sheets and known cell values.
//!
//! Text cells are inline strings (`t="inlineStr"`), which spares a
//! shared-strings part; a cell whose text parses as a finite number is
//! written as a number, as Excel itself would store it. Excel wants at
//! least one sheet, so an empty `sheets` gives one empty "Sheet1".

use super::DocMeta;
use super::ooxml::{
    CT_APP, CT_CORE, REL_STYLES, XML_DECL, app_properties, content_types, core_properties, relationships,
    root_relationships,
};
use super::package::Package;
use super::xml::escape;

const MAIN_NS: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
const R_NS: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
const REL_WORKSHEET: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet";
const CT_WORKBOOK: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml";
const CT_WORKSHEET: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml";
const CT_STYLES: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml";

/// A `.xlsx` with one worksheet per `(sheet name, rows)`; each row is a list
/// of cell texts from column A on. Sheet names must follow Excel's rules
/// (at most 31 characters, none of `[]:*?/\`), which is the caller's job.
pub fn xlsx(sheets: &[(&str, Vec<Vec<String>>)]) -> Vec<u8> {
    let empty = [("Sheet1", Vec::new())];
    let sheets = if sheets.is_empty() { &empty[..] } else { sheets };

    let mut overrides = vec![("/xl/workbook.xml".to_string(), CT_WORKBOOK), ("/xl/styles.xml".to_string(), CT_STYLES)];
    let mut rels = Vec::new();
    for index in 1..=sheets.len() {
        overrides.push((format!("/xl/worksheets/sheet{index}.xml"), CT_WORKSHEET));
        rels.push((format!("rId{index}"), REL_WORKSHEET, format!("worksheets/sheet{index}.xml")));
    }
    overrides.push(("/docProps/core.xml".into(), CT_CORE));
    overrides.push(("/docProps/app.xml".into(), CT_APP));
    rels.push((format!("rId{}", sheets.len() + 1), REL_STYLES, "styles.xml".into()));

    let mut package = Package::new();
    package
        .deflated("[Content_Types].xml", content_types(&overrides).as_bytes())
        .deflated("_rels/.rels", root_relationships("xl/workbook.xml").as_bytes())
        .deflated("xl/workbook.xml", workbook_xml(sheets).as_bytes())
        .deflated("xl/_rels/workbook.xml.rels", relationships(&rels).as_bytes())
        .deflated("xl/styles.xml", STYLES_XML.as_bytes());
    for (index, (_, rows)) in sheets.iter().enumerate() {
        package.deflated(&format!("xl/worksheets/sheet{}.xml", index + 1), sheet_xml(rows).as_bytes());
    }
    package
        .deflated("docProps/core.xml", core_properties(&DocMeta::default()).as_bytes())
        .deflated("docProps/app.xml", app_properties().as_bytes());
    package.finish()
}

fn workbook_xml(sheets: &[(&str, Vec<Vec<String>>)]) -> String {
    let mut xml = format!("{XML_DECL}<workbook xmlns=\"{MAIN_NS}\" xmlns:r=\"{R_NS}\"><sheets>");
    for (index, (name, _)) in sheets.iter().enumerate() {
        let id = index + 1;
        xml.push_str(&format!("<sheet name=\"{}\" sheetId=\"{id}\" r:id=\"rId{id}\"/>", escape(name)));
    }
    xml.push_str("</sheets></workbook>");
    xml
}

fn sheet_xml(rows: &[Vec<String>]) -> String {
    let mut xml = format!("{XML_DECL}<worksheet xmlns=\"{MAIN_NS}\" xmlns:r=\"{R_NS}\"><sheetData>");
    for (row_index, row) in rows.iter().enumerate() {
        let row_number = row_index + 1;
        xml.push_str(&format!("<row r=\"{row_number}\">"));
        for (column, text) in row.iter().enumerate() {
            if text.is_empty() {
                continue;
            }
            let reference = format!("{}{row_number}", column_name(column));
            if is_number(text) {
                xml.push_str(&format!("<c r=\"{reference}\"><v>{text}</v></c>"));
            } else {
                xml.push_str(&format!(
                    "<c r=\"{reference}\" t=\"inlineStr\"><is><t xml:space=\"preserve\">{}</t></is></c>",
                    escape(text)
                ));
            }
        }
        xml.push_str("</row>");
    }
    xml.push_str("</sheetData></worksheet>");
    xml
}

/// Whether a cell's text is stored as a number: a finite `f64` written
/// without surrounding spaces (so "007" is a number and "1 000" is text).
pub(crate) fn is_number(text: &str) -> bool {
    text.trim() == text && text.parse::<f64>().is_ok_and(f64::is_finite)
}

/// Excel's column letters for a zero-based index: 0 → A, 25 → Z, 26 → AA.
fn column_name(mut index: usize) -> String {
    let mut letters = Vec::new();
    loop {
        letters.push(b'A' + (index % 26) as u8);
        if index < 26 {
            break;
        }
        index = index / 26 - 1;
    }
    letters.iter().rev().map(|&b| b as char).collect()
}

/// The smallest style sheet Excel accepts: one font, the two required
/// fills, one border and one cell format.
const STYLES_XML: &str = concat!(
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n",
    "<styleSheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">",
    "<fonts count=\"1\"><font><sz val=\"11\"/><name val=\"DejaVu Sans\"/><family val=\"2\"/></font></fonts>",
    "<fills count=\"2\"><fill><patternFill patternType=\"none\"/></fill>",
    "<fill><patternFill patternType=\"gray125\"/></fill></fills>",
    "<borders count=\"1\"><border><left/><right/><top/><bottom/><diagonal/></border></borders>",
    "<cellStyleXfs count=\"1\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\"/></cellStyleXfs>",
    "<cellXfs count=\"1\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\"/></cellXfs>",
    "<cellStyles count=\"1\"><cellStyle name=\"Normal\" xfId=\"0\" builtinId=\"0\"/></cellStyles>",
    "</styleSheet>"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_columns_like_excel() {
        assert_eq!(column_name(0), "A");
        assert_eq!(column_name(25), "Z");
        assert_eq!(column_name(26), "AA");
        assert_eq!(column_name(701), "ZZ");
        assert_eq!(column_name(702), "AAA");
    }

    #[test]
    fn stores_numbers_as_numbers() {
        assert!(is_number("42") && is_number("-3.5") && is_number("1e3"));
        assert!(!is_number("NaN") && !is_number("inf") && !is_number(" 1") && !is_number("会议"));
        let xml = sheet_xml(&[vec!["名称".into(), "12.5".into()]]);
        assert!(xml.contains("<c r=\"B1\"><v>12.5</v></c>"), "{xml}");
        assert!(xml.contains("<c r=\"A1\" t=\"inlineStr\">"), "{xml}");
    }
}
