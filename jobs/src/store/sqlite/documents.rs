//! Document records in SQLite (JSON bodies keyed by tenant and id).

use async_trait::async_trait;
use meeteasy_models::{DocumentRecord, JobId, TenantId};
use sqlx::Row;

use super::{SqliteStore, micros};
use crate::store::{DocumentStore, StoreError};

fn body(rec: &DocumentRecord) -> Result<String, StoreError> {
    serde_json::to_string(rec).map_err(StoreError::corrupt)
}

#[async_trait]
impl DocumentStore for SqliteStore {
    async fn insert_document(&self, rec: &DocumentRecord) -> Result<bool, StoreError> {
        let r = sqlx::query("INSERT OR IGNORE INTO documents (tenant_id, id, body, updated_at) VALUES (?, ?, ?, ?)")
            .bind(rec.tenant_id.as_str())
            .bind(rec.id.to_string())
            .bind(body(rec)?)
            .bind(micros(rec.updated_at))
            .execute(&self.pool)
            .await?;
        Ok(r.rows_affected() == 1)
    }

    async fn save_document(&self, rec: &DocumentRecord) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO documents (tenant_id, id, body, updated_at) VALUES (?, ?, ?, ?) \
             ON CONFLICT (tenant_id, id) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at",
        )
        .bind(rec.tenant_id.as_str())
        .bind(rec.id.to_string())
        .bind(body(rec)?)
        .bind(micros(rec.updated_at))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn get_document(&self, tenant: &TenantId, id: JobId) -> Result<Option<DocumentRecord>, StoreError> {
        let row = sqlx::query("SELECT body FROM documents WHERE tenant_id = ? AND id = ?")
            .bind(tenant.as_str())
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?;
        let Some(row) = row else { return Ok(None) };
        let text: String = row.try_get("body")?;
        serde_json::from_str(&text).map(Some).map_err(StoreError::corrupt)
    }
}
