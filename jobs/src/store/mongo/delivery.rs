//! Send-status records (`notifications`) and `webhooks` in MongoDB.

use async_trait::async_trait;
use bson::{Document, doc};
use chrono::{DateTime, Utc};
use futures::TryStreamExt;
use meeteasy_models::{JobId, TenantId};
use mongodb::Collection;
use serde::{Deserialize, Serialize};

use super::{MongoStore, bson_date, is_duplicate_key};
use crate::store::{
    DeliveryKey, DeliveryRecord, DeliveryStatus, DeliveryStore, StoreError, Webhook, WebhookStore, now,
};

fn key_filter(key: &DeliveryKey) -> Document {
    doc! {
        "tenant_id": key.tenant_id.as_str(),
        "job_id": key.job_id.to_string(),
        "channel": key.channel,
        "recipient": &key.recipient,
    }
}

fn delivery(d: &Document) -> Result<DeliveryRecord, StoreError> {
    let status = d.get_str("status").map_err(StoreError::corrupt)?;
    Ok(DeliveryRecord {
        channel: d.get_str("channel").map_err(StoreError::corrupt)?.to_string(),
        recipient: d.get_str("recipient").map_err(StoreError::corrupt)?.to_string(),
        status: DeliveryStatus::parse(status).ok_or_else(|| StoreError::corrupt("delivery status"))?,
        detail: d.get_str("detail").ok().map(str::to_string),
    })
}

#[derive(Debug, Serialize, Deserialize)]
struct WebhookDoc {
    #[serde(rename = "_id")]
    id: String,
    tenant_id: String,
    url: String,
    secret: String,
    events: Vec<String>,
    #[serde(with = "bson::serde_helpers::chrono_datetime_as_bson_datetime")]
    created_at: DateTime<Utc>,
}

impl TryFrom<WebhookDoc> for Webhook {
    type Error = StoreError;
    fn try_from(d: WebhookDoc) -> Result<Self, StoreError> {
        Ok(Webhook {
            id: d.id,
            tenant_id: TenantId::parse(d.tenant_id).map_err(StoreError::corrupt)?,
            url: d.url,
            secret: d.secret,
            events: d.events,
            created_at: d.created_at,
        })
    }
}

impl MongoStore {
    fn notifications(&self) -> Collection<Document> {
        self.db.collection("notifications")
    }

    fn webhooks(&self) -> Collection<WebhookDoc> {
        self.db.collection("webhooks")
    }
}

#[async_trait]
impl DeliveryStore for MongoStore {
    async fn insert_delivery(&self, key: &DeliveryKey, status: DeliveryStatus) -> Result<bool, StoreError> {
        let mut d = key_filter(key);
        d.insert("status", status.as_str());
        d.insert("updated_at", bson_date(now()));
        match self.notifications().insert_one(d).await {
            Ok(_) => Ok(true),
            Err(e) if is_duplicate_key(&e) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    async fn get_delivery(&self, key: &DeliveryKey) -> Result<Option<DeliveryRecord>, StoreError> {
        self.notifications().find_one(key_filter(key)).await?.as_ref().map(delivery).transpose()
    }

    async fn cas_delivery(
        &self,
        key: &DeliveryKey,
        from: DeliveryStatus,
        to: DeliveryStatus,
        detail: Option<&str>,
    ) -> Result<bool, StoreError> {
        let mut filter = key_filter(key);
        filter.insert("status", from.as_str());
        let mut set = doc! {"status": to.as_str(), "updated_at": bson_date(now())};
        if let Some(d) = detail {
            set.insert("detail", d);
        }
        let r = self.notifications().update_one(filter, doc! {"$set": set}).await?;
        Ok(r.modified_count == 1)
    }

    async fn deliveries(&self, tenant: &TenantId, job: JobId) -> Result<Vec<DeliveryRecord>, StoreError> {
        let docs: Vec<Document> = self
            .notifications()
            .find(doc! {"tenant_id": tenant.as_str(), "job_id": job.to_string()})
            .sort(doc! {"channel": 1, "recipient": 1})
            .await?
            .try_collect()
            .await?;
        docs.iter().map(delivery).collect()
    }
}

#[async_trait]
impl WebhookStore for MongoStore {
    async fn create_webhook(&self, hook: &Webhook) -> Result<(), StoreError> {
        let d = WebhookDoc {
            id: hook.id.clone(),
            tenant_id: hook.tenant_id.to_string(),
            url: hook.url.clone(),
            secret: hook.secret.clone(),
            events: hook.events.clone(),
            created_at: hook.created_at,
        };
        self.webhooks().insert_one(d).await?;
        Ok(())
    }

    async fn list_webhooks(&self, tenant: &TenantId) -> Result<Vec<Webhook>, StoreError> {
        let docs: Vec<WebhookDoc> = self
            .webhooks()
            .find(doc! {"tenant_id": tenant.as_str()})
            .sort(doc! {"created_at": 1})
            .await?
            .try_collect()
            .await?;
        docs.into_iter().map(Webhook::try_from).collect()
    }

    async fn get_webhook(&self, tenant: &TenantId, id: &str) -> Result<Option<Webhook>, StoreError> {
        self.webhooks()
            .find_one(doc! {"_id": id, "tenant_id": tenant.as_str()})
            .await?
            .map(Webhook::try_from)
            .transpose()
    }

    async fn delete_webhook(&self, tenant: &TenantId, id: &str) -> Result<bool, StoreError> {
        let r = self.webhooks().delete_one(doc! {"_id": id, "tenant_id": tenant.as_str()}).await?;
        Ok(r.deleted_count == 1)
    }
}
