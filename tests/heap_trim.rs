//! The console gives freed heap back to the system (src/app/heap.rs). A test binary of its own:
//! no other test allocates while resident memory is read.

#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[test]
fn heap_freed_between_live_blocks_on_a_worker_thread_is_given_back_to_the_system() {
    fn rss_anon_kib() -> u64 {
        let s = std::fs::read_to_string("/proc/self/status").unwrap();
        s.lines()
            .find_map(|l| l.strip_prefix("RssAnon:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .expect("RssAnon in /proc/self/status")
    }
    // As a collection round leaves a worker's arena: 4,000 blocks of 4 KiB written, then nine
    // in ten freed while the tenth stays in use, so the free space is holes between live
    // blocks that free() alone never returns (only an arena's top is trimmed by itself).
    let kept = std::thread::spawn(|| {
        let blocks: Vec<Vec<u8>> = (0..4000).map(|i| vec![i as u8; 4096]).collect();
        blocks.into_iter().step_by(10).collect::<Vec<_>>()
    })
    .join()
    .unwrap();
    let before = rss_anon_kib();
    let released = opsdeck::app::heap::release_free_memory();
    let after = rss_anon_kib();
    assert!(released, "malloc_trim said it released nothing");
    assert!(
        after + 8 * 1024 <= before,
        "RssAnon {before} KiB -> {after} KiB: most of the 14 MiB freed stayed resident"
    );
    assert_eq!(kept.len(), 400, "the live blocks stay usable");
    assert!(
        kept.iter()
            .enumerate()
            .all(|(i, b)| b[4095] == (i * 10) as u8)
    );
}
