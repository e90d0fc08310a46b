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
    Ok(trimmed.to_owned())
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
    fn blank_optional_text_is_none() {
        assert_eq!(optional_text("notes", Some("  "), 10, true).unwrap(), None);
        assert_eq!(optional_text("notes", None, 10, true).unwrap(), None);
        assert_eq!(
            optional_text("notes", Some(" x "), 10, true).unwrap(),
            Some("x".into())
        );
    }
}
