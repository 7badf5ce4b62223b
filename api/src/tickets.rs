//! Single-use login tickets: the SSO hand-off between the WeChat
//! mini-program shell and the H5 app.
//!
//! An authenticated client asks for a ticket, passes it to the other app
//! (e.g. in a URL), and that app exchanges it once for an access token. A
//! ticket lives 60 s by default and can be exchanged exactly once: in Redis
//! with `GETDEL`, embedded with a `DELETE … RETURNING`. Either is atomic, so
//! concurrent exchanges of one ticket yield exactly one token.

use std::sync::Arc;
use std::time::Duration;

use meeteasy_jobs::store::sqlite::SqliteStore;
use meeteasy_models::auth::Role;
use rand::Rng;
use redis::aio::ConnectionManager;
use serde::{Deserialize, Serialize};

/// What a ticket stands for: the identity of the client that asked for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketClaims {
    pub sub: String,
    pub tenant_id: String,
    pub roles: Vec<Role>,
    /// The `exp` of the token that asked for the ticket: the token minted
    /// from it expires no later, so a stolen token cannot renew itself.
    pub exp: i64,
}

#[derive(Debug, thiserror::Error)]
pub enum TicketError {
    #[error("redis: {0}")]
    Redis(#[from] redis::RedisError),
    #[error("store: {0}")]
    Store(#[from] meeteasy_jobs::store::StoreError),
    #[error("ticket encoding: {0}")]
    Json(#[from] serde_json::Error),
}

#[derive(Clone)]
pub enum Tickets {
    Redis { conn: ConnectionManager, namespace: String },
    Embedded(Arc<SqliteStore>),
}

impl std::fmt::Debug for Tickets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Tickets::Redis { .. } => "Tickets::Redis",
            Tickets::Embedded(_) => "Tickets::Embedded",
        })
    }
}

/// 256 random bits, hex-encoded: unguessable and URL-safe.
fn new_ticket() -> String {
    let bytes: [u8; 32] = rand::rng().random();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn looks_like_ticket(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

impl Tickets {
    pub async fn issue(&self, claims: &TicketClaims, ttl: Duration) -> Result<String, TicketError> {
        let ticket = new_ticket();
        let body = serde_json::to_string(claims)?;
        match self {
            Tickets::Redis { conn, namespace } => {
                let mut c = conn.clone();
                let _: () = redis::cmd("SET")
                    .arg(format!("{namespace}:ticket:{ticket}"))
                    .arg(body)
                    .arg("PX")
                    .arg(u64::try_from(ttl.as_millis()).unwrap_or(60_000).max(1))
                    .arg("NX")
                    .query_async(&mut c)
                    .await?;
            }
            Tickets::Embedded(store) => store.put_ticket(&ticket, &body, ttl).await?,
        }
        Ok(ticket)
    }

    /// Consumes a ticket. `None` when unknown, expired or already used.
    pub async fn redeem(&self, ticket: &str) -> Result<Option<TicketClaims>, TicketError> {
        if !looks_like_ticket(ticket) {
            return Ok(None);
        }
        let body: Option<String> = match self {
            Tickets::Redis { conn, namespace } => {
                let mut c = conn.clone();
                redis::cmd("GETDEL").arg(format!("{namespace}:ticket:{ticket}")).query_async(&mut c).await?
            }
            Tickets::Embedded(store) => store.take_ticket(ticket).await?,
        };
        Ok(body.map(|b| serde_json::from_str(&b)).transpose()?)
    }
}
