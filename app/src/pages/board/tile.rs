//! One check as a tile: name, status (symbol + word + colour), the one-line detail (when there is
//! more to say than the status word), and how fresh and how long-standing the result is.

use leptos::prelude::*;

use crate::model::adapters::board::{status_icon, TileView};
use crate::net::live::Live;

/// Rendered once per distinct [`TileView`]; only the ages update in place, every second.
#[component]
pub fn Tile(live: Live, tile: TileView) -> impl IntoView {
    let status = tile.status;
    let since = {
        let tile = tile.clone();
        move || tile.since(live.server_now())
    };
    let age = {
        let tile = tile.clone();
        move || tile.age(live.server_now())
    };
    let TileView {
        name,
        detail,
        latency,
        ..
    } = tile.clone();
    view! {
        <li class="tile" data-testid=tile.test_id() data-status=status.label()>
            <div class="tile-head">
                <h3 class="tile-name">{name}</h3>
                <span class="badge">
                    <span class="badge-icon" aria-hidden="true">{status_icon(status)}</span>
                    {status.label()}
                </span>
            </div>
            {(!detail.is_empty()).then(|| view! { <p class="tile-detail">{detail}</p> })}
            <p class="tile-meta">
                {move || since().map(|s| view! { <span class="since">{s}</span> })}
                <span class="age">{age}</span>
                {latency.map(|l| view! { <span class="latency">{l}</span> })}
            </p>
        </li>
    }
}
