//! Pagination: `page`/`page_size` in, `{items,total,page,page_size}` out.

use serde::{Deserialize, Serialize};

/// A validated page request. `page` counts from 1; `page_size` is 1..=100.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    pub page: u32,
    pub page_size: u32,
}

impl PageRequest {
    pub const MAX_PAGE_SIZE: u32 = 100;
    pub const DEFAULT_PAGE_SIZE: u32 = 20;

    /// Clamps instead of failing: a client asking for 500 items gets 100.
    pub fn new(page: Option<u32>, page_size: Option<u32>) -> Self {
        Self {
            page: page.unwrap_or(1).max(1),
            page_size: page_size.unwrap_or(Self::DEFAULT_PAGE_SIZE).clamp(1, Self::MAX_PAGE_SIZE),
        }
    }

    pub fn offset(&self) -> u64 {
        u64::from(self.page - 1) * u64::from(self.page_size)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: u64,
    pub page: u32,
    pub page_size: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_requests_are_clamped() {
        let p = PageRequest::new(Some(0), Some(500));
        assert_eq!((p.page, p.page_size, p.offset()), (1, 100, 0));
        assert_eq!(PageRequest::new(Some(3), Some(10)).offset(), 20);
    }
}
