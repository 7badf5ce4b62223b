//! Raw Redis keys of an apalis-redis 1.0 queue `q`:
//! `{q}:active` (LIST, ready ids), `{q}:scheduled` (ZSET, delayed ids),
//! `{q}:workers` (ZSET of worker names), `{q}:inflight:{worker}` (SET),
//! `{q}:done` / `{q}:dead` (SETs), `{q}:data` (HASH id → payload),
//! `{q}:meta:{id}` (HASH).

use redis::AsyncCommands;
use redis::aio::ConnectionManager;

use super::QueueError;

pub(super) async fn counts(mut c: ConnectionManager, q: &str) -> Result<(u64, u64, u64), QueueError> {
    let depth: u64 = c.llen(format!("{q}:active")).await?;
    let scheduled: u64 = c.zcard(format!("{q}:scheduled")).await?;
    let workers: Vec<String> = c.zrange(format!("{q}:workers"), 0, -1).await?;
    let mut running = 0;
    for w in workers {
        running += c.scard::<_, u64>(format!("{q}:inflight:{w}")).await?;
    }
    Ok((depth, scheduled, running))
}

/// Removes up to 1000 finished task ids with their payload and metadata.
pub(super) async fn trim_done(mut c: ConnectionManager, q: &str) -> Result<u64, QueueError> {
    let ids: Vec<String> = redis::cmd("SPOP").arg(format!("{q}:done")).arg(1000).query_async(&mut c).await?;
    if ids.is_empty() {
        return Ok(0);
    }
    let mut pipe = redis::pipe();
    pipe.hdel(format!("{q}:data"), &ids).ignore();
    for id in &ids {
        pipe.del(format!("{q}:meta:{id}")).ignore();
    }
    let _: () = pipe.query_async(&mut c).await?;
    Ok(ids.len() as u64)
}
