//! Single-use login tickets for the embedded default. Taking a ticket is one
//! `DELETE … RETURNING`, so of any number of concurrent exchanges exactly one
//! gets the claims.

use std::time::Duration;

use sqlx::Row;

use super::{SqliteStore, micros};
use crate::store::{StoreError, now};

impl SqliteStore {
    pub async fn put_ticket(&self, ticket: &str, claims: &str, ttl: Duration) -> Result<(), StoreError> {
        let now = now();
        let expires = now + chrono::TimeDelta::from_std(ttl).unwrap_or(chrono::TimeDelta::seconds(60));
        sqlx::query("DELETE FROM tickets WHERE expires_at <= ?").bind(micros(now)).execute(&self.pool).await?;
        sqlx::query("INSERT INTO tickets (ticket, claims, expires_at) VALUES (?, ?, ?)")
            .bind(ticket)
            .bind(claims)
            .bind(micros(expires))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Removes and returns a live ticket's claims; `None` if unknown,
    /// already used or expired.
    pub async fn take_ticket(&self, ticket: &str) -> Result<Option<String>, StoreError> {
        let row = sqlx::query("DELETE FROM tickets WHERE ticket = ? RETURNING claims, expires_at")
            .bind(ticket)
            .fetch_optional(&self.pool)
            .await?;
        let Some(row) = row else { return Ok(None) };
        let expires_at: i64 = row.try_get(1)?;
        if expires_at <= micros(now()) {
            return Ok(None);
        }
        Ok(Some(row.try_get(0)?))
    }
}
