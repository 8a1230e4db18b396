//! Gateway timestamps as the viewer's time of day: the one place that asks the browser for its
//! time zone (`model::time::time_of_day` does the arithmetic).

use wasm_bindgen::JsValue;

use crate::model::time::time_of_day;

/// An incident's time of day in the viewer's time zone: "03:12", or "03:12:09" with `seconds`.
pub fn local_time(ms: i64, seconds: bool) -> String {
    let date = js_sys::Date::new(&JsValue::from_f64(ms as f64));
    // `getTimezoneOffset` is UTC minus local, in minutes.
    let offset = -(date.get_timezone_offset() as i64);
    time_of_day(ms, offset, seconds)
}
