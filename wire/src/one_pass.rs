//! Helpers for the types read in one pass instead of through serde's buffering of tagged enums
//! (`live/fields.rs`, `incident/entry_fields.rs`): a flat struct of optional fields, then a
//! `TryFrom` that requires the ones its tag needs.

use std::fmt;

/// Why a flat struct does not make the tagged value. Reads like serde's own errors.
pub(crate) enum Invalid {
    /// A field the tag requires was absent (or null).
    Missing(&'static str),
    /// A field shared by several tags held a value of another tag's type.
    Wrong {
        field: &'static str,
        expected: &'static str,
    },
}

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Invalid::Missing(field) => write!(f, "missing field `{field}`"),
            Invalid::Wrong { field, expected } => {
                write!(f, "invalid value for `{field}`: expected a {expected}")
            }
        }
    }
}

/// `field`, or [`Invalid::Missing`] naming it.
pub(crate) fn required<T>(field: Option<T>, name: &'static str) -> Result<T, Invalid> {
    field.ok_or(Invalid::Missing(name))
}

#[cfg(test)]
mod tests;
