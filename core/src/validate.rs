//! Shared rules for text a patient types. Errors name the field and the rule, never the text.

use crate::error::{Error, Result};

/// Trims `value` and checks it is non-empty, at most `max_chars` characters, and free of
/// control characters other than line breaks and tabs (when `multiline`).
pub(crate) fn required_text(
    field: &'static str,
    value: &str,
    max_chars: usize,
    multiline: bool,
) -> Result<String> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(Error::invalid(field, "must not be empty"));
    }
    let length = trimmed.chars().count();
    if length > max_chars {
        return Err(Error::invalid(
            field,
            format!("must be at most {max_chars} characters (got {length})"),
        ));
    }
    let allowed = |c: char| !c.is_control() || (multiline && matches!(c, '\n' | '\t' | '\r'));
    if !trimmed.chars().all(allowed) {
        return Err(Error::invalid(field, "must not contain control characters"));
    }
    // Direction overrides, embeddings and isolates make text display differently from
    // what it is (a name that reads as another medicine); the marks (LRM, RLM, ALM) that
    // right-to-left writing needs are fine.
    if trimmed.chars().any(is_direction_control) {
        return Err(Error::invalid(
            field,
            "must not contain text-direction override characters",
        ));
    }
    if !trimmed
        .chars()
        .any(|c| !c.is_whitespace() && !is_invisible(c))
    {
        return Err(Error::invalid(field, "must contain a visible character"));
    }
    Ok(trimmed.to_owned())
}

/// Unicode's bidirectional embeddings, overrides and isolates (U+202A-U+202E,
/// U+2066-U+2069).
fn is_direction_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Characters that show nothing by themselves: format characters (zero-width spaces and
/// joiners, marks, the byte-order mark, tags), variation selectors and Hangul fillers.
fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}'
        | '\u{17B5}' | '\u{180B}'..='\u{180F}' | '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{206F}' | '\u{3164}'
        | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}' | '\u{FFA0}' | '\u{1D173}'..='\u{1D17A}'
        | '\u{E0000}'..='\u{E007F}' | '\u{E0100}'..='\u{E01EF}')
}

/// Like [`required_text`], but absent or blank text is `None`.
pub(crate) fn optional_text(
    field: &'static str,
    value: Option<&str>,
    max_chars: usize,
    multiline: bool,
) -> Result<Option<String>> {
    match value {
        Some(text) if !text.trim().is_empty() => {
            required_text(field, text, max_chars, multiline).map(Some)
        }
        _ => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_required_text_names_the_field() {
        let err = required_text("name", "   ", 10, false).unwrap_err();
        assert!(matches!(err, Error::InvalidInput { field: "name", .. }));
    }

    #[test]
    fn over_long_text_reports_length_but_not_content() {
        let err = required_text("name", "Metformin!", 5, false).unwrap_err();
        let message = err.to_string();
        assert!(message.contains("at most 5"), "{message}");
        assert!(!message.contains("Metformin"), "{message}");
    }

    #[test]
    fn length_counts_characters_not_bytes() {
        assert!(required_text("name", "Müller-Thurgau Ω", 16, false).is_ok());
    }

    #[test]
    fn line_breaks_only_in_multiline_fields() {
        assert!(required_text("notes", "a\nb", 10, true).is_ok());
        assert!(required_text("name", "a\nb", 10, false).is_err());
        assert!(required_text("notes", "a\u{7}b", 10, true).is_err());
    }

    #[test]
    fn direction_overrides_and_invisible_only_text_are_refused() {
        // "Tylenol" written backwards behind a right-to-left override displays as "lonelyT".
        assert!(required_text("name", "\u{202E}lonelyT", 50, false).is_err());
        assert!(required_text("name", "abc\u{2066}def", 50, false).is_err());
        for invisible in [
            "\u{200B}",
            "\u{200B}\u{200D}\u{FEFF}",
            "\u{3164}",
            "\u{00AD} \u{2060}",
        ] {
            let err = required_text("name", invisible, 50, false).unwrap_err();
            assert!(err.to_string().contains("visible"), "{invisible:?}: {err}");
        }
        // Right-to-left names with their marks, and joiners inside real words, are fine.
        assert!(required_text("name", "\u{200F}פרצטמול", 50, false).is_ok());
        assert!(required_text("name", "می\u{200C}خواهم", 50, false).is_ok());
    }

    #[test]
    fn blank_optional_text_is_none() {
        assert_eq!(optional_text("notes", Some("  "), 10, true).unwrap(), None);
        assert_eq!(optional_text("notes", None, 10, true).unwrap(), None);
        assert_eq!(
            optional_text("notes", Some(" x "), 10, true).unwrap(),
            Some("x".into())
        );
    }
}
