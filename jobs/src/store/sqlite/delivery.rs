//! Send-status records and webhooks in SQLite.

use async_trait::async_trait;
use meeteasy_models::{JobId, TenantId};
use sqlx::Row;
use sqlx::sqlite::SqliteRow;

use super::{SqliteStore, from_micros, micros};
use crate::store::{
    DeliveryKey, DeliveryRecord, DeliveryStatus, DeliveryStore, StoreError, Webhook, WebhookStore, now,
};

fn delivery(row: &SqliteRow) -> Result<DeliveryRecord, StoreError> {
    let status: String = row.try_get("status")?;
    Ok(DeliveryRecord {
        channel: row.try_get("channel")?,
        recipient: row.try_get("recipient")?,
        status: DeliveryStatus::parse(&status).ok_or_else(|| StoreError::corrupt("delivery status"))?,
        detail: row.try_get("detail")?,
    })
}

fn webhook(row: &SqliteRow) -> Result<Webhook, StoreError> {
    let events: String = row.try_get("events")?;
    Ok(Webhook {
        id: row.try_get("id")?,
        tenant_id: TenantId::parse(row.try_get::<String, _>("tenant_id")?).map_err(StoreError::corrupt)?,
        url: row.try_get("url")?,
        secret: row.try_get("secret")?,
        events: serde_json::from_str(&events).map_err(StoreError::corrupt)?,
        created_at: from_micros(row.try_get("created_at")?)?,
    })
}

#[async_trait]
impl DeliveryStore for SqliteStore {
    async fn insert_delivery(&self, key: &DeliveryKey, status: DeliveryStatus) -> Result<bool, StoreError> {
        let r = sqlx::query(
            "INSERT INTO notifications (tenant_id, job_id, channel, recipient, status, updated_at) VALUES (?, ?, ?, ?, ?, ?) \
             ON CONFLICT DO NOTHING",
        )
        .bind(key.tenant_id.as_str())
        .bind(key.job_id.to_string())
        .bind(key.channel)
        .bind(&key.recipient)
        .bind(status.as_str())
        .bind(micros(now()))
        .execute(&self.pool)
        .await?;
        Ok(r.rows_affected() == 1)
    }

    async fn get_delivery(&self, key: &DeliveryKey) -> Result<Option<DeliveryRecord>, StoreError> {
        let row = sqlx::query(
            "SELECT channel, recipient, status, detail FROM notifications \
             WHERE tenant_id = ? AND job_id = ? AND channel = ? AND recipient = ?",
        )
        .bind(key.tenant_id.as_str())
        .bind(key.job_id.to_string())
        .bind(key.channel)
        .bind(&key.recipient)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(delivery).transpose()
    }

    async fn cas_delivery(
        &self,
        key: &DeliveryKey,
        from: DeliveryStatus,
        to: DeliveryStatus,
        detail: Option<&str>,
    ) -> Result<bool, StoreError> {
        let r = sqlx::query(
            "UPDATE notifications SET status = ?, detail = COALESCE(?, detail), updated_at = ? \
             WHERE tenant_id = ? AND job_id = ? AND channel = ? AND recipient = ? AND status = ?",
        )
        .bind(to.as_str())
        .bind(detail)
        .bind(micros(now()))
        .bind(key.tenant_id.as_str())
        .bind(key.job_id.to_string())
        .bind(key.channel)
        .bind(&key.recipient)
        .bind(from.as_str())
        .execute(&self.pool)
        .await?;
        Ok(r.rows_affected() == 1)
    }

    async fn deliveries(&self, tenant: &TenantId, job: JobId) -> Result<Vec<DeliveryRecord>, StoreError> {
        let rows = sqlx::query(
            "SELECT channel, recipient, status, detail FROM notifications WHERE tenant_id = ? AND job_id = ? \
             ORDER BY channel, recipient",
        )
        .bind(tenant.as_str())
        .bind(job.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(delivery).collect()
    }
}

#[async_trait]
impl WebhookStore for SqliteStore {
    async fn create_webhook(&self, hook: &Webhook) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO webhooks (id, tenant_id, url, secret, events, created_at) VALUES (?, ?, ?, ?, ?, ?)")
            .bind(&hook.id)
            .bind(hook.tenant_id.as_str())
            .bind(&hook.url)
            .bind(&hook.secret)
            .bind(serde_json::to_string(&hook.events).map_err(StoreError::corrupt)?)
            .bind(micros(hook.created_at))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn list_webhooks(&self, tenant: &TenantId) -> Result<Vec<Webhook>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, tenant_id, url, secret, events, created_at FROM webhooks WHERE tenant_id = ? ORDER BY created_at",
        )
        .bind(tenant.as_str())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(webhook).collect()
    }

    async fn get_webhook(&self, tenant: &TenantId, id: &str) -> Result<Option<Webhook>, StoreError> {
        let row = sqlx::query(
            "SELECT id, tenant_id, url, secret, events, created_at FROM webhooks WHERE tenant_id = ? AND id = ?",
        )
        .bind(tenant.as_str())
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(webhook).transpose()
    }

    async fn delete_webhook(&self, tenant: &TenantId, id: &str) -> Result<bool, StoreError> {
        let r = sqlx::query("DELETE FROM webhooks WHERE tenant_id = ? AND id = ?")
            .bind(tenant.as_str())
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(r.rows_affected() == 1)
    }
}
