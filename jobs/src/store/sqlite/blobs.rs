//! Files for the embedded store: content-addressed, written atomically.
//!
//! Bytes live at `blobs/<aa>/<sha256>`; a row per upload ties a blob id to its
//! tenant and metadata, so two tenants uploading the same file share the bytes
//! but never each other's ids. A write goes to `blobs/tmp/` first, is fsynced,
//! then renamed into place, so a crash never leaves a half-written blob under
//! its final name.

use std::io::Write;
use std::path::PathBuf;

use async_trait::async_trait;
use meeteasy_models::TenantId;
use sqlx::Row;

use super::{SqliteStore, micros};
use crate::store::{BlobId, BlobMeta, BlobStore, StoreError, now, sha256_hex};

impl SqliteStore {
    fn blob_path(&self, sha: &str) -> PathBuf {
        self.blob_dir.join(&sha[..2]).join(sha)
    }
}

fn write_atomically(dir: PathBuf, final_path: PathBuf, bytes: Vec<u8>) -> std::io::Result<()> {
    if final_path.exists() {
        return Ok(());
    }
    if let Some(parent) = final_path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let tmp = dir.join(format!("{}.part", uuid::Uuid::now_v7()));
    let mut f = std::fs::File::create(&tmp)?;
    f.write_all(&bytes)?;
    f.sync_all()?;
    drop(f);
    std::fs::rename(&tmp, &final_path)
}

#[async_trait]
impl BlobStore for SqliteStore {
    async fn put_blob(
        &self,
        tenant: &TenantId,
        filename: &str,
        content_type: &str,
        bytes: Vec<u8>,
    ) -> Result<(BlobId, BlobMeta), StoreError> {
        let size = bytes.len() as u64;
        let (sha, bytes) = tokio::task::spawn_blocking(move || (sha256_hex(&bytes), bytes))
            .await
            .map_err(|e| StoreError::corrupt(format!("hashing task failed: {e}")))?;
        let (tmp_dir, path) = (self.blob_dir.join("tmp"), self.blob_path(&sha));
        tokio::task::spawn_blocking(move || write_atomically(tmp_dir, path, bytes))
            .await
            .map_err(|e| StoreError::corrupt(format!("write task failed: {e}")))??;
        let id = BlobId(uuid::Uuid::now_v7().to_string());
        let meta =
            BlobMeta { filename: filename.to_string(), content_type: content_type.to_string(), size, sha256: sha };
        sqlx::query("INSERT INTO blobs (id, tenant_id, sha256, size, content_type, filename, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)")
            .bind(&id.0)
            .bind(tenant.as_str())
            .bind(&meta.sha256)
            .bind(i64::try_from(size).unwrap_or(i64::MAX))
            .bind(&meta.content_type)
            .bind(&meta.filename)
            .bind(micros(now()))
            .execute(&self.pool)
            .await?;
        Ok((id, meta))
    }

    async fn get_blob(&self, tenant: &TenantId, id: &BlobId) -> Result<Option<(BlobMeta, Vec<u8>)>, StoreError> {
        let row = sqlx::query("SELECT sha256, size, content_type, filename FROM blobs WHERE id = ? AND tenant_id = ?")
            .bind(&id.0)
            .bind(tenant.as_str())
            .fetch_optional(&self.pool)
            .await?;
        let Some(row) = row else { return Ok(None) };
        let meta = BlobMeta {
            sha256: row.try_get(0)?,
            size: u64::try_from(row.try_get::<i64, _>(1)?).unwrap_or(0),
            content_type: row.try_get(2)?,
            filename: row.try_get(3)?,
        };
        let bytes = tokio::fs::read(self.blob_path(&meta.sha256)).await?;
        Ok(Some((meta, bytes)))
    }

    async fn delete_blob(&self, tenant: &TenantId, id: &BlobId) -> Result<bool, StoreError> {
        let row = sqlx::query("DELETE FROM blobs WHERE id = ? AND tenant_id = ? RETURNING sha256")
            .bind(&id.0)
            .bind(tenant.as_str())
            .fetch_optional(&self.pool)
            .await?;
        let Some(row) = row else { return Ok(false) };
        let sha: String = row.try_get(0)?;
        let still_used: i64 = sqlx::query("SELECT COUNT(*) FROM blobs WHERE sha256 = ?")
            .bind(&sha)
            .fetch_one(&self.pool)
            .await?
            .try_get(0)?;
        if still_used == 0 {
            match tokio::fs::remove_file(self.blob_path(&sha)).await {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(e.into()),
            }
        }
        Ok(true)
    }
}
