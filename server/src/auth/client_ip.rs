//! The address a sign-in attempt comes from, for the per-address rate limit.
//!
//! Behind a reverse proxy every connection comes from the proxy, so all users would share one
//! budget and one attacker could spend it for everyone. When the TCP peer is a configured trusted
//! proxy, the client is the right-most `X-Forwarded-For` address that is not itself a trusted
//! proxy (the left part of the header is whatever the client wrote, so it is never believed). From
//! any other peer the header is ignored: it would let anyone pick their own budget.

use std::net::IpAddr;

use axum::http::HeaderMap;

///
/// Addresses are compared in canonical form: on a dual-stack listener an IPv4 peer is seen as
/// `::ffff:127.0.0.1`, which is the proxy written `127.0.0.1` in the config.
pub fn client_ip(peer: IpAddr, headers: &HeaderMap, trusted: &[IpAddr]) -> IpAddr {
    let peer = peer.to_canonical();
    let is_trusted = |ip: IpAddr| trusted.iter().any(|t| t.to_canonical() == ip);
    if !is_trusted(peer) {
        return peer;
    }
    let hops: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    for hop in hops.iter().rev() {
        match hop.parse::<IpAddr>().map(|ip| ip.to_canonical()) {
            Ok(ip) if is_trusted(ip) => continue,
            Ok(ip) => return ip,
            // A malformed hop: what lies left of it cannot be trusted either.
            Err(_) => return peer,
        }
    }
    peer
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(values: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append("x-forwarded-for", v.parse().unwrap());
        }
        h
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn an_untrusted_peer_cannot_choose_its_address() {
        let h = headers(&["198.51.100.7"]);
        assert_eq!(client_ip(ip("203.0.113.9"), &h, &[]), ip("203.0.113.9"));
        assert_eq!(
            client_ip(ip("203.0.113.9"), &h, &[ip("127.0.0.1")]),
            ip("203.0.113.9")
        );
    }

    #[test]
    fn behind_trusted_proxies_the_rightmost_untrusted_hop_is_the_client() {
        let trusted = [ip("127.0.0.1"), ip("10.0.0.2")];
        // The client claims to be 1.1.1.1; the proxies saw 198.51.100.7.
        let h = headers(&["1.1.1.1, 198.51.100.7", "10.0.0.2"]);
        assert_eq!(client_ip(ip("127.0.0.1"), &h, &trusted), ip("198.51.100.7"));
        assert_eq!(
            client_ip(ip("127.0.0.1"), &headers(&["2001:db8::5"]), &trusted),
            ip("2001:db8::5")
        );
    }

    #[test]
    fn a_dual_stack_listener_sees_the_ipv4_proxy_as_mapped() {
        let trusted = [ip("127.0.0.1")];
        let h = headers(&["198.51.100.7"]);
        assert_eq!(
            client_ip(ip("::ffff:127.0.0.1"), &h, &trusted),
            ip("198.51.100.7")
        );
        assert_eq!(
            client_ip(ip("::ffff:203.0.113.9"), &h, &trusted),
            ip("203.0.113.9"),
            "an untrusted mapped peer is itself, in its IPv4 form"
        );
    }

    #[test]
    fn no_or_malformed_header_means_the_peer() {
        let trusted = [ip("127.0.0.1")];
        assert_eq!(
            client_ip(ip("127.0.0.1"), &HeaderMap::new(), &trusted),
            ip("127.0.0.1")
        );
        assert_eq!(
            client_ip(ip("127.0.0.1"), &headers(&["1.1.1.1, unknown"]), &trusted),
            ip("127.0.0.1")
        );
    }
}
