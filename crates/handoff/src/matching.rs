//! Matching a customer's message against Message Received triggers.
//!
//! A message matches an intent when it contains one of its training phrases and none of its
//! excluded phrases, as whole words, ignoring case, accents and punctuation:
//! "Je veux parler à un HUMAIN !" contains the phrase "parler a un humain".
//! Accents are folded for Latin, Greek and Cyrillic letters by the table in `fold`, and
//! combining marks are dropped; other scripts are matched as written.

use crate::fold::base_letter;

/// Lower case, accents removed, every run of non-alphanumeric characters one space, padded with
/// a space on each side so that whole-word containment is a substring test.
pub fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push(' ');
    for c in text.chars().filter(|c| !is_combining_mark(*c)).map(base_letter).flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.ends_with(' ') {
            out.push(' ');
        }
    }
    if !out.ends_with(' ') {
        out.push(' ');
    }
    out
}

fn is_combining_mark(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036F}' | '\u{1AB0}'..='\u{1AFF}' | '\u{1DC0}'..='\u{1DFF}' | '\u{20D0}'..='\u{20FF}')
}

/// Whether the message (already normalized) contains the phrase as whole words.
fn contains_phrase(normalized_message: &str, phrase: &str) -> bool {
    let phrase = normalize(phrase);
    phrase.trim() != "" && normalized_message.contains(&phrase)
}

pub fn intent_matches(message: &str, training_phrases: &[String], excluded_phrases: &[String]) -> bool {
    let message = normalize(message);
    training_phrases.iter().any(|phrase| contains_phrase(&message, phrase))
        && !excluded_phrases.iter().any(|phrase| contains_phrase(&message, phrase))
}

#[cfg(test)]
mod tests {
    use super::intent_matches;

    fn check(message: &str, training: &[&str], excluded: &[&str], expected: bool) {
        let owned = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(intent_matches(message, &owned(training), &owned(excluded)), expected, "{message:?}");
    }

    #[test]
    fn matching_ignores_case_accents_and_punctuation_and_respects_exclusions() {
        check("Je veux parler à un HUMAIN !", &["parler a un humain"], &[], true);
        check("talk to a human please", &["Talk to a human"], &[], true);
        check("I'd like to talk to a human", &["human"], &["not a human"], true);
        check("you are not a human, are you?", &["human"], &["not a human"], false);
        check("humanity is great", &["human"], &[], false);
        check("¿Puedo hablar con un agente?", &["hablar con un agente"], &[], true);
        check("anything", &["", "   "], &[], false);
    }
}
