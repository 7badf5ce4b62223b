//! The engine against an in-memory `RollupStore`: the store contract is tiny,
//! so the arithmetic can be checked without a database. The real stores run
//! the same scenarios in the integration tests.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::sync::Mutex;

use super::*;

/// (granularity, conference, bucket start) → counts.
type RollupMap = BTreeMap<(Granularity, String, DateTime<Utc>), Counts>;
/// (conference, minute start) → the parts by job.
type PartMap = BTreeMap<(String, DateTime<Utc>), BTreeMap<JobId, Counts>>;

#[derive(Default)]
struct MemStore {
    /// Raw events with the job that stored them.
    raw: Mutex<Vec<(JobId, Event)>>,
    parts: Mutex<PartMap>,
    rollups: Mutex<RollupMap>,
}

#[async_trait]
impl RollupStore for MemStore {
    type Error = Infallible;

    async fn job_events(&self, _: &TenantId, job: JobId) -> Result<Vec<StoredEvent>, Infallible> {
        let raw = self.raw.lock().map(|r| r.clone()).unwrap_or_default();
        Ok(raw
            .into_iter()
            .filter(|(j, _)| *j == job)
            .map(|(_, e)| StoredEvent { conference_id: e.conference_id, ts: e.ts, event_type: e.event_type })
            .collect())
    }

    async fn raise_minute_part(
        &self,
        _: &TenantId,
        conf: &str,
        start: DateTime<Utc>,
        job: JobId,
        counts: &Counts,
    ) -> Result<Counts, Infallible> {
        let mut total = Counts::new();
        if let Ok(mut m) = self.parts.lock() {
            let bucket = m.entry((conf.to_string(), start)).or_default();
            let part = bucket.entry(job).or_default();
            for (k, v) in counts {
                let cur = part.entry(k.clone()).or_default();
                *cur = (*cur).max(*v);
            }
            for c in bucket.values() {
                for (k, v) in c {
                    *total.entry(k.clone()).or_default() += v;
                }
            }
        }
        Ok(total)
    }

    async fn sum_rollups(
        &self,
        _: &TenantId,
        conf: &str,
        g: Granularity,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Counts, Infallible> {
        let mut c = Counts::new();
        for ((rg, rc, start), counts) in self.rollups.lock().iter().flat_map(|m| m.iter()) {
            if *rg == g && rc == conf && *start >= from && *start < to {
                for (k, v) in counts {
                    *c.entry(k.clone()).or_default() += v;
                }
            }
        }
        Ok(c)
    }

    async fn raise_rollup(
        &self,
        _: &TenantId,
        conf: &str,
        g: Granularity,
        start: DateTime<Utc>,
        counts: &Counts,
    ) -> Result<(), Infallible> {
        if let Ok(mut m) = self.rollups.lock() {
            let slot = m.entry((g, conf.to_string(), start)).or_default();
            for (k, v) in counts {
                let cur = slot.entry(k.clone()).or_default();
                *cur = (*cur).max(*v);
            }
        }
        Ok(())
    }
}

fn ev(id: &str, ts: &str, ty: &str) -> Event {
    Event {
        event_id: id.into(),
        conference_id: "c1".into(),
        event_type: ty.into(),
        ts: DateTime::parse_from_rfc3339(ts).map(|t| t.with_timezone(&Utc)).unwrap_or_default(),
        attrs: serde_json::Value::Null,
    }
}

fn tenant() -> TenantId {
    TenantId::parse("t1").unwrap_or_else(|_| unreachable!())
}

/// Stores the batch's new events as `job`'s (what `insert_events` does).
fn store_raw(store: &MemStore, job: JobId, batch: &[Event]) {
    if let Ok(mut raw) = store.raw.lock() {
        for e in batch {
            if !raw.iter().any(|(_, r)| r.event_id == e.event_id) {
                raw.push((job, e.clone()));
            }
        }
    }
}

async fn ingest(store: &MemStore, batch: Vec<Event>) {
    let job = JobId::new();
    let batch = dedup_batch(batch);
    store_raw(store, job, &batch);
    let _ = refresh_rollups(store, &tenant(), job, &batch).await;
}

fn day_counts(store: &MemStore, g: Granularity) -> Vec<(String, Counts)> {
    store
        .rollups
        .lock()
        .map(|m| {
            m.iter().filter(|((rg, _, _), _)| *rg == g).map(|((_, _, s), c)| (s.to_rfc3339(), c.clone())).collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn repeated_and_overlapping_batches_count_each_event_once() {
    let store = MemStore::default();
    ingest(&store, vec![ev("a", "2026-11-27T10:15:00Z", "page_view"), ev("b", "2026-11-27T10:15:30Z", "page_view")])
        .await;
    ingest(&store, vec![ev("a", "2026-11-27T10:15:00Z", "page_view"), ev("b", "2026-11-27T10:15:30Z", "page_view")])
        .await;
    ingest(&store, vec![ev("c", "2026-11-27T11:01:00Z", "check_in"), ev("c", "2026-11-27T11:01:00Z", "check_in")])
        .await;

    let days = day_counts(&store, Granularity::Day);
    assert_eq!(days.len(), 1);
    assert_eq!(days[0].1.get("page_view"), Some(&2));
    assert_eq!(days[0].1.get("check_in"), Some(&1));
    assert_eq!(day_counts(&store, Granularity::Hour).len(), 2);
    assert_eq!(day_counts(&store, Granularity::Minute).len(), 2);
}

#[tokio::test]
async fn a_stale_recount_never_lowers_a_bucket() {
    let store = MemStore::default();
    ingest(&store, vec![ev("a", "2026-11-27T10:15:00Z", "x"), ev("b", "2026-11-27T10:15:01Z", "x")]).await;
    let start = Granularity::Minute.bucket_start(ev("a", "2026-11-27T10:15:00Z", "x").ts);
    let stale: Counts = [("x".to_string(), 1)].into_iter().collect();
    let _ = store.raise_rollup(&tenant(), "c1", Granularity::Minute, start, &stale).await;
    assert_eq!(day_counts(&store, Granularity::Minute)[0].1.get("x"), Some(&2));
}

#[tokio::test]
async fn a_job_that_died_after_storing_its_events_counts_them_when_it_runs_again() {
    let store = MemStore::default();
    let job = JobId::new();
    let batch = vec![ev("a", "2026-11-27T10:15:00Z", "x"), ev("b", "2026-11-27T10:15:01Z", "x")];
    store_raw(&store, job, &batch); // the first attempt died here
    // Another batch repeats `b` and adds `c`: it counts only `c`.
    ingest(&store, vec![ev("b", "2026-11-27T10:15:01Z", "x"), ev("c", "2026-11-27T10:15:02Z", "x")]).await;
    assert_eq!(day_counts(&store, Granularity::Minute)[0].1.get("x"), Some(&1));
    // The re-run stores nothing new, yet counts what its first attempt stored.
    store_raw(&store, job, &batch);
    let _ = refresh_rollups(&store, &tenant(), job, &batch).await;
    let _ = refresh_rollups(&store, &tenant(), job, &batch).await; // and again: no double count
    for g in Granularity::ALL {
        assert_eq!(day_counts(&store, g)[0].1.get("x"), Some(&3), "{g:?}");
    }
}
