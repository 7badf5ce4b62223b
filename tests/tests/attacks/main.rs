//! The attack suite (run on both backends): cross-tenant and cross-user
//! access to every resource, forged tokens, ticket abuse, idempotency-key
//! collisions, malformed and foreign ids, and Socket.IO eavesdropping.
//!
//! Every request goes through `Attacker`, which asserts no 5xx and searches
//! each body for ids and names the caller must not see. The total is printed
//! at the end (and must exceed 200).

mod access;
mod idempotency;
mod rs256;
mod setup;
mod sockets;
mod tokens;

use meeteasy_tests::attack::Attacker;
use meeteasy_tests::{Backend, on_both_backends};

on_both_backends!(attack_suite, |backend: Backend| async move {
    let app = setup::app(backend).await;
    let mut atk = Attacker::new(&app);
    let cast = setup::Cast::new(&app);
    setup::populate(&mut atk, &cast).await;

    access::reads_follow_ownership(&atk, &cast).await;
    access::lists_follow_ownership(&atk, &cast).await;
    access::cancels_and_retries(&atk, &cast).await;
    access::malformed_foreign_and_deleted_ids(&atk, &cast).await;
    access::queues_and_tenant_params(&atk, &cast).await;
    tokens::forged_tokens_are_refused(&atk, &cast).await;
    tokens::tickets_cannot_be_replayed_or_stretched(&atk, &cast).await;
    idempotency::keys_cannot_collide(&atk, &cast).await;
    sockets::sockets_follow_ownership(&atk, &cast).await;
    atk.count(rs256::identity_provider_tokens(backend).await);

    let n = atk.sent();
    eprintln!("attack suite ({backend:?}): {n} requests, every one answered as the rules require");
    assert!(n >= 200, "the suite sent only {n} requests");
});
