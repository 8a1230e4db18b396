//! Strict types for configured values, parsed once when the config is loaded and handed to the
//! subsystems as they are: a container name, a URL that reaches a remote command line, the
//! incident channel's webhook URL, business hours. Neither the config nor the subsystems parse
//! them again.

mod args;
mod business_hours;
mod webhook_url;

pub use args::{ContainerName, HttpUrl};
pub use business_hours::{BusinessHours, TimeOfDay, TimeZoneName};
pub use webhook_url::WebhookUrl;
