//! Strict types for configured values, parsed once when the config is loaded and handed to the
//! subsystems as they are: a container name, a URL that reaches a remote command line, the
//! incident channel's webhook URL, business hours. Neither the config nor the subsystems parse
//! them again.

/// `Deserialize` for a value type through its `parse(&str) -> Result<Self, String>`: a config
/// holding a bad value does not load, and the error names the key.
macro_rules! deserialize_by_parse {
    ($t:ty) => {
        impl<'de> serde::Deserialize<'de> for $t {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                <$t>::parse(&s).map_err(serde::de::Error::custom)
            }
        }
    };
}

mod args;
mod params;
pub use params::{Address, Email, IdentityId, ParamError};
mod business_hours;
mod host_path;
mod webhook_url;

pub use args::{ContainerName, HostPort, HttpUrl};
pub use business_hours::{BusinessHours, TimeOfDay, TimeZoneName};
pub use host_path::{ConfiguredCommand, DbRole, HostPath};
pub use webhook_url::WebhookUrl;
