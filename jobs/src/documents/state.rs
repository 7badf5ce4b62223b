//! A document's state as it follows from its jobs, in one place.
//!
//! The document record is written by the jobs themselves, but a job can end
//! without writing it: cancelled by a user, dead of a queue-wait timeout,
//! or killed with its worker. So the record's state is folded with its jobs'
//! terminal states wherever it is read, and the worker applies the same
//! fold when an OCR job dies, so a document is never left `processing` or
//! OCR `pending` behind a job that will never run again.

use meeteasy_models::{DocumentRecord, DocumentStatus, JobStatus, OcrStatus};

use crate::store::JobRecord;

fn ended_without_result(job: &JobRecord) -> bool {
    matches!(job.status, JobStatus::Dead | JobStatus::Cancelled)
}

/// Folds the conversion job (`convert_document`, whose id is the
/// document's): a dead or cancelled conversion means a failed document.
pub fn fold_conversion(doc: &mut DocumentRecord, job: &JobRecord) {
    if doc.status == DocumentStatus::Processing && ended_without_result(job) {
        doc.status = DocumentStatus::Failed;
        doc.error = job.error.clone();
    }
}

/// Folds the OCR job (`make_searchable_pdf`): one that ended without a
/// result leaves OCR `failed` with the job's error (the document stays
/// `ready`, and its PDF the one without a text layer).
/// Returns whether the document changed.
pub fn fold_ocr(doc: &mut DocumentRecord, job: &JobRecord) -> bool {
    if doc.ocr_status == OcrStatus::Pending && doc.ocr_job == Some(job.id) && ended_without_result(job) {
        doc.ocr_status = OcrStatus::Failed;
        doc.error = job.error.clone();
        return true;
    }
    false
}

#[cfg(test)]
mod tests {
    use meeteasy_models::{JobError, JobKind, OcrMode, TenantId};

    use super::*;

    fn doc(job: &JobRecord) -> DocumentRecord {
        let tenant = job.tenant_id.clone();
        let payload = crate::kinds::ConvertDocument {
            blob_id: crate::store::BlobId("b".into()),
            extra_blobs: Vec::new(),
            filename: "a.pdf".into(),
            source_type: None,
            ocr: OcrMode::Auto,
            size: 1,
        };
        payload.new_record(&tenant, job.id)
    }

    fn job(kind: JobKind, status: JobStatus) -> JobRecord {
        let tenant = TenantId::parse("acme").unwrap_or_else(|e| panic!("{e}"));
        let mut j = JobRecord::new(tenant, "olga", kind, serde_json::json!({}), None);
        j.status = status;
        j.error = Some(JobError { code: "job.crashed".into(), message: "m".into() });
        j
    }

    #[test]
    fn a_dead_or_cancelled_conversion_fails_the_document() {
        for status in JobStatus::ALL {
            let j = job(JobKind::ConvertDocument, status);
            let mut d = doc(&j);
            fold_conversion(&mut d, &j);
            let failed = matches!(status, JobStatus::Dead | JobStatus::Cancelled);
            assert_eq!(d.status == DocumentStatus::Failed, failed, "{status}");
            assert_eq!(d.error.is_some(), failed, "{status}");
        }
    }

    #[test]
    fn ocr_that_ends_without_a_result_is_failed_never_pending() {
        for status in JobStatus::ALL {
            let j = job(JobKind::MakeSearchablePdf, status);
            let mut d = doc(&j);
            d.ocr_status = OcrStatus::Pending;
            d.ocr_job = Some(j.id);
            let changed = fold_ocr(&mut d, &j);
            let failed = matches!(status, JobStatus::Dead | JobStatus::Cancelled);
            assert_eq!((changed, d.ocr_status == OcrStatus::Failed), (failed, failed), "{status}");
            assert_eq!(d.error.is_some(), failed, "{status}: a failed OCR carries the job's error");
        }
        // Another job's end says nothing about this document's OCR.
        let j = job(JobKind::MakeSearchablePdf, JobStatus::Dead);
        let mut d = doc(&j);
        d.ocr_status = OcrStatus::Pending;
        assert!(!fold_ocr(&mut d, &j));
    }
}
