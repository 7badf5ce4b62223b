//! Handshake authentication and the socket's own events.

use meeteasy_models::JobId;
use serde::{Deserialize, Serialize};
use socketioxide::SocketIo;
use socketioxide::extract::{AckSender, Data, SocketRef, State, TryData};
use socketioxide::handler::ConnectHandler;

use super::{RealtimeState, SUBSCRIBES_PER_MINUTE, job_room, tenant_room, user_room};
use crate::http::auth::AuthUser;

#[derive(Debug, Deserialize)]
struct HandshakeAuth {
    token: String,
}

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct Refused(&'static str);

/// Connect middleware: the JWT in the handshake `auth` decides everything.
async fn authenticate(
    s: SocketRef,
    TryData(auth): TryData<HandshakeAuth>,
    State(st): State<RealtimeState>,
) -> Result<(), Refused> {
    let auth = auth.map_err(|_| Refused("auth.missing_token"))?;
    let user = st.keys.verify(auth.token.trim()).map_err(|_| Refused("auth.invalid_token"))?;
    s.extensions.insert(user);
    Ok(())
}

#[derive(Debug, Deserialize)]
struct Subscribe {
    job_id: String,
}

#[derive(Debug, Serialize)]
struct Ack {
    ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'static str>,
}

async fn on_connect(s: SocketRef) {
    let Some(user) = s.extensions.get::<AuthUser>() else {
        s.disconnect().ok();
        return;
    };
    if user.own_only() {
        s.join(user_room(user.tenant.as_str(), &user.sub));
    } else {
        s.join(tenant_room(user.tenant.as_str()));
    }
    disconnect_at_expiry(s.clone(), user.exp);
    tracing::debug!(tenant_id = %user.tenant, socket = %s.id, "socket connected");
    s.on("subscribe", subscribe);
    s.on("unsubscribe", |s: SocketRef, Data(req): Data<Subscribe>| async move {
        s.leave(job_room(&req.job_id));
    });
}

/// Closes the socket when its token expires: a token's lifetime bounds
/// what it can hear, as it bounds what it can read over HTTP.
fn disconnect_at_expiry(s: SocketRef, exp: i64) {
    let left = exp.saturating_sub(chrono::Utc::now().timestamp());
    let left = std::time::Duration::from_secs(u64::try_from(left).unwrap_or(0));
    tokio::spawn(async move {
        tokio::time::sleep(left).await;
        if s.connected() {
            tracing::debug!(socket = %s.id, "token expired; disconnecting");
            s.disconnect().ok();
        }
    });
}

/// Joins a job's room, only for a job the socket's user may see (its
/// tenant's; an attendee's own). An unknown or foreign job gets the same
/// answer: `job.not_found`. Rate-limited per user: each call reads the
/// store.
async fn subscribe(s: SocketRef, Data(req): Data<Subscribe>, State(st): State<RealtimeState>, ack: AckSender) {
    let Some(user) = s.extensions.get::<AuthUser>() else { return };
    let key = format!("sio-subscribe:{}:{}", user.tenant, user.sub);
    if st.gate.check(&key, SUBSCRIBES_PER_MINUTE, std::time::Duration::from_secs(60)).await.is_err() {
        ack.send(&Ack { ok: false, error: Some("request.rate_limited") }).ok();
        return;
    }
    let owned = match JobId::parse(&req.job_id) {
        Ok(id) => st
            .store
            .get_job(&user.tenant, id)
            .await
            .ok()
            .flatten()
            .is_some_and(|r| user.can_see(&r.tenant_id, &r.created_by)),
        Err(_) => false,
    };
    let reply = if owned {
        s.join(job_room(&req.job_id));
        Ack { ok: true, error: None }
    } else {
        Ack { ok: false, error: Some("job.not_found") }
    };
    ack.send(&reply).ok();
}

pub(super) fn register(io: &SocketIo) {
    io.ns("/", on_connect.with(authenticate));
}
