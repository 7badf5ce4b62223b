//! HTTP plumbing shared by all routes: auth, errors, i18n, extractors,
//! rate limits, request ids and draining abandoned bodies.

pub mod auth;
pub mod error;
pub mod extract;
pub mod i18n;
pub mod idempotency;
pub mod linger;
pub mod range;
pub mod timeout;
pub mod upload;
pub mod wait;
