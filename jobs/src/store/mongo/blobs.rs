//! Files in GridFS (bucket `fs`). The tenant and checksum live in the file's
//! `metadata`, and every read matches on `metadata.tenant_id` first, so a
//! guessed id of another tenant's file reads as "not found".

use async_trait::async_trait;
use bson::oid::ObjectId;
use bson::{Bson, doc};
use futures::TryStreamExt;
use futures::io::{AsyncReadExt, AsyncWriteExt};
use meeteasy_models::TenantId;
use mongodb::gridfs::{FilesCollectionDocument, GridFsBucket};

use super::MongoStore;
use crate::store::{BlobId, BlobMeta, BlobStore, StoreError, sha256_hex};

impl MongoStore {
    fn bucket(&self) -> GridFsBucket {
        self.db.gridfs_bucket(None)
    }

    async fn find_file(&self, tenant: &TenantId, id: &BlobId) -> Result<Option<(ObjectId, BlobMeta)>, StoreError> {
        let Ok(oid) = ObjectId::parse_str(&id.0) else {
            return Ok(None);
        };
        let files: Vec<FilesCollectionDocument> =
            self.bucket().find(doc! {"_id": oid, "metadata.tenant_id": tenant.as_str()}).await?.try_collect().await?;
        Ok(files.into_iter().next().map(|f| {
            let md = f.metadata.unwrap_or_default();
            let meta = BlobMeta {
                filename: f.filename.unwrap_or_default(),
                content_type: md.get_str("content_type").unwrap_or("application/octet-stream").to_string(),
                size: f.length,
                sha256: md.get_str("sha256").unwrap_or_default().to_string(),
            };
            (oid, meta)
        }))
    }
}

#[async_trait]
impl BlobStore for MongoStore {
    async fn put_blob(
        &self,
        tenant: &TenantId,
        filename: &str,
        content_type: &str,
        bytes: Vec<u8>,
    ) -> Result<(BlobId, BlobMeta), StoreError> {
        let (sha, bytes) = tokio::task::spawn_blocking(move || (sha256_hex(&bytes), bytes))
            .await
            .map_err(|e| StoreError::corrupt(format!("hashing task failed: {e}")))?;
        let oid = ObjectId::new();
        let mut up = self
            .bucket()
            .open_upload_stream(filename)
            .id(Bson::ObjectId(oid))
            .metadata(doc! {"tenant_id": tenant.as_str(), "sha256": &sha, "content_type": content_type})
            .await?;
        up.write_all(&bytes).await?;
        up.close().await?;
        let meta = BlobMeta {
            filename: filename.to_string(),
            content_type: content_type.to_string(),
            size: bytes.len() as u64,
            sha256: sha,
        };
        Ok((BlobId(oid.to_hex()), meta))
    }

    async fn get_blob(&self, tenant: &TenantId, id: &BlobId) -> Result<Option<(BlobMeta, Vec<u8>)>, StoreError> {
        let Some((oid, meta)) = self.find_file(tenant, id).await? else {
            return Ok(None);
        };
        let mut down = self.bucket().open_download_stream(Bson::ObjectId(oid)).await?;
        let mut buf = Vec::with_capacity(usize::try_from(meta.size).unwrap_or(0));
        down.read_to_end(&mut buf).await?;
        Ok(Some((meta, buf)))
    }

    async fn delete_blob(&self, tenant: &TenantId, id: &BlobId) -> Result<bool, StoreError> {
        let Some((oid, _)) = self.find_file(tenant, id).await? else {
            return Ok(false);
        };
        self.bucket().delete(Bson::ObjectId(oid)).await?;
        Ok(true)
    }
}
