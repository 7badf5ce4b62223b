//! The idle poll of a queue worker: a timer that arms its next wake-up each
//! time it fires.
//!
//! Why not apalis' `IntervalStrategy` (`poll_with_interval`): when its timer
//! fires it creates the next one but does not poll it, so no wake-up is
//! registered. When the backend then answers "nothing yet" without arranging
//! a wake-up of its own, the worker sleeps until something else wakes it:
//! its heartbeat. An idle `meeteasy dev` took 0.3–2.8 s (up to the 5 s
//! heartbeat) to pick up an OCR job posted after the previous one finished,
//! while the poll interval was 25 ms (debug log: no poll of the `ocr_image`
//! worker between the post and the heartbeat).

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use apalis::prelude::{PollSnapshot, PollStrategy};
use tokio::time::{Instant, Sleep};

/// Wakes the worker every `every`, with the next wake-up always armed.
#[derive(Debug)]
pub struct Tick {
    every: Duration,
    timer: Option<Pin<Box<Sleep>>>,
}

impl Tick {
    pub fn every(every: Duration) -> Self {
        Self { every, timer: None }
    }
}

impl PollStrategy for Tick {
    fn poll_drive(&mut self, cx: &mut Context<'_>, _: &PollSnapshot) -> Poll<Option<()>> {
        let every = self.every;
        let timer = self.timer.get_or_insert_with(|| Box::pin(tokio::time::sleep(every)));
        if timer.as_mut().poll(cx).is_pending() {
            return Poll::Pending;
        }
        timer.as_mut().reset(Instant::now() + every);
        // Register the next wake-up now: the backend may answer Pending
        // without arranging one of its own.
        let _ = timer.as_mut().poll(cx);
        Poll::Ready(Some(()))
    }
}
