//! The health board's wording and order: counts and the one-glance headline, which scope comes
//! first, and each tile's printable fields (for `pages/board`, and the tab title in `lib.rs`).

use wire::{CheckResult, Scope, Status};

use crate::model::time;

/// Status as text and symbol, so that it never depends on colour alone.
pub fn status_icon(status: Status) -> &'static str {
    match status {
        Status::Down => "✕",
        Status::Degraded => "▲",
        Status::Unknown => "?",
        Status::Up => "✓",
    }
}

/// Counts for the summary line and the group headings.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub total: usize,
    pub down: usize,
    pub degraded: usize,
    pub unknown: usize,
}

impl Counts {
    pub fn of<'a>(checks: impl IntoIterator<Item = &'a CheckResult>) -> Self {
        let mut counts = Counts::default();
        for check in checks {
            counts.total += 1;
            match check.status {
                Status::Down => counts.down += 1,
                Status::Degraded => counts.degraded += 1,
                Status::Unknown => counts.unknown += 1,
                Status::Up => {}
            }
        }
        counts
    }

    pub fn up(&self) -> usize {
        self.total - self.down - self.degraded - self.unknown
    }

    /// The worst status present; `None` when there are no checks.
    pub fn worst(&self) -> Option<Status> {
        if self.down > 0 {
            Some(Status::Down)
        } else if self.degraded > 0 {
            Some(Status::Degraded)
        } else if self.unknown > 0 {
            Some(Status::Unknown)
        } else if self.total > 0 {
            Some(Status::Up)
        } else {
            None
        }
    }

    /// The one-glance line: "All 14 checks up", or "2 down, 1 degraded" (only non-zero parts).
    pub fn headline(&self) -> String {
        if self.total == 0 {
            return "No checks reported yet".to_owned();
        }
        if self.up() == self.total {
            return if self.total == 1 {
                "The 1 check is up".to_owned()
            } else {
                format!("All {} checks up", self.total)
            };
        }
        self.problems()
    }

    /// "2 down, 1 degraded, 1 unknown": the non-up parts only (empty when all are up).
    pub fn problems(&self) -> String {
        [
            (self.down, "down"),
            (self.degraded, "degraded"),
            (self.unknown, "unknown"),
        ]
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, label)| format!("{n} {label}"))
        .collect::<Vec<_>>()
        .join(", ")
    }

    /// A group heading's note: "all 4 up", or "1 down, 1 degraded · 2 up".
    pub fn brief(&self) -> String {
        if self.up() == self.total {
            format!("all {} up", self.total)
        } else if self.up() == 0 {
            self.problems()
        } else {
            format!("{} · {} up", self.problems(), self.up())
        }
    }

    /// The secondary line under a headline that reports trouble: "11 of 14 checks up".
    pub fn up_of_total(&self) -> String {
        let noun = if self.total == 1 { "check" } else { "checks" };
        format!("{} of {} {noun} up", self.up(), self.total)
    }
}

/// Scopes that have checks, the group with the worst check first (down, degraded, unknown, up);
/// ties keep `Scope` order (CIAM, IAM, Database, Edge, Host), so an all-green board always reads
/// in the same order.
pub fn group_order(checks: &[CheckResult]) -> Vec<Scope> {
    let mut groups: Vec<(Status, Scope)> = Scope::ALL
        .iter()
        .filter_map(|&scope| {
            checks
                .iter()
                .filter(|c| c.scope == scope)
                .map(|c| c.status)
                .min()
                .map(|worst| (worst, scope))
        })
        .collect();
    groups.sort();
    groups.into_iter().map(|(_, scope)| scope).collect()
}

/// A scope's tiles, in board order (worst first, then id). `full_board`: see [`TileView::for_viewer`].
pub fn tiles_in(checks: &[CheckResult], scope: Scope, full_board: bool) -> Vec<TileView> {
    checks
        .iter()
        .filter(|c| c.scope == scope)
        .map(|c| TileView::for_viewer(c, full_board))
        .collect()
}

/// One tile's printable fields, except the ages, which tick and are computed by [`TileView::age`]
/// and [`TileView::since`]. It is also the `<For>` key: a tile re-renders only when one of these
/// fields changes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TileView {
    pub id: String,
    pub name: String,
    pub status: Status,
    pub detail: String,
    pub latency: Option<String>,
    pub checked_at_ms: i64,
    pub since_ms: i64,
}

impl From<&CheckResult> for TileView {
    fn from(c: &CheckResult) -> Self {
        TileView {
            id: c.id.clone(),
            name: c.name.clone(),
            status: c.status,
            detail: c.detail.clone(),
            latency: c.latency_ms.map(time::latency),
            checked_at_ms: c.checked_at_ms,
            since_ms: c.since_ms,
        }
    }
}

impl TileView {
    /// The tile as this viewer should see it. A stakeholder's projection has no latency and a
    /// `detail` that is only the status word, which the badge already says: both are left out
    /// rather than printed as "up — up" or an empty latency. `full_board` is false for stakeholders
    /// and share viewers, who never see latency even if a gateway sent it.
    pub fn for_viewer(c: &CheckResult, full_board: bool) -> Self {
        let mut tile = TileView::from(c);
        if !full_board {
            tile.latency = None;
        }
        if tile.detail.trim().eq_ignore_ascii_case(c.status.label()) {
            tile.detail.clear();
        }
        tile
    }

    /// The `data-testid` hook.
    pub fn test_id(&self) -> String {
        format!("check-{}", self.id)
    }

    /// "checked 12 s ago" on the gateway's clock.
    pub fn age(&self, server_now_ms: i64) -> String {
        format!("checked {}", time::ago(server_now_ms - self.checked_at_ms))
    }

    /// "down for 3 min" for anything not up; `None` for up checks (nobody needs "up for 9 d").
    pub fn since(&self, server_now_ms: i64) -> Option<String> {
        if self.status == Status::Up || self.since_ms <= 0 {
            return None;
        }
        Some(format!(
            "{} for {}",
            self.status.label(),
            time::duration(server_now_ms - self.since_ms)
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::fixtures::check;

    #[test]
    fn headline_says_all_up_or_names_the_trouble() {
        let all_up = [
            check("a", Scope::Ciam, Status::Up),
            check("b", Scope::Iam, Status::Up),
        ];
        assert_eq!(Counts::of(&all_up).headline(), "All 2 checks up");
        assert_eq!(Counts::of(&all_up).worst(), Some(Status::Up));

        let trouble = [
            check("a", Scope::Ciam, Status::Down),
            check("b", Scope::Ciam, Status::Down),
            check("c", Scope::Iam, Status::Degraded),
            check("d", Scope::Iam, Status::Up),
        ];
        let counts = Counts::of(&trouble);
        assert_eq!(counts.headline(), "2 down, 1 degraded");
        assert_eq!(counts.up_of_total(), "1 of 4 checks up");
        assert_eq!(counts.brief(), "2 down, 1 degraded · 1 up");
        assert_eq!(Counts::of(&all_up).brief(), "all 2 up");
        assert_eq!(counts.worst(), Some(Status::Down));

        let unknown = [check("a", Scope::Host, Status::Unknown)];
        assert_eq!(Counts::of(&unknown).headline(), "1 unknown");
        assert_eq!(
            Counts::of(&[check("a", Scope::Host, Status::Up)]).headline(),
            "The 1 check is up"
        );
        assert_eq!(Counts::default().headline(), "No checks reported yet");
        assert_eq!(Counts::default().worst(), None);
    }

    #[test]
    fn groups_with_problems_come_first_then_scope_order() {
        let checks = [
            check("a", Scope::Ciam, Status::Up),
            check("b", Scope::Iam, Status::Up),
            check("c", Scope::Database, Status::Degraded),
            check("d", Scope::Host, Status::Down),
            check("e", Scope::Edge, Status::Unknown),
        ];
        assert_eq!(
            group_order(&checks),
            [
                Scope::Host,
                Scope::Database,
                Scope::Edge,
                Scope::Ciam,
                Scope::Iam
            ]
        );
        // Empty scopes are left out.
        assert_eq!(group_order(&checks[..2]), [Scope::Ciam, Scope::Iam]);
    }

    #[test]
    fn tile_texts() {
        let mut c = check("health.ciam-kratos", Scope::Ciam, Status::Down);
        c.checked_at_ms = 1_000_000;
        c.since_ms = 1_000_000 - 3 * 60_000;
        c.latency_ms = Some(1_234);
        let tile = TileView::from(&c);
        assert_eq!(tile.test_id(), "check-health.ciam-kratos");
        assert_eq!(tile.latency.as_deref(), Some("1.2 s"));
        assert_eq!(tile.age(1_012_000), "checked 12 s ago");
        assert_eq!(tile.since(1_000_000).as_deref(), Some("down for 3 min"));

        c.status = Status::Up;
        assert_eq!(TileView::from(&c).since(1_000_000), None);
        c.latency_ms = None;
        assert_eq!(TileView::from(&c).latency, None);
    }

    #[test]
    fn a_stakeholder_tile_drops_latency_and_the_repeated_status_word() {
        let mut c = check("health.ciam", Scope::Ciam, Status::Down);
        c.detail = "down".to_owned();
        c.latency_ms = Some(40);
        let tile = TileView::for_viewer(&c, false);
        assert_eq!(tile.detail, "");
        assert_eq!(tile.latency, None);

        c.detail = "HTTP 503".to_owned();
        let full = TileView::for_viewer(&c, true);
        assert_eq!(full.detail, "HTTP 503");
        assert_eq!(full.latency.as_deref(), Some("40 ms"));
        assert_eq!(tiles_in(&[c], Scope::Ciam, false)[0].latency, None);
    }
}
