//! The engine against an in-memory `RollupStore`: the store contract is tiny,
//! so the arithmetic can be checked without a database. The real stores run
//! the same scenarios in the integration tests.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::sync::Mutex;

use super::*;

/// (granularity, conference, bucket start) → counts.
type RollupMap = BTreeMap<(Granularity, String, DateTime<Utc>), Counts>;

#[derive(Default)]
struct MemStore {
    raw: Mutex<Vec<Event>>,
    rollups: Mutex<RollupMap>,
}

#[async_trait]
impl RollupStore for MemStore {
    type Error = Infallible;

    async fn count_raw(
        &self,
        _: &TenantId,
        conf: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Counts, Infallible> {
        let mut c = Counts::new();
        for e in self.raw.lock().iter().flat_map(|v| v.iter()) {
            if e.conference_id == conf && e.ts >= from && e.ts < to {
                *c.entry(e.event_type.clone()).or_default() += 1;
            }
        }
        Ok(c)
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

async fn ingest(store: &MemStore, batch: Vec<Event>) {
    let batch = dedup_batch(batch);
    if let Ok(mut raw) = store.raw.lock() {
        for e in &batch {
            if !raw.iter().any(|r| r.event_id == e.event_id) {
                raw.push(e.clone());
            }
        }
    }
    let _ = refresh_rollups(store, &tenant(), &batch).await;
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
