//! Presentations (`.pptx`): one slide per entry, one text box per slide.
//!
//! A pptx is the pickiest OOXML format: every slide must go through a
//! layout to a master to a theme, and LibreOffice's Impress import gives up
//! (or imports no slides) when that chain is missing. This writes the
//! whole chain, one master with one blank layout, plus the presentation
//! property parts PowerPoint expects, and nothing more.

use super::DocMeta;
use super::ooxml::{
    CT_APP, CT_CORE, CT_THEME, REL_THEME, XML_DECL, app_properties, content_types, core_properties, relationships,
    root_relationships,
};
use super::package::Package;
use super::pptx_theme::THEME_XML;
use super::xml::{escape, lines};

const NS: &str = concat!(
    "xmlns:a=\"http://schemas.openxmlformats.org/drawingml/2006/main\" ",
    "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\" ",
    "xmlns:p=\"http://schemas.openxmlformats.org/presentationml/2006/main\""
);
const REL_BASE: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/";
const CT_BASE: &str = "application/vnd.openxmlformats-officedocument.presentationml.";

/// The empty group every shape tree starts with.
const SP_TREE_HEAD: &str = concat!(
    "<p:nvGrpSpPr><p:cNvPr id=\"1\" name=\"\"/><p:cNvGrpSpPr/><p:nvPr/></p:nvGrpSpPr>",
    "<p:grpSpPr><a:xfrm><a:off x=\"0\" y=\"0\"/><a:ext cx=\"0\" cy=\"0\"/>",
    "<a:chOff x=\"0\" y=\"0\"/><a:chExt cx=\"0\" cy=\"0\"/></a:xfrm></p:grpSpPr>"
);

/// A 16:9 `.pptx` with one slide per entry of `slides`; each slide holds
/// one text box with one paragraph per line.
pub fn pptx(slides: &[&str]) -> Vec<u8> {
    let count = slides.len();
    let mut package = Package::new();
    package
        .deflated("[Content_Types].xml", content_types_xml(count).as_bytes())
        .deflated("_rels/.rels", root_relationships("ppt/presentation.xml").as_bytes())
        .deflated("ppt/presentation.xml", presentation_xml(count).as_bytes())
        .deflated("ppt/_rels/presentation.xml.rels", presentation_rels(count).as_bytes())
        .deflated("ppt/presProps.xml", format!("{XML_DECL}<p:presentationPr {NS}/>").as_bytes())
        .deflated(
            "ppt/viewProps.xml",
            format!(
                "{XML_DECL}<p:viewPr {NS}><p:normalViewPr><p:restoredLeft sz=\"15620\"/>\
                 <p:restoredTop sz=\"94660\"/></p:normalViewPr></p:viewPr>"
            )
            .as_bytes(),
        )
        .deflated(
            "ppt/tableStyles.xml",
            format!(
                "{XML_DECL}<a:tblStyleLst xmlns:a=\"http://schemas.openxmlformats.org/drawingml/2006/main\" \
                 def=\"{{5C22544A-7EE6-4342-B048-85BDC9FD1C3A}}\"/>"
            )
            .as_bytes(),
        )
        .deflated("ppt/slideMasters/slideMaster1.xml", master_xml().as_bytes())
        .deflated(
            "ppt/slideMasters/_rels/slideMaster1.xml.rels",
            relationships(&[
                ("rId1".into(), &format!("{REL_BASE}slideLayout"), "../slideLayouts/slideLayout1.xml".into()),
                ("rId2".into(), REL_THEME, "../theme/theme1.xml".into()),
            ])
            .as_bytes(),
        )
        .deflated("ppt/slideLayouts/slideLayout1.xml", layout_xml().as_bytes())
        .deflated("ppt/slideLayouts/_rels/slideLayout1.xml.rels", slide_rels().as_bytes())
        .deflated("ppt/theme/theme1.xml", THEME_XML.as_bytes());
    for (index, text) in slides.iter().enumerate() {
        let number = index + 1;
        package
            .deflated(&format!("ppt/slides/slide{number}.xml"), slide_xml(text).as_bytes())
            .deflated(&format!("ppt/slides/_rels/slide{number}.xml.rels"), slide_rels().as_bytes());
    }
    package
        .deflated("docProps/core.xml", core_properties(&DocMeta::default()).as_bytes())
        .deflated("docProps/app.xml", app_properties().as_bytes());
    package.finish()
}

fn content_types_xml(slides: usize) -> String {
    let ct = |kind: &str| format!("{CT_BASE}{kind}+xml");
    let (presentation, master, layout, slide) =
        (ct("presentation.main"), ct("slideMaster"), ct("slideLayout"), ct("slide"));
    let (pres_props, view_props, table_styles) = (ct("presProps"), ct("viewProps"), ct("tableStyles"));
    let mut overrides = vec![
        ("/ppt/presentation.xml".to_string(), presentation.as_str()),
        ("/ppt/slideMasters/slideMaster1.xml".into(), master.as_str()),
        ("/ppt/slideLayouts/slideLayout1.xml".into(), layout.as_str()),
        ("/ppt/theme/theme1.xml".into(), CT_THEME),
        ("/ppt/presProps.xml".into(), pres_props.as_str()),
        ("/ppt/viewProps.xml".into(), view_props.as_str()),
        ("/ppt/tableStyles.xml".into(), table_styles.as_str()),
        ("/docProps/core.xml".into(), CT_CORE),
        ("/docProps/app.xml".into(), CT_APP),
    ];
    for number in 1..=slides {
        overrides.push((format!("/ppt/slides/slide{number}.xml"), slide.as_str()));
    }
    content_types(&overrides)
}

/// `presentation.xml`: master `rId1`, theme `rId2`, property parts
/// `rId3..rId5`, slides from `rId6` on.
fn presentation_xml(slides: usize) -> String {
    let mut xml = format!(
        "{XML_DECL}<p:presentation {NS} saveSubsetFonts=\"1\">\
         <p:sldMasterIdLst><p:sldMasterId id=\"2147483648\" r:id=\"rId1\"/></p:sldMasterIdLst>"
    );
    if slides > 0 {
        xml.push_str("<p:sldIdLst>");
        for index in 0..slides {
            xml.push_str(&format!("<p:sldId id=\"{}\" r:id=\"rId{}\"/>", 256 + index, 6 + index));
        }
        xml.push_str("</p:sldIdLst>");
    }
    xml.push_str("<p:sldSz cx=\"12192000\" cy=\"6858000\"/><p:notesSz cx=\"6858000\" cy=\"9144000\"/>");
    xml.push_str("</p:presentation>");
    xml
}

fn presentation_rels(slides: usize) -> String {
    let kind = |name: &str| format!("{REL_BASE}{name}");
    let (master, pres_props, view_props, table_styles, slide) =
        (kind("slideMaster"), kind("presProps"), kind("viewProps"), kind("tableStyles"), kind("slide"));
    let mut rels = vec![
        ("rId1".to_string(), master.as_str(), "slideMasters/slideMaster1.xml".to_string()),
        ("rId2".into(), REL_THEME, "theme/theme1.xml".into()),
        ("rId3".into(), pres_props.as_str(), "presProps.xml".into()),
        ("rId4".into(), view_props.as_str(), "viewProps.xml".into()),
        ("rId5".into(), table_styles.as_str(), "tableStyles.xml".into()),
    ];
    for index in 0..slides {
        rels.push((format!("rId{}", 6 + index), slide.as_str(), format!("slides/slide{}.xml", index + 1)));
    }
    relationships(&rels)
}

fn master_xml() -> String {
    format!(
        "{XML_DECL}<p:sldMaster {NS}><p:cSld><p:bg><p:bgRef idx=\"1001\"><a:schemeClr val=\"bg1\"/></p:bgRef></p:bg>\
         <p:spTree>{SP_TREE_HEAD}</p:spTree></p:cSld>\
         <p:clrMap bg1=\"lt1\" tx1=\"dk1\" bg2=\"lt2\" tx2=\"dk2\" accent1=\"accent1\" accent2=\"accent2\" \
         accent3=\"accent3\" accent4=\"accent4\" accent5=\"accent5\" accent6=\"accent6\" hlink=\"hlink\" \
         folHlink=\"folHlink\"/>\
         <p:sldLayoutIdLst><p:sldLayoutId id=\"2147483649\" r:id=\"rId1\"/></p:sldLayoutIdLst>\
         <p:txStyles><p:titleStyle><a:lvl1pPr><a:defRPr sz=\"4400\"/></a:lvl1pPr></p:titleStyle>\
         <p:bodyStyle><a:lvl1pPr><a:defRPr sz=\"2800\"/></a:lvl1pPr></p:bodyStyle>\
         <p:otherStyle><a:lvl1pPr><a:defRPr sz=\"1800\"/></a:lvl1pPr></p:otherStyle></p:txStyles>\
         </p:sldMaster>"
    )
}

fn layout_xml() -> String {
    format!(
        "{XML_DECL}<p:sldLayout {NS} type=\"blank\" preserve=\"1\"><p:cSld name=\"Blank\">\
         <p:spTree>{SP_TREE_HEAD}</p:spTree></p:cSld><p:clrMapOvr><a:masterClrMapping/></p:clrMapOvr></p:sldLayout>"
    )
}

/// Slides and the layout point at their parent the same way (`rId1`); the
/// layout's parent is the master.
fn slide_rels() -> String {
    relationships(&[("rId1".into(), &format!("{REL_BASE}slideLayout"), "../slideLayouts/slideLayout1.xml".into())])
}

fn slide_xml(text: &str) -> String {
    let mut paragraphs = String::new();
    for line in lines(text) {
        if line.is_empty() {
            paragraphs.push_str("<a:p><a:endParaRPr lang=\"en-US\" sz=\"2400\"/></a:p>");
        } else {
            paragraphs.push_str(&format!(
                "<a:p><a:r><a:rPr lang=\"en-US\" altLang=\"zh-CN\" sz=\"2400\"><a:latin typeface=\"DejaVu Sans\"/>\
                 <a:ea typeface=\"Noto Sans CJK SC\"/></a:rPr><a:t>{}</a:t></a:r></a:p>",
                escape(line)
            ));
        }
    }
    format!(
        "{XML_DECL}<p:sld {NS}><p:cSld><p:spTree>{SP_TREE_HEAD}\
         <p:sp><p:nvSpPr><p:cNvPr id=\"2\" name=\"TextBox 1\"/><p:cNvSpPr txBox=\"1\"/><p:nvPr/></p:nvSpPr>\
         <p:spPr><a:xfrm><a:off x=\"838200\" y=\"838200\"/><a:ext cx=\"10515600\" cy=\"5181600\"/></a:xfrm>\
         <a:prstGeom prst=\"rect\"><a:avLst/></a:prstGeom><a:noFill/></p:spPr>\
         <p:txBody><a:bodyPr wrap=\"square\" rtlCol=\"0\"/><a:lstStyle/>{paragraphs}</p:txBody></p:sp>\
         </p:spTree></p:cSld><p:clrMapOvr><a:masterClrMapping/></p:clrMapOvr></p:sld>"
    )
}
