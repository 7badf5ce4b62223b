//! `ingest_analytics`: store a batch of raw events (deduplicated by
//! `(tenant_id, event_id)`) and bring the minute/hour/day rollups up to date.

use meeteasy_models::JobKind;
use meeteasy_models::analytics::Event;
use meeteasy_pipelines::analytics::{dedup_batch, refresh_rollups};
use serde::{Deserialize, Serialize};

use crate::runtime::JobContext;
use crate::{JobFailure, JobSpec};

/// A validated batch of at most 1000 events (the API validates them).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IngestAnalytics {
    pub events: Vec<Event>,
}

impl JobSpec for IngestAnalytics {
    const KIND: JobKind = JobKind::IngestAnalytics;

    async fn run(self, ctx: JobContext) -> Result<serde_json::Value, JobFailure> {
        let received = self.events.len();
        let events = dedup_batch(self.events);
        let inserted = ctx.store.insert_events(&ctx.tenant_id, ctx.job_id, &events).await?;
        ctx.progress(50).await;
        // Count what this job stored, new in this attempt or not: a previous
        // attempt may have stored the events and died before this.
        refresh_rollups(ctx.store.as_ref(), &ctx.tenant_id, ctx.job_id, &events).await?;
        Ok(serde_json::json!({
            "received": received,
            "accepted": inserted,
            "duplicates": received as u64 - inserted,
        }))
    }
}
