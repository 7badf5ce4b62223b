//! Zip-bomb / encryption checks for every container-based Office type
//! (OOXML + ODF zips, legacy OLE2), with small limits so the budget is hit.
#![no_main]

use libfuzzer_sys::fuzz_target;
use meeteasy_pipelines::documents::{ContainerLimits, DocType, check_container};

const CONTAINER_TYPES: [DocType; 9] = [
    DocType::Docx,
    DocType::Xlsx,
    DocType::Pptx,
    DocType::Odt,
    DocType::Ods,
    DocType::Odp,
    DocType::Doc,
    DocType::Xls,
    DocType::Ppt,
];

fuzz_target!(|data: &[u8]| {
    let limits = ContainerLimits { max_uncompressed_bytes: 1 << 20, max_entries: 64 };
    for ty in CONTAINER_TYPES {
        debug_assert!(ty.is_zip() || ty.is_ole());
        let _ = check_container(data, ty, &limits);
    }
});
