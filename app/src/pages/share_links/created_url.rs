//! The one time a new link's URL is shown: a read-only field, a copy button and the warning that it
//! cannot be shown again (the gateway keeps only a hash of the token).

use crate::components::clipboard::copy_text;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// The new link's URL, once: a read-only field (easy to select by hand), a copy button and the
/// warning that it cannot be shown again.
#[component]
pub fn CreatedUrl(url: String) -> impl IntoView {
    let copied = RwSignal::new(None::<bool>);
    let field = NodeRef::<leptos::html::Input>::new();
    let on_copy = {
        let url = url.clone();
        move |_| {
            let url = url.clone();
            spawn_local(async move {
                let ok = copy_text(&url).await;
                if !ok {
                    // No clipboard (plain http, old browser): select it so a long-press copies.
                    if let Some(input) = field.get_untracked() {
                        input.select();
                    }
                }
                copied.set(Some(ok));
            });
        }
    };
    view! {
        <div class="created" role="status">
            <p class="created-warning">
                <strong>"Copy this link now."</strong>
                " It will not be shown again; if it is lost, revoke it and create a new one."
            </p>
            <input
                class="created-url"
                type="text"
                readonly
                aria-label="Share link"
                data-testid="share-url"
                node_ref=field
                prop:value=url.clone()
                on:focus=move |_| {
                    if let Some(input) = field.get_untracked() {
                        input.select();
                    }
                }
            />
            <button type="button" class="btn" data-testid="share-copy" on:click=on_copy>
                {move || match copied.get() {
                    Some(true) => "Copied ✓",
                    _ => "Copy link",
                }}
            </button>
            {move || {
                (copied.get() == Some(false))
                    .then(|| {
                        view! {
                            <p class="note">"Copying is blocked here; the link is selected, copy it by hand."</p>
                        }
                    })
            }}
        </div>
    }
}
