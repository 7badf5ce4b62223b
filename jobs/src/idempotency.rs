//! Idempotency keys: one namespace per origin, so a client can never name a
//! key that the platform uses for itself.
//!
//! Why this matters: pipelines find the children they queued before through
//! keys such as `make_searchable_pdf:<document>`. When client keys lived in
//! the same namespace, a client who knew a document id could pre-empt that
//! key (the document's OCR then never ran) or plant its own image as page 1
//! of someone else's searchable PDF. Now:
//! - a client key is stored as `c:<endpoint>:<sha256(creator, key)>`, so it
//!   is scoped by tenant (the store's unique index), creator and endpoint,
//!   and it carries a fingerprint of the request so that the same key with a
//!   different body is refused (`idempotency.conflict`), as Stripe does;
//! - a platform key is stored as `i:<key>`.
//!
//! The two prefixes cannot collide, whatever the client sends.

use sha2::{Digest, Sha256};

/// The idempotency key of a job being created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdemKey {
    /// A client's `Idempotency-Key`, scoped to its creator and endpoint.
    Client {
        /// The stored form: `c:<endpoint>:<hex digest>`.
        scoped: String,
        /// A digest of the request that the key stands for.
        fingerprint: String,
    },
    /// A key the platform chose (fan-out children, webhook deliveries).
    Internal(String),
}

impl IdemKey {
    /// Scopes a client key. `endpoint` names the route family (`ocr`,
    /// `documents`, …); `fingerprint` digests the request body.
    pub fn client(endpoint: &str, creator: &str, key: &str, fingerprint: String) -> Self {
        let mut h = Sha256::new();
        // Length-prefixed, so ("ab","c") and ("a","bc") differ.
        h.update((creator.len() as u64).to_be_bytes());
        h.update(creator.as_bytes());
        h.update(key.as_bytes());
        IdemKey::Client { scoped: format!("c:{endpoint}:{}", hex::encode(h.finalize())), fingerprint }
    }

    pub fn internal(key: impl Into<String>) -> Self {
        IdemKey::Internal(key.into())
    }

    /// What the store's unique `(tenant, key)` index holds.
    pub fn stored(&self) -> String {
        match self {
            IdemKey::Client { scoped, .. } => scoped.clone(),
            IdemKey::Internal(k) => format!("i:{k}"),
        }
    }

    pub fn fingerprint(&self) -> Option<&str> {
        match self {
            IdemKey::Client { fingerprint, .. } => Some(fingerprint),
            IdemKey::Internal(_) => None,
        }
    }
}

/// A request digest from its parts, each length-prefixed.
pub fn fingerprint<'a>(parts: impl IntoIterator<Item = &'a [u8]>) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update((p.len() as u64).to_be_bytes());
        h.update(p);
    }
    hex::encode(h.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_and_internal_keys_never_collide() {
        let internal = IdemKey::internal("make_searchable_pdf:0192");
        let client = IdemKey::client("documents", "alice", "make_searchable_pdf:0192", "f".into());
        assert_ne!(internal.stored(), client.stored());
        assert!(internal.stored().starts_with("i:"));
        assert!(client.stored().starts_with("c:documents:"));
        // A client cannot forge the internal form either: its key is hashed.
        let forged = IdemKey::client("documents", "alice", "i:make_searchable_pdf:0192", "f".into());
        assert_ne!(forged.stored(), internal.stored());
    }

    #[test]
    fn client_keys_are_scoped_by_creator_and_endpoint() {
        let k = |ep, who| IdemKey::client(ep, who, "k1", String::new()).stored();
        assert_ne!(k("ocr", "alice"), k("ocr", "bob"));
        assert_ne!(k("ocr", "alice"), k("documents", "alice"));
        assert_eq!(k("ocr", "alice"), k("ocr", "alice"));
        assert_ne!(
            IdemKey::client("ocr", "ab", "c", String::new()).stored(),
            IdemKey::client("ocr", "a", "bc", String::new()).stored()
        );
    }

    #[test]
    fn fingerprints_separate_their_parts() {
        assert_ne!(fingerprint([&b"ab"[..], b"c"]), fingerprint([&b"a"[..], b"bc"]));
        assert_eq!(fingerprint([&b"x"[..]]), fingerprint([&b"x"[..]]));
    }
}
