//! The client's copy of the board, and how server messages change it.
//!
//! Plain data with no signals, so the merge rules are unit-tested natively. `net/live.rs` wraps it
//! in a Leptos signal and feeds it from the websocket and from `GET /api/health`.

use wire::{CheckResult, HealthSnapshot, HostState, ServerMsg};

/// What the board shows: the last known snapshot, kept up to date by `changes` messages.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BoardState {
    pub host: Option<HostState>,
    /// Always sorted by [`sort_checks`]: worst status first, then scope, then id.
    pub checks: Vec<CheckResult>,
    pub sweep_seq: u64,
    pub swept_at_ms: i64,
    pub interval_ms: u64,
    pub sweeping: bool,
    /// False until the first snapshot: the board then says "loading", not "0 checks".
    pub loaded: bool,
}

/// Where a snapshot came from. The websocket's is authoritative; an HTTP one may be older than what
/// the websocket already delivered (the two race at start-up), so it must not roll the board back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    Socket,
    Http,
}

impl BoardState {
    /// Replaces the board with a whole snapshot. Returns whether it was applied.
    pub fn apply_snapshot(&mut self, snapshot: HealthSnapshot, origin: Origin) -> bool {
        if origin == Origin::Http && self.loaded && snapshot.sweep_seq < self.sweep_seq {
            return false;
        }
        let HealthSnapshot {
            host,
            mut checks,
            sweep_seq,
            swept_at_ms,
            interval_ms,
            sweeping,
        } = snapshot;
        sort_checks(&mut checks);
        *self = BoardState {
            host: Some(host),
            checks,
            sweep_seq,
            swept_at_ms,
            interval_ms,
            sweeping,
            loaded: true,
        };
        true
    }

    /// Merges a sweep's changed checks by id (new ids are added) and re-sorts.
    pub fn apply_changes(
        &mut self,
        changed: Vec<CheckResult>,
        host: HostState,
        sweep_seq: u64,
        swept_at_ms: i64,
    ) {
        // Every check ran in this sweep: the ones not listed are unchanged and as fresh as the sweep.
        for slot in self.checks.iter_mut() {
            slot.checked_at_ms = slot.checked_at_ms.max(swept_at_ms);
        }
        for check in changed {
            match self.checks.iter_mut().find(|c| c.id == check.id) {
                Some(slot) => *slot = check,
                None => self.checks.push(check),
            }
        }
        self.sweeping = false;
        sort_checks(&mut self.checks);
        self.host = Some(host);
        self.sweep_seq = sweep_seq;
        self.swept_at_ms = swept_at_ms;
    }

    /// Applies a board-changing message. Heartbeats, errors and incident messages do not touch the
    /// board (so that they do not wake every view that reads it); `live.rs` routes those.
    pub fn apply(&mut self, msg: ServerMsg) {
        match msg {
            ServerMsg::Snapshot { snapshot } => {
                self.apply_snapshot(snapshot, Origin::Socket);
            }
            ServerMsg::Changes {
                changed,
                host,
                sweep_seq,
                swept_at_ms,
            } => self.apply_changes(changed, host, sweep_seq, swept_at_ms),
            ServerMsg::Sweeping { sweeping } => self.sweeping = sweeping,
            // Incidents live in `incident_state::IncidentStore`, beside the board.
            ServerMsg::Heartbeat { .. }
            | ServerMsg::Error { .. }
            | ServerMsg::Incidents { .. }
            | ServerMsg::Incident { .. }
            | ServerMsg::Entry { .. }
            | ServerMsg::Delivery { .. } => {}
        }
    }
}

/// Worst first (`Status`'s order), then by scope, then by id, so the order is stable between sweeps.
pub fn sort_checks(checks: &mut [CheckResult]) {
    checks.sort_by(CheckResult::board_order);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::fixtures::check;
    use wire::{Scope, Status};

    fn host() -> HostState {
        HostState {
            target: "olympus".to_owned(),
            reachable: true,
            detail: "connected".to_owned(),
        }
    }

    fn snapshot(seq: u64, checks: Vec<CheckResult>) -> HealthSnapshot {
        HealthSnapshot {
            host: host(),
            checks,
            sweep_seq: seq,
            swept_at_ms: 1_000,
            interval_ms: 30_000,
            sweeping: false,
        }
    }

    fn ids(board: &BoardState) -> Vec<&str> {
        board.checks.iter().map(|c| c.id.as_str()).collect()
    }

    #[test]
    fn snapshot_is_sorted_worst_first_then_scope_then_id() {
        let mut board = BoardState::default();
        assert!(!board.loaded);
        board.apply_snapshot(
            snapshot(
                1,
                vec![
                    check("b", Scope::Iam, Status::Up),
                    check("a", Scope::Iam, Status::Up),
                    check("z", Scope::Host, Status::Down),
                    check("y", Scope::Ciam, Status::Degraded),
                    check("x", Scope::Ciam, Status::Down),
                ],
            ),
            Origin::Socket,
        );
        assert!(board.loaded);
        assert_eq!(ids(&board), ["x", "z", "y", "a", "b"]);
    }

    #[test]
    fn changes_merge_by_id_and_resort() {
        let mut board = BoardState::default();
        board.apply(ServerMsg::Snapshot {
            snapshot: snapshot(
                1,
                vec![
                    check("a", Scope::Ciam, Status::Up),
                    check("b", Scope::Iam, Status::Up),
                ],
            ),
        });
        board.apply(ServerMsg::Changes {
            changed: vec![
                check("b", Scope::Iam, Status::Down),
                check("c", Scope::Edge, Status::Degraded),
            ],
            host: host(),
            sweep_seq: 2,
            swept_at_ms: 9_000,
        });
        assert_eq!(ids(&board), ["b", "c", "a"]);
        assert_eq!(board.checks.len(), 3);
        assert_eq!(board.sweep_seq, 2);
        assert_eq!(board.swept_at_ms, 9_000);
    }

    #[test]
    fn unlisted_checks_count_as_checked_by_the_sweep_and_the_sweep_is_over() {
        let mut board = BoardState::default();
        board.apply(ServerMsg::Snapshot {
            snapshot: snapshot(1, vec![check("a", Scope::Ciam, Status::Up)]),
        });
        board.apply(ServerMsg::Sweeping { sweeping: true });
        board.apply(ServerMsg::Changes {
            changed: vec![],
            host: host(),
            sweep_seq: 2,
            swept_at_ms: 9_000,
        });
        assert_eq!(
            board.checks[0].checked_at_ms, 9_000,
            "age restarts with every sweep"
        );
        assert_eq!(
            board.checks[0].since_ms, 500,
            "but the state's age does not"
        );
        assert!(!board.sweeping);
    }

    #[test]
    fn older_http_snapshot_does_not_roll_back_the_socket() {
        let mut board = BoardState::default();
        board.apply_snapshot(
            snapshot(5, vec![check("a", Scope::Ciam, Status::Down)]),
            Origin::Socket,
        );
        let applied = board.apply_snapshot(
            snapshot(4, vec![check("a", Scope::Ciam, Status::Up)]),
            Origin::Http,
        );
        assert!(!applied);
        assert_eq!(board.checks[0].status, Status::Down);
        // A socket snapshot always wins, even with a lower sequence (the gateway restarted).
        assert!(board.apply_snapshot(snapshot(0, vec![]), Origin::Socket));
        assert_eq!(board.sweep_seq, 0);
    }

    #[test]
    fn sweeping_flag_and_heartbeats() {
        let mut board = BoardState::default();
        board.apply(ServerMsg::Sweeping { sweeping: true });
        assert!(board.sweeping);
        let before = board.clone();
        board.apply(ServerMsg::Heartbeat { server_now_ms: 5 });
        board.apply(ServerMsg::Error {
            message: "nope".to_owned(),
        });
        assert_eq!(board, before);
    }
}
