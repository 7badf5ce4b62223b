//! The send-status protocol that makes notification jobs send each message
//! at most once, even across worker crashes.
//!
//! Before sending to a recipient the job *claims* it: a new record is
//! created as `sending` (or a `retry` one is moved to `sending`). After the
//! provider answers, the record becomes `sent`, `failed` or `retry`. If a
//! worker dies between the claim and the answer, the next attempt finds
//! `sending`: the message may already be out, so it is marked `unknown` and
//! not sent again. Duplicates are impossible; a lost message in that narrow
//! window is reported, never silent.

use crate::store::{DeliveryKey, DeliveryStatus, DeliveryStore, StoreError};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim {
    /// Send now.
    Go,
    /// Already settled (or possibly sent): do not send.
    Skip(DeliveryStatus),
}

pub async fn claim<S: DeliveryStore + ?Sized>(store: &S, key: &DeliveryKey) -> Result<Claim, StoreError> {
    if store.insert_delivery(key, DeliveryStatus::Sending).await? {
        return Ok(Claim::Go);
    }
    let current = store.get_delivery(key).await?.map(|d| d.status).unwrap_or(DeliveryStatus::Unknown);
    match current {
        DeliveryStatus::Retry => {
            if store.cas_delivery(key, DeliveryStatus::Retry, DeliveryStatus::Sending, None).await? {
                Ok(Claim::Go)
            } else {
                Ok(Claim::Skip(DeliveryStatus::Sending))
            }
        }
        DeliveryStatus::Sending => {
            let note = Some("the worker stopped while sending; not sent again");
            store.cas_delivery(key, DeliveryStatus::Sending, DeliveryStatus::Unknown, note).await?;
            Ok(Claim::Skip(DeliveryStatus::Unknown))
        }
        settled => Ok(Claim::Skip(settled)),
    }
}

/// Records the provider's answer for a claimed recipient.
pub async fn settle<S: DeliveryStore + ?Sized>(
    store: &S,
    key: &DeliveryKey,
    to: DeliveryStatus,
    detail: &str,
) -> Result<(), StoreError> {
    // A duplicate delivery of the same job may have marked the claim
    // `unknown` meanwhile; the real answer replaces that guess.
    if !store.cas_delivery(key, DeliveryStatus::Sending, to, Some(detail)).await? {
        store.cas_delivery(key, DeliveryStatus::Unknown, to, Some(detail)).await?;
    }
    Ok(())
}
