//! Outbound HTTP to tenant-controlled URLs (webhooks), guarded against SSRF.
//!
//! Only `http`/`https` URLs are accepted. The host is resolved and *every*
//! address must be public unless an operator allow-list entry (a CIDR or an
//! exact host name) permits it; a name that resolves to a mix of public and
//! internal addresses is refused as a whole, because the client could pick
//! either. The request is then pinned to the checked address (see
//! `kinds::deliver_webhook`, which also ignores proxy variables: a proxy would
//! resolve the name itself), and redirects are not followed, so DNS rebinding
//! or a redirect cannot steer a delivery to an internal service.
//!
//! Numeric IPv4 spellings (`2130706433`, `0177.0.0.1`, `0x7f.1`, `127.1`) need
//! no special case: the WHATWG URL parser normalises them to dotted quads
//! before they reach [`EgressPolicy::resolve`].
//!
//! Refused IPv4 ranges: `0.0.0.0/8` ("this network"), `10/8`, `172.16/12`,
//! `192.168/16` (private), `127/8` (loopback), `169.254/16` (link-local, home
//! of cloud metadata services), `100.64/10` (carrier-grade NAT),
//! `192.0.0.0/24` (IETF protocol assignments), the documentation nets,
//! `192.88.99.0/24` (6to4 relay anycast: whoever answers is not a webhook),
//! `198.18/15` (benchmarking), multicast, and `240/4` with the broadcast address.
//!
//! IPv6 forms that *stand for* an IPv4 host are judged by that IPv4 address,
//! so `::ffff:169.254.169.254` is refused like `169.254.169.254`:
//! IPv4-mapped `::ffff:0:0/96`, and the NAT64 well-known prefix
//! `64:ff9b::/96` (RFC 6052; judged rather than refused so that deliveries
//! keep working behind DNS64, where every IPv4-only host resolves into it).
//!
//! Refused IPv6 ranges: `::/96` (unspecified, loopback and the deprecated
//! IPv4-compatible form, which some stacks still route to the IPv4 host),
//! `::ffff:0:0:0/96` (IPv4-translated, RFC 2765), `64:ff9b:1::/48` (local-use
//! NAT64, RFC 8215: the translator is ours and may reach anything),
//! `100::/64` (discard-only), `2001::/32` (Teredo), `2001:2::/48`
//! (benchmarking), `2001:10::/28` and `2001:20::/28` (ORCHID, not routable),
//! `2001:db8::/32` (documentation), `2002::/16` (6to4), `fc00::/7` (unique
//! local), `fe80::/10` (link-local), `fec0::/10` (deprecated site-local) and
//! `ff00::/8` (multicast). 6to4 and Teredo carry an IPv4 address too, but
//! reaching it goes through whichever relay answers the anycast route, so
//! judging the embedded address would still not say where the packets end
//! up; both are deprecated and no real endpoint needs them, so they are
//! refused outright.

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
        IpAddr::V6(v6) => match embedded_v4(v6) {
            Some(v4) => is_public_v4(v4),
            None => is_public_v6(v6),
        },
    }
}

/// The NAT64 well-known prefix, `64:ff9b::/96` (RFC 6052).
const NAT64: Ipv6Addr = Ipv6Addr::new(0x64, 0xff9b, 0, 0, 0, 0, 0, 0);

/// The IPv4 host an IPv6 address is a stand-in for: IPv4-mapped
/// (`::ffff:a.b.c.d`) and NAT64 (`64:ff9b::a.b.c.d`) addresses reach it
/// directly, so it is that host that must be judged.
fn embedded_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return Some(v4);
    }
    let [.., a, b, c, d] = ip.octets();
    in_net(IpAddr::V6(ip), IpAddr::V6(NAT64), 96).then_some(Ipv4Addr::new(a, b, c, d))
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
        || (o[0] == 192 && o[1] == 88 && o[2] == 99) // 192.88.99.0/24, 6to4 relay anycast
        || (o[0] == 198 && (o[1] & 0xfe) == 18) // 198.18.0.0/15, benchmarking
        || o[0] >= 240)
}

/// IPv6 ranges refused outright; the module doc says why for each.
const REFUSED_V6: [(Ipv6Addr, u8); 14] = [
    (Ipv6Addr::new(0, 0, 0, 0, 0, 0, 0, 0), 96), // ::/96, unspecified, loopback, IPv4-compatible
    (Ipv6Addr::new(0, 0, 0, 0, 0xffff, 0, 0, 0), 96), // ::ffff:0:0:0/96, IPv4-translated
    (Ipv6Addr::new(0x64, 0xff9b, 1, 0, 0, 0, 0, 0), 48), // 64:ff9b:1::/48, local-use NAT64
    (Ipv6Addr::new(0x100, 0, 0, 0, 0, 0, 0, 0), 64), // 100::/64, discard-only
    (Ipv6Addr::new(0x2001, 0, 0, 0, 0, 0, 0, 0), 32), // 2001::/32, Teredo
    (Ipv6Addr::new(0x2001, 2, 0, 0, 0, 0, 0, 0), 48), // 2001:2::/48, benchmarking
    (Ipv6Addr::new(0x2001, 0x10, 0, 0, 0, 0, 0, 0), 28), // 2001:10::/28, ORCHID
    (Ipv6Addr::new(0x2001, 0x20, 0, 0, 0, 0, 0, 0), 28), // 2001:20::/28, ORCHIDv2
    (Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0), 32), // 2001:db8::/32, documentation
    (Ipv6Addr::new(0x2002, 0, 0, 0, 0, 0, 0, 0), 16), // 2002::/16, 6to4
    (Ipv6Addr::new(0xfc00, 0, 0, 0, 0, 0, 0, 0), 7), // fc00::/7, unique local
    (Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, 0), 10), // fe80::/10, link-local
    (Ipv6Addr::new(0xfec0, 0, 0, 0, 0, 0, 0, 0), 10), // fec0::/10, site-local (deprecated)
    (Ipv6Addr::new(0xff00, 0, 0, 0, 0, 0, 0, 0), 8), // ff00::/8, multicast
];

fn is_public_v6(ip: Ipv6Addr) -> bool {
    !REFUSED_V6.iter().any(|&(net, bits)| in_net(IpAddr::V6(ip), IpAddr::V6(net), bits))
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
        self.check_addrs(host, &addrs)
    }

    /// Judges what `host` resolved to (no network). Every address must pass:
    /// a name that also resolves to an internal address is refused as a
    /// whole, since the client could connect to any of them.
    pub fn check_addrs(&self, host: &str, addrs: &[SocketAddr]) -> Result<SocketAddr, EgressError> {
        let first = addrs.first().copied().ok_or(EgressError::Unresolvable)?;
        let host = host.to_ascii_lowercase();
        if addrs.iter().all(|a| self.allows(&host, a.ip())) { Ok(first) } else { Err(EgressError::Forbidden) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Panics on a typo rather than falling back to an address that would
    /// make a "not public" assertion pass vacuously.
    fn ip(s: &str) -> IpAddr {
        match s.parse() {
            Ok(ip) => ip,
            Err(e) => panic!("bad test literal {s:?}: {e}"),
        }
    }

    fn sock(s: &str) -> SocketAddr {
        match s.parse() {
            Ok(a) => a,
            Err(e) => panic!("bad test literal {s:?}: {e}"),
        }
    }

    fn refused(list: &[&str]) {
        for s in list {
            assert!(!is_public(ip(s)), "{s} must not be public");
        }
    }

    fn public(list: &[&str]) {
        for s in list {
            assert!(is_public(ip(s)), "{s} must be public");
        }
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

    #[test]
    fn special_ipv4_ranges_are_not_public() {
        refused(&[
            "0.1.2.3",
            "192.0.0.1",
            "192.0.2.1",
            "192.88.99.1",
            "198.18.0.1",
            "198.19.255.255",
            "198.51.100.1",
            "203.0.113.1",
            "224.0.0.1",
            "240.0.0.1",
            "255.255.255.255",
        ]);
        public(&["192.88.98.1", "192.88.100.1", "198.20.0.1", "1.1.1.1"]);
    }

    #[test]
    fn nat64_is_judged_by_its_embedded_ipv4() {
        refused(&["64:ff9b::a9fe:a9fe", "64:ff9b::7f00:1", "64:ff9b::a00:1", "64:ff9b::c0a8:1", "64:ff9b::"]);
        // Behind DNS64 every IPv4-only host resolves into 64:ff9b::/96, so a
        // public embedded address stays deliverable.
        public(&["64:ff9b::808:808", "64:ff9b::5db8:d822"]);
        // The local-use prefix leads to our own translator: refused outright.
        refused(&["64:ff9b:1::808:808", "64:ff9b:1:ffff::1"]);
    }

    #[test]
    fn tunnelled_and_legacy_ipv4_in_ipv6_forms_are_refused() {
        refused(&[
            "2002:7f00:1::",                        // 6to4 of 127.0.0.1
            "2002:a9fe:a9fe::",                     // 6to4 of 169.254.169.254
            "2002:808:808::1",                      // 6to4 of a public address: still refused
            "2001:0:4136:e378:8000:63bf:3fff:fdd2", // Teredo
            "2001::1",
            "::7f00:1",        // IPv4-compatible 127.0.0.1
            "::808:808",       // IPv4-compatible, public embedded: still refused
            "::ffff:0:7f00:1", // IPv4-translated 127.0.0.1
            "::ffff:0:808:808",
        ]);
    }

    #[test]
    fn ipv4_mapped_is_judged_by_its_embedded_ipv4() {
        refused(&["::ffff:169.254.169.254", "::ffff:a9fe:a9fe", "::ffff:10.0.0.1", "::ffff:0.0.0.0"]);
        public(&["::ffff:8.8.8.8"]);
    }

    #[test]
    fn reserved_ipv6_ranges_are_not_public() {
        refused(&[
            "::",
            "::1",
            "fec0::1",
            "feff::1",
            "100::1",
            "100::ffff:ffff:ffff:ffff",
            "2001:2::1",
            "2001:10::1",
            "2001:1f::1",
            "2001:20::1",
            "2001:2f:ffff::1",
            "2001:db8::1",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "ff02::1",
            "ff0e::1",
        ]);
        public(&["2606:4700::1111", "2001:4860:4860::8888", "2a00:1450:4001::1"]);
        // Just outside the refused prefixes.
        public(&["100:0:0:1::1", "2001:3::1", "2001:30::1", "2003::1"]);
    }

    #[tokio::test]
    async fn numeric_and_bracketed_url_hosts_are_refused() {
        let p = EgressPolicy::default();
        // The WHATWG parser turns every numeric IPv4 spelling into a dotted
        // quad, so they meet the same checks as "127.0.0.1".
        for (raw, host) in [
            ("http://2130706433/", "127.0.0.1"),
            ("http://0177.0.0.1/", "127.0.0.1"),
            ("http://0x7f.0.0.1/", "127.0.0.1"),
            ("http://0x7f.1/", "127.0.0.1"),
            ("http://127.1/", "127.0.0.1"),
            ("http://0xa9fea9fe/", "169.254.169.254"),
        ] {
            let url = p.parse(raw).unwrap_or_else(|e| panic!("{raw}: {e}"));
            assert_eq!(url.host_str(), Some(host), "{raw}");
            assert_eq!(p.resolve(&url).await, Err(EgressError::Forbidden), "{raw}");
        }
        for raw in [
            "http://[::ffff:127.0.0.1]/",
            "http://[64:ff9b::a9fe:a9fe]/",
            "http://[2002:a9fe:a9fe::]/",
            "http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/",
            "http://[::7f00:1]/",
            "http://[fec0::1]/",
            "https://[::1]:8443/",
        ] {
            let url = p.parse(raw).unwrap_or_else(|e| panic!("{raw}: {e}"));
            assert_eq!(p.resolve(&url).await, Err(EgressError::Forbidden), "{raw}");
        }
    }

    #[tokio::test]
    async fn public_literals_resolve_without_dns() {
        let p = EgressPolicy::default();
        for (raw, addr) in
            [("http://8.8.8.8/x", "8.8.8.8:80"), ("https://[2606:4700::1111]/x", "[2606:4700::1111]:443")]
        {
            let url = p.parse(raw).unwrap_or_else(|e| panic!("{raw}: {e}"));
            assert_eq!(p.resolve(&url).await, Ok(sock(addr)), "{raw}");
        }
    }

    #[test]
    fn a_mixed_resolution_is_refused_as_a_whole() {
        let p = EgressPolicy::default();
        let public = [sock("93.184.216.34:443"), sock("[2606:2800:220:1::1]:443")];
        assert_eq!(p.check_addrs("example.com", &public), Ok(public[0]));
        for internal in ["10.0.0.1:443", "[::1]:443", "[64:ff9b::a9fe:a9fe]:443", "[::ffff:127.0.0.1]:443"] {
            let mixed = [public[0], sock(internal)];
            assert_eq!(p.check_addrs("example.com", &mixed), Err(EgressError::Forbidden), "{internal}");
            let mixed = [sock(internal), public[0]];
            assert_eq!(p.check_addrs("example.com", &mixed), Err(EgressError::Forbidden), "{internal}");
        }
        assert_eq!(p.check_addrs("example.com", &[]), Err(EgressError::Unresolvable));
    }

    #[test]
    fn the_allow_list_applies_to_resolved_addresses() {
        let p = EgressPolicy::new(&["10.0.0.0/8".into(), "Hooks.Internal".into()]);
        let internal = [sock("10.1.2.3:8080"), sock("93.184.216.34:8080")];
        assert_eq!(p.check_addrs("any.example", &internal), Ok(internal[0]));
        assert_eq!(p.check_addrs("HOOKS.internal", &[sock("192.168.0.9:80")]), Ok(sock("192.168.0.9:80")));
        assert_eq!(p.check_addrs("any.example", &[sock("192.168.0.9:80")]), Err(EgressError::Forbidden));
    }
}
