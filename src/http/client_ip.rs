//! The client's address: the direct peer, or the `X-Forwarded-For` hop just
//! before our trusted proxies when the peer is one of them. A spoofed header
//! from an untrusted peer changes nothing.
use std::net::{IpAddr, Ipv4Addr};

use actix_web::HttpRequest;
use ipnet::IpNet;

pub fn parse_trusted(entries: &[String]) -> Vec<IpNet> {
    entries
        .iter()
        .filter_map(|e| {
            e.parse::<IpNet>()
                .ok()
                .or_else(|| e.parse::<IpAddr>().ok().map(IpNet::from))
        })
        .collect()
}

pub fn client_ip(req: &HttpRequest, trusted: &[IpNet]) -> IpAddr {
    let peer = req
        .peer_addr()
        .map(|a| a.ip())
        .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
    resolve(
        peer,
        req.headers()
            .get("X-Forwarded-For")
            .and_then(|v| v.to_str().ok()),
        trusted,
    )
}

pub fn resolve(peer: IpAddr, forwarded_for: Option<&str>, trusted: &[IpNet]) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|n| n.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    let Some(header) = forwarded_for else {
        return peer;
    };
    // Walk from the nearest hop outwards; the first untrusted address is the client.
    let mut last = peer;
    for hop in header.rsplit(',') {
        match hop.trim().parse::<IpAddr>() {
            Ok(ip) if is_trusted(&ip) => last = ip,
            Ok(ip) => return ip,
            Err(_) => return last,
        }
    }
    last
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forwarded_for_only_counts_behind_a_trusted_proxy() {
        let trusted = parse_trusted(&["127.0.0.1/32".into(), "10.0.0.0/8".into()]);
        let proxy: IpAddr = "127.0.0.1".parse().unwrap();
        let stranger: IpAddr = "203.0.113.9".parse().unwrap();
        assert_eq!(resolve(stranger, Some("1.2.3.4"), &trusted), stranger);
        assert_eq!(
            resolve(proxy, Some("1.2.3.4"), &trusted),
            "1.2.3.4".parse::<IpAddr>().unwrap()
        );
        assert_eq!(
            resolve(proxy, Some("9.9.9.9, 1.2.3.4, 10.1.1.1"), &trusted),
            "1.2.3.4".parse::<IpAddr>().unwrap(),
            "the client-supplied leftmost entry is ignored"
        );
        assert_eq!(resolve(proxy, Some("garbage"), &trusted), proxy);
        assert_eq!(resolve(proxy, None, &trusted), proxy);
    }
}
