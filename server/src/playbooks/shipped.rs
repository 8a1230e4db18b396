//! The catalog that ships: `config/playbooks/*.toml`, built into the binary so that an
//! installation has it without copying files (`[playbooks] dir` replaces it).

/// (file name, text), in the spec's order.
pub(super) fn files() -> Vec<(String, String)> {
    macro_rules! shipped {
        ($($name:literal),* $(,)?) => {
            vec![$((
                concat!("config/playbooks/", $name).to_owned(),
                include_str!(concat!("../../../config/playbooks/", $name)).to_owned(),
            )),*]
        };
    }
    shipped![
        "01-first-response.toml",
        "02-database-tls.toml",
        "03-caddy-certificate.toml",
        "04-csrf-violation.toml",
        "05-athena-500s.toml",
        "06-captcha-down.toml",
        "07-email-not-sending.toml",
        "08-credential-compromise.toml",
        "09-database-compromise.toml",
    ]
}
