//! The child side: `meeteasy __sandbox <memory_mb> <cpu_secs>`.
//!
//! It limits itself before it reads a byte of input: address space (so a
//! parser that asks for 64 GiB gets an allocation failure here, which aborts
//! this process and nothing else), CPU time, no core files, no files
//! written, a handful of descriptors. Then it reads one request frame from
//! stdin, runs the op and writes one response frame to stdout. Its
//! environment was cleared by the parent, so it holds no secrets.

use std::io::{Read, Write};
use std::panic::{AssertUnwindSafe, catch_unwind};

use rlimit::Resource;
use serde_json::json;

use super::exec::execute;
use super::frame::Frame;
use super::op::{Op, Refusal};

/// The hidden first argument that turns `meeteasy` into a sandbox child.
pub const CHILD_ARG: &str = "__sandbox";

/// Exit status when the request itself was unusable (a parent/child
/// mismatch, not the input's fault).
pub const EXIT_PROTOCOL: u8 = 3;

/// Runs the child; `args` are what follows [`CHILD_ARG`]. Returns the exit status.
pub fn child_main(args: &[String]) -> u8 {
    let num = |i: usize| args.get(i).and_then(|a| a.parse::<u64>().ok());
    let (Some(memory_mb), Some(cpu_secs)) = (num(0), num(1)) else {
        eprintln!("usage: meeteasy {CHILD_ARG} <memory_mb> <cpu_secs> (internal; run by the workers)");
        return EXIT_PROTOCOL;
    };
    if let Err(e) = limit_self(memory_mb, cpu_secs) {
        eprintln!("sandbox: could not set resource limits: {e}");
        return EXIT_PROTOCOL;
    }
    let mut stdin = std::io::stdin().lock();
    let request = match Frame::read_from(&mut stdin, memory_mb.saturating_mul(1024 * 1024)) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("sandbox: {e}");
            return EXIT_PROTOCOL;
        }
    };
    // Drain anything after the frame so the parent's writer never blocks.
    let _ = std::io::copy(&mut stdin.take(1 << 20), &mut std::io::sink());
    let op: Op = match serde_json::from_value(request.header) {
        Ok(op) => op,
        Err(e) => {
            eprintln!("sandbox: unknown request: {e}");
            return EXIT_PROTOCOL;
        }
    };
    let outcome = catch_unwind(AssertUnwindSafe(|| execute(op, request.blobs)));
    let response = match outcome {
        Ok(Ok((header, blobs))) => Frame::new(json!({ "ok": header }), blobs),
        Ok(Err(refusal)) => Frame::new(json!({ "refused": refusal }), Vec::new()),
        // A panic is reported by the exit status, like an abort.
        Err(_) => return 101,
    };
    let mut out = std::io::stdout().lock();
    match response.write_to(&mut out).and_then(|()| out.flush().map_err(Into::into)) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("sandbox: could not answer: {e}");
            EXIT_PROTOCOL
        }
    }
}

fn limit_self(memory_mb: u64, cpu_secs: u64) -> std::io::Result<()> {
    let bytes = memory_mb.saturating_mul(1024 * 1024);
    Resource::AS.set(bytes, bytes)?;
    // SIGXCPU at the soft limit, SIGKILL a few seconds later.
    Resource::CPU.set(cpu_secs.max(1), cpu_secs.max(1) + 5)?;
    Resource::CORE.set(0, 0)?;
    Resource::FSIZE.set(0, 0)?;
    Resource::NOFILE.set(32, 32)?;
    Ok(())
}

/// The response's meaning, for the parent.
pub(super) fn answer_of(frame: Frame) -> Result<super::exec::Answer, Result<Refusal, String>> {
    let Frame { mut header, blobs } = frame;
    if let Some(ok) = header.get_mut("ok").map(serde_json::Value::take) {
        return Ok((ok, blobs));
    }
    match header.get_mut("refused").map(serde_json::Value::take) {
        Some(r) => Err(serde_json::from_value(r).map_err(|e| e.to_string())),
        None => Err(Err("the child answered neither ok nor refused".into())),
    }
}
