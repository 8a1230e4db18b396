//! Free text from responders: trimmed, bounded, masked, and refused when it would forge or disguise
//! a line (a break in a single-line field, bidi and invisible characters anywhere).

use super::Refusal;
use crate::mask::mask_secrets;

/// Characters that reorder or hide text (bidirectional overrides and isolates, zero-width and
/// other invisible format characters): a title holding U+202E can read as something else than
/// what it says. Refused in every field.
fn hides_text(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{061C}' | '\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{206F}' | '\u{FEFF}' | '\u{FFF9}'..='\u{FFFB}')
}

/// Line and paragraph breaks, in any of their forms.
fn breaks_line(c: char) -> bool {
    matches!(
        c,
        '\n' | '\r' | '\u{0B}' | '\u{0C}' | '\u{85}' | '\u{2028}' | '\u{2029}'
    )
}

/// Whether a field is one line (a title, a reason) or may hold several (what is broken, updates,
/// notes, impact).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Lines {
    One,
    Many,
}

/// Trims, masks anything that looks like a secret, and bounds the length of a free-text field.
/// A single-line field with a line break, or any field with control or text-hiding characters,
/// is refused with the reason: it would forge or disguise a line in the incident channel.
pub(crate) fn text(
    field: &str,
    value: &str,
    max: usize,
    required: bool,
) -> Result<String, Refusal> {
    checked(field, value, max, required, Lines::Many)
}

pub(super) fn line(
    field: &str,
    value: &str,
    max: usize,
    required: bool,
) -> Result<String, Refusal> {
    checked(field, value, max, required, Lines::One)
}

fn checked(
    field: &str,
    value: &str,
    max: usize,
    required: bool,
    lines: Lines,
) -> Result<String, Refusal> {
    // In a multi-line field `\r\n` (as some clients send a textarea) is one break, not two.
    let normalised = match lines {
        Lines::Many => value.replace("\r\n", "\n"),
        Lines::One => value.to_string(),
    };
    let v = normalised.trim();
    if required && v.is_empty() {
        return Err(Refusal::Invalid(format!("{field} is required")));
    }
    if v.chars().count() > max {
        return Err(Refusal::Invalid(format!(
            "{field} is longer than {max} characters"
        )));
    }
    if lines == Lines::One && v.chars().any(breaks_line) {
        return Err(Refusal::Invalid(format!(
            "{field} must be a single line; remove the line break"
        )));
    }
    if v.chars().any(hides_text) {
        return Err(Refusal::Invalid(format!(
            "{field} contains invisible or direction-changing characters (such as U+202E); retype it"
        )));
    }
    let allowed_control = |c: char| lines == Lines::Many && (c == '\n' || c == '\t');
    if v.chars().any(|c| c.is_control() && !allowed_control(c)) {
        return Err(Refusal::Invalid(format!(
            "{field} contains control characters"
        )));
    }
    Ok(mask_secrets(v))
}
