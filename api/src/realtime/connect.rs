//! Handshake authentication and the socket's own events.

use meeteasy_models::JobId;
use serde::{Deserialize, Serialize};
use socketioxide::SocketIo;
use socketioxide::extract::{AckSender, Data, SocketRef, State, TryData};
use socketioxide::handler::ConnectHandler;

use super::{RealtimeState, job_room, tenant_room};
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
    s.join(tenant_room(user.tenant.as_str()));
    tracing::debug!(tenant_id = %user.tenant, socket = %s.id, "socket connected");
    s.on("subscribe", subscribe);
    s.on("unsubscribe", |s: SocketRef, Data(req): Data<Subscribe>| async move {
        s.leave(job_room(&req.job_id));
    });
}

/// Joins a job's room, only for a job of the socket's own tenant. An
/// unknown or foreign job gets the same answer: `job.not_found`.
async fn subscribe(s: SocketRef, Data(req): Data<Subscribe>, State(st): State<RealtimeState>, ack: AckSender) {
    let Some(user) = s.extensions.get::<AuthUser>() else { return };
    let owned = match JobId::parse(&req.job_id) {
        Ok(id) => st.store.get_job(&user.tenant, id).await.ok().flatten().is_some(),
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
