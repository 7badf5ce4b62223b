//! Lingering drain: a request body the handler gave up on is read to its end
//! in the background, so the client gets to read our answer.
//!
//! Why: a handler that refuses an upload early (413 over the body limit, 415
//! on the first bytes, 401) drops the body with most of it still on the wire.
//! hyper then closes the connection with unread bytes in the socket, the
//! kernel answers with a TCP reset, and a client that is still sending sees
//! "connection reset" instead of our 413, because the reset discards the
//! response it had not read yet. nginx solves this with `lingering_close`; we
//! do the same at the body level: when the handler drops a body that has not
//! reached its end, a task keeps reading it (and throwing it away) for a while,
//! so hyper keeps the connection open until the client has sent everything and
//! the response has been read. The drain is bounded in bytes and time, so a
//! client that never stops sending is cut off as before.

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes, HttpBody};
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use http_body::{Frame, SizeHint};

/// At most this much of an abandoned body is read and discarded.
pub const MAX_DRAIN_BYTES: u64 = 1 << 30;
/// A drain that takes longer than this gives up (the connection is then closed).
pub const MAX_DRAIN_TIME: Duration = Duration::from_secs(30);

/// Middleware: wraps every request body so that an abandoned one is drained.
pub async fn middleware(req: Request, next: Next) -> Response {
    let req = req.map(|body| if body.is_end_stream() { body } else { Body::new(Lingering(Some(body))) });
    next.run(req).await
}

/// A body that, when dropped before its end, drains the rest in a task.
struct Lingering(Option<Body>);

impl HttpBody for Lingering {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        match self.0.as_mut() {
            Some(body) => Pin::new(body).poll_frame(cx),
            None => Poll::Ready(None),
        }
    }

    fn is_end_stream(&self) -> bool {
        self.0.as_ref().is_none_or(HttpBody::is_end_stream)
    }

    fn size_hint(&self) -> SizeHint {
        self.0.as_ref().map(HttpBody::size_hint).unwrap_or_else(|| SizeHint::with_exact(0))
    }
}

impl Drop for Lingering {
    fn drop(&mut self) {
        let Some(body) = self.0.take() else { return };
        if body.is_end_stream() {
            return;
        }
        // Outside a runtime (never in the server) there is nothing to drain on.
        if let Ok(rt) = tokio::runtime::Handle::try_current() {
            rt.spawn(drain(body));
        }
    }
}

async fn drain(body: Body) {
    let mut stream = body.into_data_stream();
    let read = async {
        let mut total = 0u64;
        while let Some(Ok(chunk)) = futures::StreamExt::next(&mut stream).await {
            total += chunk.len() as u64;
            if total > MAX_DRAIN_BYTES {
                break;
            }
        }
        total
    };
    match tokio::time::timeout(MAX_DRAIN_TIME, read).await {
        Ok(bytes) => tracing::debug!(bytes, "drained an abandoned request body"),
        Err(_) => tracing::debug!("gave up draining an abandoned request body"),
    }
}
