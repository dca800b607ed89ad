//! Address ranges (`192.168.0.0/16`, `fe80::/10`) for the OSC allow-list.
//!
//! Written here rather than taken from a crate because the whole need is a
//! parser and `contains`, and the parser should speak to someone editing a
//! config file: a range with host bits set (`10.0.0.1/8`) is almost always a
//! typo, so it is refused with the range that was probably meant, where a
//! general-purpose crate quietly masks it. A peer reaching a dual-stack
//! socket as `::ffff:a.b.c.d` is the IPv4 host it is, and matches IPv4 ranges.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

/// An IPv4 or IPv6 network: an address with all host bits zero and a prefix length.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Cidr {
    addr: IpAddr,
    prefix: u8,
}

impl Cidr {
    /// The network `addr/prefix`; `None` if the prefix is longer than the
    /// address or `addr` has host bits set.
    pub fn new(addr: IpAddr, prefix: u8) -> Option<Cidr> {
        let c = Cidr { addr, prefix };
        (prefix <= c.max_prefix() && c.network() == addr).then_some(c)
    }

    /// A range holding the one address.
    pub fn host(addr: IpAddr) -> Cidr {
        let prefix = if addr.is_ipv4() { 32 } else { 128 };
        Cidr { addr, prefix }
    }

    pub fn addr(&self) -> IpAddr {
        self.addr
    }

    pub fn prefix(&self) -> u8 {
        self.prefix
    }

    /// Whether `ip` lies in this range.
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, ip.to_canonical()) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let m = mask32(self.prefix);
                u32::from(ip) & m == u32::from(net)
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let m = mask128(self.prefix);
                u128::from(ip) & m == u128::from(net)
            }
            _ => false,
        }
    }

    fn max_prefix(&self) -> u8 {
        if self.addr.is_ipv4() {
            32
        } else {
            128
        }
    }

    /// `addr` with the host bits cleared.
    fn network(&self) -> IpAddr {
        match self.addr {
            IpAddr::V4(a) => Ipv4Addr::from(u32::from(a) & mask32(self.prefix)).into(),
            IpAddr::V6(a) => Ipv6Addr::from(u128::from(a) & mask128(self.prefix)).into(),
        }
    }
}

fn mask32(prefix: u8) -> u32 {
    u32::MAX.checked_shl(32 - u32::from(prefix)).unwrap_or(0)
}

fn mask128(prefix: u8) -> u128 {
    u128::MAX.checked_shl(128 - u32::from(prefix)).unwrap_or(0)
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.addr, self.prefix)
    }
}

impl FromStr for Cidr {
    type Err = String;

    /// `a.b.c.d/n`, `x:y::z/n`, or a bare address (a range of one host).
    fn from_str(s: &str) -> Result<Cidr, String> {
        let s = s.trim();
        let Some((addr, prefix)) = s.split_once('/') else {
            return s
                .parse::<IpAddr>()
                .map(Cidr::host)
                .map_err(|_| format!("`{s}` is not an address or range"));
        };
        let addr: IpAddr = addr
            .parse()
            .map_err(|_| format!("`{addr}` in `{s}` is not an IP address"))?;
        let longest = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = prefix
            .parse::<u8>()
            .ok()
            .filter(|p| *p <= longest)
            .ok_or_else(|| {
                format!("`{s}` has prefix length `{prefix}`; it must be 0 to {longest}")
            })?;
        let wide = Cidr { addr, prefix };
        Cidr::new(addr, prefix).ok_or_else(|| {
            format!(
                "`{s}` has host bits set; did you mean `{}/{prefix}`?",
                wide.network()
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn cidr(s: &str) -> Cidr {
        s.parse().unwrap()
    }

    #[test]
    fn ipv4_ranges_contain_exactly_their_block() {
        let c = cidr("172.16.0.0/12");
        // 172.16.0.0/12 spans 172.16.0.0 ..= 172.31.255.255 (RFC 1918).
        assert!(c.contains(ip("172.16.0.0")));
        assert!(c.contains(ip("172.31.255.255")));
        assert!(!c.contains(ip("172.32.0.0")));
        assert!(!c.contains(ip("172.15.255.255")));
        assert!(cidr("0.0.0.0/0").contains(ip("203.0.113.9")));
        let one = cidr("192.168.1.40");
        assert_eq!(one.prefix(), 32);
        assert!(one.contains(ip("192.168.1.40")));
        assert!(!one.contains(ip("192.168.1.41")));
    }

    #[test]
    fn ipv6_ranges_and_mapped_ipv4_peers() {
        let ll = cidr("fe80::/10");
        assert!(ll.contains(ip("fe80::1")));
        assert!(ll.contains(ip("febf:ffff::1")));
        assert!(!ll.contains(ip("fec0::1")));
        assert!(cidr("::1/128").contains(ip("::1")));
        assert!(cidr("::/0").contains(ip("2001:db8::5")));
        // A dual-stack socket reports IPv4 peers as ::ffff:a.b.c.d.
        assert!(cidr("10.0.0.0/8").contains(ip("::ffff:10.1.2.3")));
        assert!(!cidr("10.0.0.0/8").contains(ip("::ffff:11.1.2.3")));
        assert!(!cidr("10.0.0.0/8").contains(ip("fe80::1")));
        assert!(!ll.contains(ip("10.0.0.1")));
    }

    #[test]
    fn mistakes_are_refused_with_a_reason() {
        let e = "10.0.0.1/8".parse::<Cidr>().unwrap_err();
        assert!(e.contains("did you mean `10.0.0.0/8`"), "{e}");
        let e = "fe80::1/10".parse::<Cidr>().unwrap_err();
        assert!(e.contains("`fe80::/10`"), "{e}");
        let e = "10.0.0.0/33".parse::<Cidr>().unwrap_err();
        assert!(e.contains("0 to 32"), "{e}");
        let e = "::/129".parse::<Cidr>().unwrap_err();
        assert!(e.contains("0 to 128"), "{e}");
        assert!("10.0.0/8".parse::<Cidr>().is_err());
        assert!("lan".parse::<Cidr>().is_err());
        assert!("10.0.0.0/x".parse::<Cidr>().is_err());
        assert_eq!(Cidr::new(ip("10.0.0.1"), 8), None);
        assert_eq!(Cidr::new(ip("10.0.0.0"), 40), None);
    }

    #[test]
    fn display_round_trips() {
        for s in ["127.0.0.0/8", "0.0.0.0/0", "fc00::/7", "::1/128"] {
            assert_eq!(cidr(s).to_string(), s);
        }
    }
}
