//! The users page's own check: a new password's length, said before the gateway is asked. The
//! minimum is the gateway's, from `wire`.

use wire::MIN_PASSWORD;

/// Why a new password would be refused, before asking the gateway; `None` when it may do.
pub fn password_problem(password: &str) -> Option<String> {
    let n = password.chars().count();
    (n < MIN_PASSWORD)
        .then(|| format!("Passwords need at least {MIN_PASSWORD} characters ({n} so far)."))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_length_is_counted_in_characters() {
        assert!(password_problem("correct horse").is_none());
        assert_eq!(
            password_problem("short").as_deref(),
            Some("Passwords need at least 12 characters (5 so far).")
        );
        assert!(
            password_problem("ééééééééééé").is_some(),
            "11 chars, 22 bytes"
        );
    }
}
