//! Extractors that turn axum's rejections into `ApiError`s, so malformed
//! input gets the same error shape as everything else.

use axum::extract::{FromRequest, FromRequestParts};

use super::error::ApiError;

/// `Json<T>` with our error shape.
#[derive(Debug, FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct Json<T>(pub T);

/// `Multipart` with our error shape: a body that is not
/// `multipart/form-data` with a boundary is a `415`, in JSON like every
/// other error (axum's own rejection is plain text).
#[derive(Debug)]
pub struct Multipart(pub axum::extract::Multipart);

impl<S: Send + Sync> FromRequest<S> for Multipart {
    type Rejection = ApiError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        Ok(Multipart(axum::extract::Multipart::from_request(req, state).await?))
    }
}

/// `Query<T>` with our error shape.
#[derive(Debug, FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct Query<T>(pub T);

impl<T: serde::Serialize> axum::response::IntoResponse for Json<T> {
    fn into_response(self) -> axum::response::Response {
        axum::Json(self.0).into_response()
    }
}
