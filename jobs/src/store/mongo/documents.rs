//! Document records in the `documents` collection (`_id` = the id, every
//! query also filters by `tenant_id`).

use async_trait::async_trait;
use bson::{Document, doc};
use meeteasy_models::{DocumentRecord, JobId, TenantId};
use mongodb::Collection;

use super::{MongoStore, is_duplicate_key};
use crate::store::{DocumentStore, StoreError};

impl MongoStore {
    fn documents(&self) -> Collection<Document> {
        self.db.collection("documents")
    }
}

fn to_doc(rec: &DocumentRecord) -> Result<Document, StoreError> {
    let mut d = bson::to_document(rec).map_err(StoreError::corrupt)?;
    d.insert("_id", rec.id.to_string());
    Ok(d)
}

#[async_trait]
impl DocumentStore for MongoStore {
    async fn insert_document(&self, rec: &DocumentRecord) -> Result<bool, StoreError> {
        match self.documents().insert_one(to_doc(rec)?).await {
            Ok(_) => Ok(true),
            Err(e) if is_duplicate_key(&e) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    async fn save_document(&self, rec: &DocumentRecord) -> Result<(), StoreError> {
        let filter = doc! {"_id": rec.id.to_string(), "tenant_id": rec.tenant_id.as_str()};
        self.documents().replace_one(filter, to_doc(rec)?).upsert(true).await?;
        Ok(())
    }

    async fn get_document(&self, tenant: &TenantId, id: JobId) -> Result<Option<DocumentRecord>, StoreError> {
        let d = self.documents().find_one(doc! {"_id": id.to_string(), "tenant_id": tenant.as_str()}).await?;
        d.map(|d| bson::from_document(d).map_err(StoreError::corrupt)).transpose()
    }
}
