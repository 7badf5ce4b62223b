//! Store errors. Their text is for logs; the HTTP edge maps them to a generic
//! `internal` error so driver messages never reach a client.

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("sqlite: {0}")]
    Sqlite(#[from] sqlx::Error),
    #[error("sqlite migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("mongodb: {0}")]
    Mongo(#[from] mongodb::error::Error),
    #[error("blob i/o: {0}")]
    Io(#[from] std::io::Error),
    #[error("corrupt record: {0}")]
    Corrupt(String),
    /// The operation missed its deadline (see `store::timed`).
    #[error("store operation {op} timed out after {after:?}")]
    Timeout { op: &'static str, after: std::time::Duration },
}

impl StoreError {
    pub fn corrupt(what: impl std::fmt::Display) -> Self {
        StoreError::Corrupt(what.to_string())
    }
}
