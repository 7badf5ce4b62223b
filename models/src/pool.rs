//! Worker pools. Each pool has its own queues, concurrency and metrics so that
//! operators can scale AI hosts separately from CPU hosts.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::ParseError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Pool {
    Cpu,
    Ai,
}

impl Pool {
    pub const fn as_str(self) -> &'static str {
        match self {
            Pool::Cpu => "cpu",
            Pool::Ai => "ai",
        }
    }
}

impl fmt::Display for Pool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Pool {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "cpu" => Ok(Pool::Cpu),
            "ai" => Ok(Pool::Ai),
            _ => Err(ParseError::new("pool", "expected cpu or ai")),
        }
    }
}
