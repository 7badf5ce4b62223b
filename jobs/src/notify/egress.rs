//! Outbound HTTP to tenant-controlled URLs (webhooks), guarded against SSRF.
//!
//! Only `http`/`https` URLs are accepted. The host is resolved and *every*
//! address must be public unless an operator allow-list entry (a CIDR or an
//! exact host name) permits it; the request is then pinned to the checked
//! address, and redirects are not followed, so DNS rebinding or a redirect
//! cannot steer a delivery to an internal service.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EgressError {
    #[error("only http and https URLs are allowed")]
    Scheme,
    #[error("the URL is not valid")]
    Invalid,
    #[error("the host does not resolve")]
    Unresolvable,
    #[error("the target is a private, loopback or link-local address")]
    Forbidden,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Allowed {
    Net(IpAddr, u8),
    Host(String),
}

/// The operator's allow-list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EgressPolicy {
    allow: Vec<Allowed>,
}

fn parse_entry(entry: &str) -> Allowed {
    let entry = entry.trim();
    if let Some((ip, bits)) = entry.split_once('/')
        && let (Ok(ip), Ok(bits)) = (ip.parse::<IpAddr>(), bits.parse::<u8>())
    {
        return Allowed::Net(ip, bits);
    }
    match entry.parse::<IpAddr>() {
        Ok(ip) => Allowed::Net(ip, if ip.is_ipv4() { 32 } else { 128 }),
        Err(_) => Allowed::Host(entry.to_ascii_lowercase()),
    }
}

fn in_net(ip: IpAddr, net: IpAddr, bits: u8) -> bool {
    match (ip, net) {
        (IpAddr::V4(a), IpAddr::V4(n)) => {
            let bits = u32::from(bits.min(32));
            let mask = if bits == 0 { 0 } else { u32::MAX << (32 - bits) };
            u32::from(a) & mask == u32::from(n) & mask
        }
        (IpAddr::V6(a), IpAddr::V6(n)) => {
            let bits = u32::from(bits.min(128));
            let mask = if bits == 0 { 0 } else { u128::MAX << (128 - bits) };
            u128::from(a) & mask == u128::from(n) & mask
        }
        _ => false,
    }
}

/// Whether an address is reachable on the public internet.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => is_public_v4(v4),
            None => is_public_v6(v6),
        },
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let o = ip.octets();
    !(ip.is_private()
        || ip.is_loopback()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || o[0] == 0
        || (o[0] == 100 && (o[1] & 0xc0) == 64) // 100.64.0.0/10, carrier-grade NAT
        || (o[0] == 192 && o[1] == 0 && o[2] == 0) // 192.0.0.0/24, IETF protocol assignments
        || (o[0] == 198 && (o[1] & 0xfe) == 18) // 198.18.0.0/15, benchmarking
        || o[0] >= 240)
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let s = ip.segments();
    !(ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        || (s[0] & 0xfe00) == 0xfc00 // fc00::/7, unique local
        || (s[0] & 0xffc0) == 0xfe80 // fe80::/10, link-local
        || (s[0] == 0x2001 && s[1] == 0x0db8)) // documentation
}

impl EgressPolicy {
    pub fn new(allow_private: &[String]) -> Self {
        Self { allow: allow_private.iter().map(|e| parse_entry(e)).collect() }
    }

    fn allows(&self, host: &str, ip: IpAddr) -> bool {
        is_public(ip)
            || self.allow.iter().any(|a| match a {
                Allowed::Net(net, bits) => in_net(ip, *net, *bits),
                Allowed::Host(h) => h == host,
            })
    }

    /// Checks the URL's form (no network).
    pub fn parse(&self, raw: &str) -> Result<reqwest::Url, EgressError> {
        let url = reqwest::Url::parse(raw).map_err(|_| EgressError::Invalid)?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(EgressError::Scheme);
        }
        if url.host_str().is_none_or(str::is_empty) || !url.username().is_empty() || url.password().is_some() {
            return Err(EgressError::Invalid);
        }
        Ok(url)
    }

    /// Resolves the URL's host and returns an address every check passed.
    pub async fn resolve(&self, url: &reqwest::Url) -> Result<SocketAddr, EgressError> {
        let host = url.host_str().ok_or(EgressError::Invalid)?.trim_start_matches('[').trim_end_matches(']');
        let port = url.port_or_known_default().ok_or(EgressError::Invalid)?;
        let addrs: Vec<SocketAddr> = match host.parse::<IpAddr>() {
            Ok(ip) => vec![SocketAddr::new(ip, port)],
            Err(_) => tokio::net::lookup_host((host, port)).await.map_err(|_| EgressError::Unresolvable)?.collect(),
        };
        if addrs.is_empty() {
            return Err(EgressError::Unresolvable);
        }
        // Every address must pass: a name that also resolves to an internal
        // address is refused as a whole.
        if addrs.iter().all(|a| self.allows(&host.to_ascii_lowercase(), a.ip())) {
            addrs.first().copied().ok_or(EgressError::Unresolvable)
        } else {
            Err(EgressError::Forbidden)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED))
    }

    #[test]
    fn internal_ranges_are_not_public() {
        for s in [
            "127.0.0.1",
            "10.1.2.3",
            "172.20.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
        ] {
            assert!(!is_public(ip(s)), "{s}");
        }
        for s in ["93.184.216.34", "8.8.8.8", "2606:4700::1111"] {
            assert!(is_public(ip(s)), "{s}");
        }
    }

    #[test]
    fn the_allow_list_takes_cidrs_and_hosts() {
        let p = EgressPolicy::new(&["127.0.0.1/32".into(), "10.0.0.0/8".into(), "hooks.internal".into()]);
        assert!(p.allows("x", ip("127.0.0.1")));
        assert!(!p.allows("x", ip("127.0.0.2")));
        assert!(p.allows("x", ip("10.200.0.1")));
        assert!(p.allows("hooks.internal", ip("192.168.0.9")));
        assert!(!p.allows("other.internal", ip("192.168.0.9")));
    }

    #[test]
    fn only_plain_http_urls_parse() {
        let p = EgressPolicy::default();
        assert_eq!(p.parse("ftp://example.com/x"), Err(EgressError::Scheme));
        assert_eq!(p.parse("file:///etc/passwd"), Err(EgressError::Scheme));
        assert_eq!(p.parse("http://user:pw@example.com/"), Err(EgressError::Invalid));
        assert!(p.parse("https://example.com/hook").is_ok());
    }
}
