//! The clipboard and the console's own address, for what a user copies out of it (a share link,
//! an action item as Markdown).

use wasm_bindgen::JsCast;

/// `navigator.clipboard.writeText`. False when the browser has no clipboard API here (it exists
/// only on https and localhost) or refused.
pub async fn copy_text(text: &str) -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    let navigator = window.navigator();
    // Checked first: calling a method of an undefined `navigator.clipboard` would throw.
    let Ok(clipboard) = js_sys::Reflect::get(&navigator, &"clipboard".into()) else {
        return false;
    };
    if clipboard.is_undefined() || clipboard.is_null() {
        return false;
    }
    let clipboard: web_sys::Clipboard = clipboard.unchecked_into();
    wasm_bindgen_futures::JsFuture::from(clipboard.write_text(text))
        .await
        .is_ok()
}

/// `location.origin`, e.g. `https://aegis.example`.
pub fn origin() -> String {
    web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default()
}
