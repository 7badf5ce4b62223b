//! Documents the error answers every operation can give, so the schema is
//! honest about them (schemathesis checks each response against it).
//!
//! Why a modifier rather than `responses(...)` on each handler: these come
//! from the edge (the `AuthUser` extractor, body limits, the JSON and
//! multipart extractors, the rate limiter), not from the handler, and a
//! handler that forgets one would make the schema lie.

use utoipa::Modify;
use utoipa::openapi::path::Operation;
use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};

/// Adds the edge's error responses to every operation that lacks them.
#[derive(Debug)]
pub struct CommonErrors;

fn error(description: &str) -> RefOr<utoipa::openapi::Response> {
    let body = ContentBuilder::new().schema(Some(Ref::from_schema_name("ErrorBody"))).build();
    RefOr::T(ResponseBuilder::new().description(description).content("application/json", body).build())
}

fn add(op: &mut Operation, status: &str, description: &str) {
    op.responses.responses.entry(status.to_string()).or_insert_with(|| error(description));
}

fn document(op: &mut Operation) {
    let secured = op.security.as_ref().is_some_and(|s| !s.is_empty());
    if secured {
        add(op, "401", "missing, invalid or expired token (`auth.missing_token`, `auth.invalid_token`)");
        add(
            op,
            "403",
            "role too low, or a `tenant_id` that is not the token's (`auth.forbidden`, `auth.tenant_mismatch`)",
        );
        add(op, "429", "per-tenant rate limit (`request.rate_limited`); `Retry-After` says when to retry");
    }
    let has_params = op.parameters.as_ref().is_some_and(|p| !p.is_empty());
    if has_params || op.request_body.is_some() {
        add(op, "422", "invalid parameters or body (`request.invalid`, …)");
    }
    let multipart = match &op.request_body {
        Some(RefOr::T(body)) => Some(body.content.contains_key("multipart/form-data")),
        _ => None,
    };
    if let Some(multipart) = multipart {
        add(op, "413", "body over the route's limit (`request.too_large`)");
        add(op, "415", "wrong `Content-Type`, or an upload of no supported type");
        if multipart {
            add(op, "400", "a malformed multipart body, or a file the job could not read");
        }
    }
}

impl Modify for CommonErrors {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for item in openapi.paths.paths.values_mut() {
            for op in
                [&mut item.get, &mut item.post, &mut item.put, &mut item.delete, &mut item.patch].into_iter().flatten()
            {
                document(op);
            }
        }
    }
}
