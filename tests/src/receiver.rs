//! A tiny HTTP server that records what it receives: a stand-in for an SMS
//! gateway or a tenant's webhook endpoint, answering with scripted statuses.

use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::any;

#[derive(Debug, Clone)]
pub struct Received {
    /// Path and query, e.g. `/v1/send?to=%2B1555`.
    pub path: String,
    pub headers: HeaderMap,
    pub body: Bytes,
}

#[derive(Debug, Clone)]
pub struct Receiver {
    pub url: String,
    got: Arc<Mutex<Vec<Received>>>,
}

impl Receiver {
    /// `answer(request number, body)` picks each response status.
    pub async fn start(answer: impl Fn(usize, &[u8]) -> u16 + Send + Sync + 'static) -> Self {
        let got: Arc<Mutex<Vec<Received>>> = Arc::default();
        let answer = Arc::new(answer);
        let sink = got.clone();
        let app = axum::Router::new().fallback(any(move |uri: axum::http::Uri, headers: HeaderMap, body: Bytes| {
            let (sink, answer) = (sink.clone(), answer.clone());
            async move {
                let n = {
                    let mut v = sink.lock().unwrap_or_else(|e| e.into_inner());
                    let path = uri.path_and_query().map(|p| p.as_str().to_string()).unwrap_or_default();
                    v.push(Received { path, headers, body: body.clone() });
                    v.len() - 1
                };
                let status = StatusCode::from_u16(answer(n, &body)).unwrap_or(StatusCode::OK);
                (status, "{\"id\":\"msg-1\"}")
            }
        }));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap_or_else(|e| panic!("{e}"));
        let url = format!("http://{}", listener.local_addr().unwrap_or_else(|e| panic!("{e}")));
        tokio::spawn(async move { axum::serve(listener, app).await });
        Receiver { url, got }
    }

    pub fn received(&self) -> Vec<Received> {
        self.got.lock().map(|v| v.clone()).unwrap_or_default()
    }
}
