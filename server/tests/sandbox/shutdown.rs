//! A gateway stopped as an operator or systemd stops it (SIGTERM) closes its SSH master
//! connection. The master (`ssh -M -f`, `ControlPersist=yes`) runs detached from the gateway: one
//! that is not closed stays logged in to the host for good, and every restart adds one.

use std::time::Duration;

use super::served::{close_orphaned_masters, Served};
use super::support::{repo_root, Sandbox};

#[tokio::test]
async fn a_gateway_stopped_with_sigterm_leaves_no_ssh_master_logged_in_to_the_host() {
    let sb = Sandbox::claim().await;
    let base = repo_root().join("target/sandbox-tests");
    std::fs::create_dir_all(&base).unwrap();
    let dir = tempfile::Builder::new()
        .prefix("stop")
        .tempdir_in(&base)
        .unwrap();
    for round in 1..=3 {
        let data = dir.path().join(format!("data{round}"));
        let g = Served::start(&sb, &data);
        g.wait_log("ssh master connected", Duration::from_secs(30));
        let log = g.log();
        g.stop();
        // What is still running is closed here, and counted.
        let left = close_orphaned_masters(&data);
        assert_eq!(
            left, 0,
            "round {round}: the gateway exited after SIGTERM but its ssh master still runs, logged in to the host\n{log}"
        );
    }
}
