//! What follows a job's final transition besides the job event: webhook
//! deliveries for the tenant's endpoints, and a `notification` event when a
//! notification job finishes.

use meeteasy_models::{JobKind, JobStatus};

use super::Runtime;
use crate::IdemKey;
use crate::control::JobControl;
use crate::documents::state;
use crate::events::JobEvent;
use crate::kinds::{DeliverWebhook, MakeSearchablePdf};
use crate::store::JobRecord;

/// The creator recorded on webhook deliveries: the platform, not a user, so
/// an attendee never sees the tenant's endpoints through its own jobs.
pub const WEBHOOK_CREATOR: &str = "system:webhooks";

pub(super) async fn after_transition(rt: &Runtime, rec: &JobRecord) {
    if rec.parent.is_some() && rec.status.is_terminal() {
        super::fanin::child_ended(rt, rec).await;
    }
    if rec.kind == JobKind::MakeSearchablePdf && rec.status == JobStatus::Dead {
        ocr_ended(rt, rec).await;
    }
    if matches!(rec.kind, JobKind::SendEmail | JobKind::SendSms) && rec.status == JobStatus::Succeeded {
        let mut ev = JobEvent::for_view(rec.tenant_id.clone(), rec.view());
        ev.event = "notification".into();
        rt.events.publish(ev).await;
    }
    let event = match rec.status {
        JobStatus::Succeeded => "job.completed",
        JobStatus::Dead => "job.failed",
        _ => return,
    };
    // Deliveries do not announce themselves: no webhook storms.
    if rec.kind == JobKind::DeliverWebhook {
        return;
    }
    let hooks = match rt.store.webhooks_for_delivery(&rec.tenant_id).await {
        Ok(h) => h,
        Err(e) => {
            tracing::warn!(error = %e, "could not list webhooks; this transition is not delivered");
            return;
        }
    };
    let control = JobControl { store: rt.store.clone(), queues: rt.queues.clone(), events: rt.events.clone() };
    for hook in hooks.iter().filter(|h| h.wants(event)) {
        let body = serde_json::json!({
            "event": event,
            "tenant_id": rec.tenant_id,
            "created_at": rec.updated_at,
            "data": rec.view(),
        });
        // One delivery per endpoint and transition, even if this runs twice.
        let key = format!("webhook:{}:{}:{}:{}", hook.id, rec.id, rec.status, rec.updated_at.timestamp_millis());
        let job = DeliverWebhook { webhook_id: hook.id.clone(), event: event.into(), body };
        if let Err(e) = control.enqueue(&rec.tenant_id, WEBHOOK_CREATOR, job, Some(IdemKey::internal(key))).await {
            tracing::warn!(error = %e, webhook_id = %hook.id, "could not queue a webhook delivery");
        }
    }
}

/// A dead OCR job leaves its document's OCR `failed`, not `pending` (see
/// `documents::state`).
async fn ocr_ended(rt: &Runtime, rec: &JobRecord) {
    let Ok(job) = serde_json::from_value::<MakeSearchablePdf>(rec.payload.clone()) else { return };
    match rt.store.get_document(&rec.tenant_id, job.document_id).await {
        Ok(Some(mut doc)) => {
            if state::fold_ocr(&mut doc, rec) {
                doc.updated_at = crate::store::now();
                if let Err(e) = rt.store.save_document(&doc).await {
                    tracing::warn!(error = %e, "could not record the document's failed OCR");
                }
            }
        }
        Ok(None) => {}
        Err(e) => tracing::warn!(error = %e, "could not read the document of a dead OCR job"),
    }
}
