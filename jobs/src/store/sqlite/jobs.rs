//! Job records in SQLite.

use async_trait::async_trait;
use meeteasy_models::page::PageRequest;
use meeteasy_models::{JobError, JobId, JobKind, JobStatus, TenantId};
use sqlx::sqlite::SqliteRow;
use sqlx::{QueryBuilder, Row, Sqlite};

use super::{SqliteStore, from_micros, micros};
use crate::store::{
    AttemptChange, Created, ErrorPatch, JobFilter, JobPage, JobRecord, JobStore, StoreError, Transition, now,
};

/// The job columns, as a macro so queries stay `&'static str` (sqlx 0.9
/// refuses runtime-built SQL unless it is explicitly asserted safe).
macro_rules! columns {
    () => {
        "id, tenant_id, kind, status, progress, attempts, error_code, error_message, result, payload, idempotency_key, created_at, updated_at, created_by, request_hash, dispatch, parent, children, waiting"
    };
}

fn row_to_record(row: &SqliteRow) -> Result<JobRecord, StoreError> {
    let id: String = row.try_get("id")?;
    let tenant: String = row.try_get("tenant_id")?;
    let kind: String = row.try_get("kind")?;
    let status: String = row.try_get("status")?;
    let error_code: Option<String> = row.try_get("error_code")?;
    let error_message: Option<String> = row.try_get("error_message")?;
    let result: Option<String> = row.try_get("result")?;
    let payload: String = row.try_get("payload")?;
    Ok(JobRecord {
        id: JobId::parse(&id).map_err(StoreError::corrupt)?,
        tenant_id: TenantId::parse(tenant).map_err(StoreError::corrupt)?,
        kind: kind.parse::<JobKind>().map_err(StoreError::corrupt)?,
        status: status.parse::<JobStatus>().map_err(StoreError::corrupt)?,
        progress: u8::try_from(row.try_get::<i64, _>("progress")?).unwrap_or(0),
        attempts: u32::try_from(row.try_get::<i64, _>("attempts")?).unwrap_or(0),
        error: error_code.map(|code| JobError { code, message: error_message.unwrap_or_default() }),
        result: result.map(|r| serde_json::from_str(&r)).transpose().map_err(StoreError::corrupt)?,
        payload: serde_json::from_str(&payload).map_err(StoreError::corrupt)?,
        idempotency_key: row.try_get("idempotency_key")?,
        request_hash: row.try_get("request_hash")?,
        created_by: row.try_get("created_by")?,
        dispatch: u32::try_from(row.try_get::<i64, _>("dispatch")?).unwrap_or(0),
        parent: row
            .try_get::<Option<String>, _>("parent")?
            .map(|p| JobId::parse(&p))
            .transpose()
            .map_err(StoreError::corrupt)?,
        children: u32::try_from(row.try_get::<i64, _>("children")?).unwrap_or(0),
        waiting: row.try_get::<i64, _>("waiting")? != 0,
        created_at: from_micros(row.try_get("created_at")?)?,
        rev: 0,
        updated_at: from_micros(row.try_get("updated_at")?)?,
    })
}

impl SqliteStore {
    async fn find_by_key(&self, tenant: &TenantId, key: &str) -> Result<Option<JobRecord>, StoreError> {
        let sql = concat!("SELECT ", columns!(), " FROM jobs WHERE tenant_id = ? AND idempotency_key = ?");
        let row = sqlx::query(sql).bind(tenant.as_str()).bind(key).fetch_optional(&self.pool).await?;
        row.as_ref().map(row_to_record).transpose()
    }
}

#[async_trait]
impl JobStore for SqliteStore {
    async fn create_job(&self, r: JobRecord) -> Result<Created, StoreError> {
        let sql = concat!(
            "INSERT INTO jobs (",
            columns!(),
            ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING"
        );
        let inserted = sqlx::query(sql)
            .bind(r.id.to_string())
            .bind(r.tenant_id.as_str())
            .bind(r.kind.as_str())
            .bind(r.status.as_str())
            .bind(i64::from(r.progress))
            .bind(i64::from(r.attempts))
            .bind(r.error.as_ref().map(|e| e.code.clone()))
            .bind(r.error.as_ref().map(|e| e.message.clone()))
            .bind(r.result.as_ref().map(|v| v.to_string()))
            .bind(r.payload.to_string())
            .bind(r.idempotency_key.clone())
            .bind(micros(r.created_at))
            .bind(micros(r.updated_at))
            .bind(r.created_by.as_str())
            .bind(r.request_hash.as_deref())
            .bind(i64::from(r.dispatch))
            .bind(r.parent.map(|p| p.to_string()))
            .bind(i64::from(r.children))
            .bind(i64::from(r.waiting))
            .execute(&self.pool)
            .await?
            .rows_affected();
        if inserted == 1 {
            return Ok(Created::New(r));
        }
        match &r.idempotency_key {
            Some(key) => match self.find_by_key(&r.tenant_id, key).await? {
                Some(existing) => Ok(Created::Existing(existing)),
                None => Err(StoreError::corrupt("insert conflicted but no job holds the key")),
            },
            None => Err(StoreError::corrupt("job id collision")),
        }
    }

    async fn get_job(&self, tenant: &TenantId, id: JobId) -> Result<Option<JobRecord>, StoreError> {
        let sql = concat!("SELECT ", columns!(), " FROM jobs WHERE id = ? AND tenant_id = ?");
        let row = sqlx::query(sql).bind(id.to_string()).bind(tenant.as_str()).fetch_optional(&self.pool).await?;
        row.as_ref().map(row_to_record).transpose()
    }

    async fn get_job_any_tenant(&self, id: JobId) -> Result<Option<JobRecord>, StoreError> {
        let sql = concat!("SELECT ", columns!(), " FROM jobs WHERE id = ?");
        let row = sqlx::query(sql).bind(id.to_string()).fetch_optional(&self.pool).await?;
        row.as_ref().map(row_to_record).transpose()
    }

    async fn list_jobs(&self, tenant: &TenantId, filter: &JobFilter, page: PageRequest) -> Result<JobPage, StoreError> {
        fn filtered(select: &'static str, tenant: &TenantId, filter: &JobFilter) -> QueryBuilder<Sqlite> {
            let mut q = QueryBuilder::new(select);
            q.push(" FROM jobs WHERE tenant_id = ").push_bind(tenant.to_string());
            if let Some(s) = filter.status {
                q.push(" AND status = ").push_bind(s.as_str());
            }
            if let Some(k) = filter.kind {
                q.push(" AND kind = ").push_bind(k.as_str());
            }
            if let Some(c) = &filter.created_by {
                q.push(" AND created_by = ").push_bind(c.clone());
            }
            q
        }
        let total: i64 = filtered("SELECT COUNT(*)", tenant, filter).build().fetch_one(&self.pool).await?.try_get(0)?;
        let mut q = filtered(concat!("SELECT ", columns!()), tenant, filter);
        q.push(" ORDER BY created_at DESC, id DESC LIMIT ")
            .push_bind(i64::from(page.page_size))
            .push(" OFFSET ")
            .push_bind(i64::try_from(page.offset()).unwrap_or(i64::MAX));
        let rows = q.build().fetch_all(&self.pool).await?;
        let items = rows.iter().map(row_to_record).collect::<Result<Vec<_>, _>>()?;
        Ok(JobPage { items, total: u64::try_from(total).unwrap_or(0), page })
    }

    async fn transition(&self, t: Transition) -> Result<Option<JobRecord>, StoreError> {
        let mut q = QueryBuilder::<Sqlite>::new("UPDATE jobs SET status = ");
        q.push_bind(t.to.as_str()).push(", updated_at = ").push_bind(micros(now()));
        match t.attempts {
            AttemptChange::Keep => {}
            AttemptChange::Bump => {
                q.push(", attempts = attempts + 1");
            }
            AttemptChange::Refund => {
                q.push(", attempts = MAX(attempts - 1, 0)");
            }
            AttemptChange::Reset => {
                q.push(", attempts = 0");
            }
        }
        if let Some(p) = t.progress {
            q.push(", progress = ").push_bind(i64::from(p));
        }
        match &t.error {
            ErrorPatch::Keep => {}
            ErrorPatch::Clear => {
                q.push(", error_code = NULL, error_message = NULL");
            }
            ErrorPatch::Set(e) => {
                q.push(", error_code = ").push_bind(e.code.clone());
                q.push(", error_message = ").push_bind(e.message.clone());
            }
        }
        if let Some(r) = &t.result {
            q.push(", result = ").push_bind(r.to_string());
        }
        if t.redispatch {
            q.push(", dispatch = dispatch + 1");
        }
        if let Some(w) = t.set_waiting {
            q.push(", waiting = ").push_bind(i64::from(w));
        }
        if let Some(n) = t.set_children {
            q.push(", children = ").push_bind(i64::from(n));
        }
        q.push(" WHERE id = ").push_bind(t.id.to_string());
        q.push(" AND tenant_id = ").push_bind(t.tenant_id.as_str());
        if let Some(d) = t.dispatch_is {
            q.push(" AND dispatch = ").push_bind(i64::from(d));
        }
        if let Some(w) = t.waiting_is {
            q.push(" AND waiting = ").push_bind(i64::from(w));
        }
        q.push(" AND status IN (");
        let mut sep = q.separated(", ");
        for s in &t.from {
            sep.push_bind(s.as_str());
        }
        q.push(concat!(") RETURNING ", columns!()));
        let row = q.build().fetch_optional(&self.pool).await?;
        row.as_ref().map(row_to_record).transpose()
    }

    async fn stale_jobs(
        &self,
        kind: JobKind,
        status: JobStatus,
        before: chrono::DateTime<chrono::Utc>,
        limit: u32,
    ) -> Result<Vec<JobRecord>, StoreError> {
        let sql = concat!(
            "SELECT ",
            columns!(),
            " FROM jobs WHERE status = ? AND updated_at < ? AND kind = ? ORDER BY updated_at LIMIT ?"
        );
        let rows = sqlx::query(sql)
            .bind(status.as_str())
            .bind(micros(before))
            .bind(kind.as_str())
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(row_to_record).collect()
    }

    async fn list_children(&self, tenant: &TenantId, parent: JobId) -> Result<Vec<JobRecord>, StoreError> {
        let sql =
            concat!("SELECT ", columns!(), " FROM jobs WHERE tenant_id = ? AND parent = ? ORDER BY created_at, id");
        let rows = sqlx::query(sql).bind(tenant.as_str()).bind(parent.to_string()).fetch_all(&self.pool).await?;
        rows.iter().map(row_to_record).collect()
    }

    async fn count_open_children(&self, tenant: &TenantId, parent: JobId) -> Result<u64, StoreError> {
        let n: i64 = sqlx::query(
            "SELECT COUNT(*) FROM jobs WHERE tenant_id = ? AND parent = ? \
             AND status IN ('queued', 'running', 'failed')",
        )
        .bind(tenant.as_str())
        .bind(parent.to_string())
        .fetch_one(&self.pool)
        .await?
        .try_get(0)?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    async fn count_by_status(&self, tenant: Option<&TenantId>) -> Result<Vec<(JobKind, JobStatus, u64)>, StoreError> {
        let rows = match tenant {
            None => sqlx::query("SELECT kind, status, COUNT(*) AS n FROM jobs GROUP BY kind, status"),
            Some(t) => {
                sqlx::query("SELECT kind, status, COUNT(*) AS n FROM jobs WHERE tenant_id = ? GROUP BY kind, status")
                    .bind(t.as_str())
            }
        }
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let kind: String = row.try_get("kind")?;
            let status: String = row.try_get("status")?;
            let n: i64 = row.try_get("n")?;
            if let (Ok(k), Ok(s)) = (kind.parse(), status.parse()) {
                out.push((k, s, u64::try_from(n).unwrap_or(0)));
            }
        }
        Ok(out)
    }

    async fn count_succeeded_since(
        &self,
        since: chrono::DateTime<chrono::Utc>,
        tenant: Option<&TenantId>,
    ) -> Result<Vec<(JobKind, u64)>, StoreError> {
        let rows = sqlx::query(
            "SELECT kind, COUNT(*) FROM jobs WHERE status = 'succeeded' AND updated_at >= ? \
             AND (? IS NULL OR tenant_id = ?) GROUP BY kind",
        )
        .bind(micros(since))
        .bind(tenant.map(TenantId::as_str))
        .bind(tenant.map(TenantId::as_str))
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let kind: String = row.try_get(0)?;
            let n: i64 = row.try_get(1)?;
            if let Ok(k) = kind.parse() {
                out.push((k, u64::try_from(n).unwrap_or(0)));
            }
        }
        Ok(out)
    }
}
