//! The alarm detail's history in the demo: the simulated CloudWatch serves DescribeAlarmHistory
//! (the world's own evaluations), through the same wire trait and parser as real mode; the
//! detail lists the transitions newest first, the ones the console also saw merged in.

mod common;

use common::console::render;
use opsdeck::services::alarms::{self, AlarmsWire as _};
use opsdeck::services::{Collector as _, Sample, SourceKind, Update};
use opsdeck::sim::SimOptions;
use opsdeck::state::alarm_history::HistoryFetch;
use opsdeck::state::{State, StateInit};

#[tokio::test]
async fn a_demo_alarm_detail_shows_its_history_from_describe_alarm_history_newest_first() {
    let (world, start) = common::console::black_friday_world();
    let mut c = opsdeck::sim::alarms_collector(&world, false);
    let wire = opsdeck::sim::alarms_wire::SimAlarmsWire::new(world.clone(), false);
    let mut st = State::new(StateInit::default());
    let mut t = 0.0;
    let firing = loop {
        t += 300.0;
        assert!(t < 48.0 * 3600.0, "no alarm fired in two simulated days");
        opsdeck::sim::lock(&world).advance_to(t);
        let u = c.collect().await.unwrap();
        let Update::Alarms(v) = &u else { panic!() };
        let firing = v
            .alarms
            .iter()
            .find(|a| a.state == "ALARM")
            .map(|a| a.name.clone());
        st.apply_sample(Sample {
            source: SourceKind::Alarms,
            at: start + chrono::Duration::seconds(t as i64),
            result: Ok(u),
        });
        if let Some(name) = firing {
            break name;
        }
    };
    st.now = start + chrono::Duration::seconds(t as i64);
    st.alarm_detail = Some(firing.clone());
    let asked = st
        .alarm_history_request()
        .expect("asked when the detail opens");
    let answer = alarms::history(&wire, &asked, alarms::TIMEOUT).await;
    let items = wire.alarm_history(&asked, 50).await.unwrap();
    assert!(!items.is_empty());
    st.alarm_history_complete(&asked, opsdeck::app::alarm_history::to_fetch(answer));
    let Some(HistoryFetch::Loaded(h)) = st.alarm_history.fetch_of(&firing) else {
        panic!("the simulated endpoint serves the history")
    };
    let newest = h[0].clone();
    assert_eq!(newest.new, "ALARM");
    let screen = render(&st, 160, 48);
    assert!(
        screen.contains("DescribeAlarmHistory, with this console's own observations"),
        "{screen}"
    );
    let line = format!(
        "{}  {} -> ALARM",
        newest.at.format("%Y-%m-%d %H:%M:%S"),
        newest.old
    );
    assert!(screen.contains(&line), "missing {line:?}:\n{screen}");
    assert!(
        !screen.contains("-> ALARM (seen)"),
        "the console's own observation of the same change is merged, not repeated:\n{screen}"
    );
}

/// The demo's alarms in OK are counted by the collector (DescribeAlarms StateValue=OK on the
/// simulated endpoint) and shown on the overview as one line, "N alarms OK".
#[tokio::test]
async fn the_demo_overview_shows_the_alarms_in_ok_as_one_counted_line() {
    let world = opsdeck::sim::world(&SimOptions {
        seed: 7,
        ..SimOptions::default()
    });
    let mut c = opsdeck::sim::alarms_collector(&world, false);
    opsdeck::sim::lock(&world).advance_to(60.0);
    let u = c.collect().await.unwrap();
    let Update::Alarms(v) = &u else { panic!() };
    let ok = v.ok_count.expect("the demo's OK alarms are counted");
    assert!(ok > 0, "the calm demo has alarms in OK");
    assert!(
        v.alarms.iter().all(|a| a.state != "OK"),
        "counted, not listed"
    );
    let mut st = State::new(StateInit::default());
    st.apply_sample(Sample {
        source: SourceKind::Alarms,
        at: chrono::Utc::now(),
        result: Ok(u),
    });
    let frame = render(&st, 120, 30);
    assert!(frame.contains(&format!("{ok} alarms OK")), "{frame}");
    assert_eq!(st.data.alarms_ok_count, Some(ok));
}
