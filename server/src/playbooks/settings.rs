//! `[playbooks]`: where the catalog comes from and where this installation keeps the documents the
//! playbook cites but does not contain.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Deserialize;

use crate::values::HttpUrl;

/// The documents the spec's "Reference" section names, by the names playbook files use.
pub const REFERENCES: &[(&str, &str)] = &[
    ("network-topology", "Operate, Network Topology"),
    ("cert-rotation", "Operate, Cert Rotation"),
    (
        "encryption-key-rotation",
        "Operate, Encryption Key Rotation",
    ),
    (
        "session-signing-key-rotation",
        "Operate, Session Signing Key Rotation",
    ),
    ("threat-model", "Security, Threat Model"),
];

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PlaybookSettings {
    /// A directory of playbook files used instead of the shipped catalog (relative to the config
    /// file). Start from a copy of the repository's `config/playbooks/`.
    pub dir: Option<PathBuf>,
    /// Where the cited documents live here, by reference name (`cert-rotation = "https://..."`).
    pub links: BTreeMap<String, HttpUrl>,
}
