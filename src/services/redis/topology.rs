//! Redis Cluster topology from `CLUSTER NODES`, re-read every round so failovers and
//! resharding show up without a restart.

/// One node as CLUSTER NODES describes it.
#[derive(Debug, Clone, PartialEq)]
pub struct ClusterNode {
    pub id: String,
    /// "host:port" to connect to and show: the announced hostname when the node has one
    /// (`cluster-announce-hostname`; TLS certificates name it, not the IP), else the IP.
    /// The client port; the cluster bus port is dropped.
    pub addr: String,
    /// The IP the node announces (`seed_host` when it reports none).
    pub ip: String,
    /// `cluster-announce-hostname`, when announced (Redis >= 7.0).
    pub hostname: Option<String>,
    pub primary: bool,
    /// For a replica, the id of its primary.
    pub primary_id: Option<String>,
    /// Lowest slot served (primaries with slots), for stable shard numbering.
    pub first_slot: Option<u16>,
    /// Flagged `fail` / `fail?` by the cluster.
    pub failing: bool,
}

/// The address field of a CLUSTER NODES line, in every form Redis has printed:
/// `ip:port` (< 4.0), `ip:port@cport` (4.0+), `ip:port@cport,hostname` (7.0+, hostname
/// empty when none is announced) and `ip:port@cport,hostname,key=value,...` (7.2+ auxiliary
/// fields such as `shard-id`, `tls-port`). IPv6 IPs are printed bare (`::1:7000@17000`).
/// Returns (ip, port, hostname).
pub fn parse_address(field: &str) -> Option<(String, u16, Option<String>)> {
    let mut parts = field.split(',');
    let ipport = parts.next()?.split('@').next()?;
    let (ip, port) = ipport.rsplit_once(':')?;
    let ip = ip.trim_start_matches('[').trim_end_matches(']');
    let port = port.parse().ok()?;
    let hostname = parts
        .next()
        .filter(|h| !h.is_empty() && !h.contains('='))
        .map(str::to_string);
    Some((ip.to_string(), port, hostname))
}

/// Parse CLUSTER NODES. `seed_host` replaces an empty IP (a node that only knows itself
/// reports ":port").
pub fn parse_cluster_nodes(text: &str, seed_host: &str) -> Vec<ClusterNode> {
    text.lines()
        .filter_map(|line| {
            let f: Vec<&str> = line.split_whitespace().collect();
            if f.len() < 8 {
                return None;
            }
            let flags: Vec<&str> = f[2].split(',').collect();
            if flags.contains(&"noaddr") || flags.contains(&"handshake") {
                return None;
            }
            let (ip, port, hostname) = parse_address(f[1])?;
            let ip = if ip.is_empty() {
                seed_host.to_string()
            } else {
                ip
            };
            let host = hostname.as_deref().unwrap_or(&ip);
            // An IPv6 literal needs brackets to be a host:port.
            let addr = if host.contains(':') {
                format!("[{host}]:{port}")
            } else {
                format!("{host}:{port}")
            };
            // Slots: "0-5460", "5461", and migrating/importing markers "[93->-id]" that
            // are not served slots.
            let first_slot = f[8..]
                .iter()
                .filter(|s| !s.starts_with('['))
                .filter_map(|s| s.split('-').next()?.parse::<u16>().ok())
                .min();
            Some(ClusterNode {
                id: f[0].to_string(),
                addr,
                ip,
                hostname,
                primary: flags.contains(&"master"),
                primary_id: (f[3] != "-").then(|| f[3].to_string()),
                first_slot,
                failing: flags.iter().any(|x| *x == "fail" || *x == "fail?"),
            })
        })
        .collect()
}

/// "shard-N" per node address, numbering primaries by their lowest slot; replicas take
/// their primary's shard.
pub fn shard_names(nodes: &[ClusterNode]) -> Vec<(String, String)> {
    // A primary without slots serves no shard (a node just added, or one whose failover the
    // answering node has not heard about yet).
    let mut primaries: Vec<&ClusterNode> = nodes
        .iter()
        .filter(|n| n.primary && n.first_slot.is_some())
        .collect();
    primaries.sort_by_key(|n| (n.first_slot.unwrap_or(u16::MAX), n.addr.clone()));
    let shard_of = |id: &str| {
        primaries
            .iter()
            .position(|p| p.id == id)
            .map(|i| format!("shard-{}", i + 1))
    };
    nodes
        .iter()
        .filter_map(|n| {
            let id = if n.primary {
                n.id.as_str()
            } else {
                n.primary_id.as_deref()?
            };
            Some((n.addr.clone(), shard_of(id)?))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const NODES: &str = "\
07c37dfeb235213a872192d90877d0cd55635b91 127.0.0.1:7004@17004 slave e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca 0 1426238317239 4 connected
67ed2db8d677e59ec4a4cefb06858cf2a1a89fa1 127.0.0.1:7002@17002 master - 0 1426238316232 2 connected 5461-10922
292f8b365bb7edb5e285caf0b7e6ddc7265d2f4f 127.0.0.1:7003@17003 master - 0 1426238318243 3 connected 10923-16383
6ec23923021cf3ffec47632106199cb7f496ce01 127.0.0.1:7005@17005 slave 67ed2db8d677e59ec4a4cefb06858cf2a1a89fa1 0 1426238316232 5 connected
824fe116063bc5fcf9f4ffd895bc17aee7731ac3 127.0.0.1:7006@17006 slave,fail 292f8b365bb7edb5e285caf0b7e6ddc7265d2f4f 0 1426238317741 6 connected
e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca :7001@17001 myself,master - 0 0 1 connected 0-5460
";

    #[test]
    fn every_address_form_redis_prints_is_read() {
        // Forms from the CLUSTER NODES documentation, oldest first.
        let cases = [
            ("127.0.0.1:7000", ("127.0.0.1", 7000, None)),
            ("127.0.0.1:7000@17000", ("127.0.0.1", 7000, None)),
            ("127.0.0.1:7000@17000,", ("127.0.0.1", 7000, None)),
            (
                "127.0.0.1:4581@14581,localhost",
                ("127.0.0.1", 4581, Some("localhost")),
            ),
            (
                "127.0.0.1:30004@31004,,shard-id=a4e3fdf6b5c9e8a1b0c2d3e4f5a6b7c8d9e0f1a2",
                ("127.0.0.1", 30004, None),
            ),
            (
                "10.0.1.7:6379@16379,node-1.sessions.cache.amazonaws.com,tls-port=0,shard-id=b1",
                (
                    "10.0.1.7",
                    6379,
                    Some("node-1.sessions.cache.amazonaws.com"),
                ),
            ),
            (":7001@17001", ("", 7001, None)),
            ("::1:7000@17000", ("::1", 7000, None)),
        ];
        for (field, (ip, port, host)) in cases {
            let got = parse_address(field).unwrap_or_else(|| panic!("{field}"));
            assert_eq!(
                (got.0.as_str(), got.1, got.2.as_deref()),
                (ip, port, host),
                "{field}"
            );
        }
        assert_eq!(parse_address("no-port"), None);
    }

    #[test]
    fn announced_hostname_is_the_address_to_connect_to_and_show() {
        let text = "\
e3bf9a1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f70 127.0.0.1:4581@14581,localhost myself,master - 0 1795939113000 1 connected 0-5460
a1b2c3d4e5f60718293a4b5c6d7e8f9012345678 127.0.0.1:4582@14582,localhost master - 0 1795939113000 2 connected 5461-10922
f0e1d2c3b4a5968778695a4b3c2d1e0f98765432 127.0.0.1:4583@14583,,shard-id=77 master - 0 1795939113000 3 connected 10923-16383
";
        let n = parse_cluster_nodes(text, "127.0.0.1");
        assert_eq!(n[0].addr, "localhost:4581");
        assert_eq!(n[0].ip, "127.0.0.1");
        assert_eq!(n[0].hostname.as_deref(), Some("localhost"));
        assert_eq!(n[2].addr, "127.0.0.1:4583", "no hostname: the IP");
    }

    #[test]
    fn flags_and_slot_markers_of_every_documented_kind() {
        let text = "\
aaaa 127.0.0.1:7001@17001 myself,master - 0 0 1 connected 0-5460 [5461->-bbbb]
bbbb 127.0.0.1:7002@17002 master,nofailover - 0 1 2 connected 5461 5462-10922 [93-<-aaaa]
cccc 127.0.0.1:7003@17003 slave,fail? bbbb 1 1 2 disconnected
dddd :0@0 master,noaddr - 0 0 0 disconnected
eeee 127.0.0.1:7005@17005 handshake - 0 0 0 connected
ffff 127.0.0.1:7006@17006 master,fail - 0 0 3 disconnected
gggg 127.0.0.1:7007@17007 noflags - 0 0 0 connected
";
        let n = parse_cluster_nodes(text, "127.0.0.1");
        let ids: Vec<&str> = n.iter().map(|x| x.id.as_str()).collect();
        assert_eq!(
            ids,
            ["aaaa", "bbbb", "cccc", "ffff", "gggg"],
            "noaddr/handshake left out"
        );
        assert_eq!(n[0].first_slot, Some(0), "a migrating marker is not a slot");
        assert_eq!(n[1].first_slot, Some(5461));
        assert!(n[2].failing && !n[2].primary);
        assert_eq!(n[2].primary_id.as_deref(), Some("bbbb"));
        assert!(n[3].failing && n[3].first_slot.is_none());
        assert!(!n[4].primary);
    }

    #[test]
    fn nodes_roles_and_shards_are_read() {
        let n = parse_cluster_nodes(NODES, "10.0.0.9");
        assert_eq!(n.len(), 6);
        let me = n.iter().find(|x| x.addr == "10.0.0.9:7001").unwrap();
        assert!(me.primary);
        assert_eq!(me.first_slot, Some(0));
        assert!(
            n.iter()
                .find(|x| x.addr.ends_with(":7006"))
                .unwrap()
                .failing
        );
        let shards = shard_names(&n);
        let s = |a: &str| {
            shards
                .iter()
                .find(|(x, _)| x.ends_with(a))
                .map(|(_, s)| s.as_str())
        };
        assert_eq!(s(":7001"), Some("shard-1"));
        assert_eq!(s(":7004"), Some("shard-1"));
        assert_eq!(s(":7002"), Some("shard-2"));
        assert_eq!(s(":7005"), Some("shard-2"));
        assert_eq!(s(":7006"), Some("shard-3"));
    }
}
