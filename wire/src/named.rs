//! Unit enums on the wire (`"down"`, `"sev1"`, `"commander"`): written by serde's derive, read by
//! one shared `String` reader and a match on the names.
//!
//! serde's derived reader for a unit enum goes through its enum machinery (an enum access, a
//! variant identifier visitor), instantiated once per enum: in the SPA's first screen ten enums
//! cost more than the code that uses them. Reading the string and matching it against the names
//! that `as_str` already gives costs a few bytes per enum. The names stay one list per enum: its
//! `ALL` and `as_str`, which a test checks against what serde writes.

use std::fmt;

/// A unit enum written as its name.
pub(crate) trait Named: Copy + 'static {
    /// Every value, in declaration order.
    const ALL: &'static [Self];
    /// What a value is, for errors ("status", "severity").
    const WHAT: &'static str;
    /// The wire name.
    fn name(self) -> &'static str;
}

/// A name that is none of an enum's (the error of its `TryFrom<String>`). Reads like serde's own.
pub struct UnknownName {
    what: &'static str,
    name: String,
    expected: Vec<&'static str>,
}

impl fmt::Display for UnknownName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown {} `{}`, expected one of: {}",
            self.what,
            self.name,
            self.expected.join(", ")
        )
    }
}

/// The value called `name`.
pub(crate) fn by_name<T: Named>(name: String) -> Result<T, UnknownName> {
    T::ALL
        .iter()
        .copied()
        .find(|v| v.name() == name)
        .ok_or_else(|| UnknownName {
            what: T::WHAT,
            name: name.chars().take(64).collect(),
            expected: T::ALL.iter().map(|v| v.name()).collect(),
        })
}

/// Reads `$t` (which has `ALL` and `as_str`) by name: add `#[serde(try_from = "String")]` to it.
macro_rules! read_by_name {
    ($t:ty, $what:literal) => {
        impl $crate::named::Named for $t {
            const ALL: &'static [Self] = &<$t>::ALL;
            const WHAT: &'static str = $what;
            fn name(self) -> &'static str {
                self.as_str()
            }
        }

        impl TryFrom<String> for $t {
            type Error = $crate::named::UnknownName;

            fn try_from(name: String) -> Result<Self, Self::Error> {
                $crate::named::by_name(name)
            }
        }
    };
}
pub(crate) use read_by_name;

impl fmt::Debug for UnknownName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl std::error::Error for UnknownName {}

#[cfg(test)]
mod tests {
    use crate::*;

    /// Every value of `T` reads back from what serde writes for it.
    fn reads_back<T>()
    where
        T: super::Named + serde::Serialize + serde::de::DeserializeOwned + PartialEq + fmt::Debug,
    {
        for v in T::ALL {
            let json = serde_json::to_string(v).unwrap();
            assert_eq!(json, format!("\"{}\"", v.name()));
            assert_eq!(serde_json::from_str::<T>(&json).unwrap(), *v);
        }
    }

    use std::fmt;

    #[test]
    fn every_name_reads_back_as_written() {
        reads_back::<Status>();
        reads_back::<Scope>();
        reads_back::<Severity>();
        reads_back::<Phase>();
        reads_back::<DeliveryState>();
        reads_back::<Role>();
        reads_back::<Domain>();
    }

    #[test]
    fn an_unknown_name_is_refused_with_the_names_it_could_be() {
        let err = serde_json::from_str::<Status>("\"Up\"").unwrap_err();
        assert!(
            err.to_string()
                .contains("unknown status `Up`, expected one of: down, degraded, unknown, up"),
            "{err}"
        );
        assert!(serde_json::from_str::<Role>("\"root\"").is_err());
        assert!(serde_json::from_str::<Severity>("1").is_err());
        let long = format!("\"{}\"", "x".repeat(10_000));
        let err = serde_json::from_str::<Phase>(&long)
            .unwrap_err()
            .to_string();
        assert!(err.len() < 200, "the name is cut short in the error: {err}");
    }
}
