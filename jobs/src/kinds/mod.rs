//! The job types, and the one place that maps a `JobKind` to its typed
//! struct (for worker registration and operator re-queues).

mod convert_document;
pub mod deliver_webhook;
mod document_text;
mod ingest_analytics;
mod make_searchable_pdf;
mod notify_common;
mod ocr_image;
pub(crate) mod searchable;
mod send_email;
mod send_sms;
pub mod sleep;
mod transcribe_audio;

use std::sync::Arc;

use apalis::prelude::Monitor;
use meeteasy_models::{JobKind, Pool};

pub use convert_document::ConvertDocument;
pub use deliver_webhook::DeliverWebhook;
pub use ingest_analytics::IngestAnalytics;
pub use make_searchable_pdf::MakeSearchablePdf;
pub use ocr_image::OcrImage;
pub use send_email::SendEmail;
pub use send_sms::SendSms;
pub use sleep::Sleep;
pub use transcribe_audio::TranscribeAudio;

use crate::queue::{QueueError, Queues};
use crate::runtime::Runtime;
use crate::store::JobRecord;
use crate::{Envelope, JobSpec};

/// Job kinds this build can run (every kind of the SPEC, plus `sleep`).
pub const IMPLEMENTED: [JobKind; 9] = [
    JobKind::ConvertDocument,
    JobKind::OcrImage,
    JobKind::MakeSearchablePdf,
    JobKind::IngestAnalytics,
    JobKind::SendEmail,
    JobKind::SendSms,
    JobKind::DeliverWebhook,
    JobKind::TranscribeAudio,
    JobKind::Sleep,
];

/// Registers a worker for every implemented kind of `pool`.
pub(crate) fn register_pool(mut monitor: Monitor, rt: &Arc<Runtime>, pool: Pool) -> Monitor {
    for kind in IMPLEMENTED.into_iter().filter(|k| k.pool() == pool) {
        monitor = match kind {
            JobKind::ConvertDocument => crate::runtime::register_kind::<ConvertDocument>(monitor, rt),
            JobKind::OcrImage => crate::runtime::register_kind::<OcrImage>(monitor, rt),
            JobKind::MakeSearchablePdf => crate::runtime::register_kind::<MakeSearchablePdf>(monitor, rt),
            JobKind::IngestAnalytics => crate::runtime::register_kind::<IngestAnalytics>(monitor, rt),
            JobKind::SendEmail => crate::runtime::register_kind::<SendEmail>(monitor, rt),
            JobKind::SendSms => crate::runtime::register_kind::<SendSms>(monitor, rt),
            JobKind::DeliverWebhook => crate::runtime::register_kind::<DeliverWebhook>(monitor, rt),
            JobKind::TranscribeAudio => crate::runtime::register_kind::<TranscribeAudio>(monitor, rt),
            JobKind::Sleep => crate::runtime::register_kind::<Sleep>(monitor, rt),
        };
    }
    monitor
}

#[derive(Debug, thiserror::Error)]
pub enum RequeueError {
    #[error("stored payload does not decode: {0}")]
    Payload(#[from] serde_json::Error),
    #[error(transparent)]
    Queue(#[from] QueueError),
}

async fn push_typed<J: JobSpec>(queues: &Queues, rec: &JobRecord) -> Result<(), RequeueError> {
    let payload: J = serde_json::from_value(rec.payload.clone())?;
    queues.push(Envelope::for_record(rec, payload), None).await?;
    Ok(())
}

/// Pushes a stored job back onto its queue (operator retry, recovery).
pub async fn requeue(queues: &Queues, rec: &JobRecord) -> Result<(), RequeueError> {
    match rec.kind {
        JobKind::ConvertDocument => push_typed::<ConvertDocument>(queues, rec).await,
        JobKind::OcrImage => push_typed::<OcrImage>(queues, rec).await,
        JobKind::MakeSearchablePdf => push_typed::<MakeSearchablePdf>(queues, rec).await,
        JobKind::IngestAnalytics => push_typed::<IngestAnalytics>(queues, rec).await,
        JobKind::SendEmail => push_typed::<SendEmail>(queues, rec).await,
        JobKind::SendSms => push_typed::<SendSms>(queues, rec).await,
        JobKind::DeliverWebhook => push_typed::<DeliverWebhook>(queues, rec).await,
        JobKind::TranscribeAudio => push_typed::<TranscribeAudio>(queues, rec).await,
        JobKind::Sleep => push_typed::<Sleep>(queues, rec).await,
    }
}
