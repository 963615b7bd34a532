//! Redis Cluster topology from `CLUSTER NODES`, re-read every round so failovers and
//! resharding show up without a restart.

/// One node as CLUSTER NODES describes it.
#[derive(Debug, Clone, PartialEq)]
pub struct ClusterNode {
    pub id: String,
    /// "host:port" (the client port; the cluster bus port is dropped).
    pub addr: String,
    pub primary: bool,
    /// For a replica, the id of its primary.
    pub primary_id: Option<String>,
    /// Lowest slot served (primaries with slots), for stable shard numbering.
    pub first_slot: Option<u16>,
    /// Flagged `fail` / `fail?` by the cluster.
    pub failing: bool,
}

/// Parse CLUSTER NODES. `seed_host` replaces an empty host (a node that only knows itself
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
            // ip:port@cport[,hostname]
            let hostport = f[1].split('@').next()?;
            let (host, port) = hostport.rsplit_once(':')?;
            let host = if host.is_empty() { seed_host } else { host };
            let first_slot = f[8..]
                .iter()
                .filter(|s| !s.starts_with('['))
                .filter_map(|s| s.split('-').next()?.parse::<u16>().ok())
                .min();
            Some(ClusterNode {
                id: f[0].to_string(),
                addr: format!("{host}:{port}"),
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
