//! Texts the AI agent says, one version per language: `Localized`, and the per-language phrase
//! lists of a Message Received trigger (`Phrases`).
//!
//! The fallback rule, in one place: a chat in a language gets that language's text; without one,
//! the AI agent's default language's; without that, the first non-empty text (in the order of
//! the language codes), so a customer is never sent nothing where the admin wrote something.
//!
//! Both keep their versions in a `PerLanguage`: a `Vec` sorted by language code. A workspace has
//! a handful of languages, and a `BTreeMap` of each value type linked its own tree code into the
//! app's download.

use crate::ids::Language;

/// One value per language, in the order of the language codes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PerLanguage<T>(Vec<(Language, T)>);

impl<T> Default for PerLanguage<T> {
    fn default() -> Self {
        PerLanguage(Vec::new())
    }
}

impl<T> PerLanguage<T> {
    /// No language.
    pub fn new() -> Self {
        PerLanguage(Vec::new())
    }

    fn find(&self, language: &Language) -> Result<usize, usize> {
        self.0.binary_search_by(|(known, _)| known.cmp(language))
    }

    /// The language's value, if it has one.
    pub fn get(&self, language: &Language) -> Option<&T> {
        self.find(language).ok().map(|index| &self.0[index].1)
    }

    /// Whether the language has a value.
    pub fn contains_key(&self, language: &Language) -> bool {
        self.find(language).is_ok()
    }

    /// Sets the language's value, replacing the one it had.
    pub fn insert(&mut self, language: Language, value: T) {
        match self.find(&language) {
            Ok(index) => self.0[index].1 = value,
            Err(index) => self.0.insert(index, (language, value)),
        }
    }

    /// Takes the language's value away.
    pub fn remove(&mut self, language: &Language) -> Option<T> {
        self.find(language).ok().map(|index| self.0.remove(index).1)
    }

    /// Every language's value, in the order of the language codes.
    pub fn iter(&self) -> impl Iterator<Item = (&Language, &T)> {
        self.0.iter().map(|(language, value)| (language, value))
    }

    /// Every value, in the order of the language codes.
    pub fn values(&self) -> impl Iterator<Item = &T> {
        self.0.iter().map(|(_, value)| value)
    }

    /// Whether no language has a value.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// How many languages have a value.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// No language any more.
    pub fn clear(&mut self) {
        self.0.clear();
    }
}

/// A text with one version per language. Only non-empty versions are kept: a language without a
/// text is a missing translation, never an empty string.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Localized(PerLanguage<String>);

impl Localized {
    /// No text in any language.
    pub fn new() -> Localized {
        Localized(PerLanguage::new())
    }

    /// One language's text (an empty `text` gives no text at all).
    pub fn one(language: &Language, text: &str) -> Localized {
        Localized::new().with(language, text)
    }

    /// This text with `language`'s version set to `text` (removed when `text` is empty).
    pub fn with(mut self, language: &Language, text: &str) -> Localized {
        self.set(language, text);
        self
    }

    /// Sets `language`'s version; an empty `text` removes it.
    pub fn set(&mut self, language: &Language, text: &str) {
        if text.is_empty() {
            self.0.remove(language);
        } else {
            self.0.insert(language.clone(), text.to_owned());
        }
    }

    /// The language's own version, if it has one.
    pub fn get(&self, language: &Language) -> Option<&str> {
        self.0.get(language).map(String::as_str)
    }

    /// The text a chat in `language` reads: its own version, else the default language's, else
    /// the first there is; empty when there is none at all.
    pub fn text_in(&self, language: &Language, default: &Language) -> &str {
        self.get(language)
            .or_else(|| self.get(default))
            .or_else(|| self.0.values().next().map(String::as_str))
            .unwrap_or("")
    }

    /// Whether no language has a text.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Every version, in the order of the language codes.
    pub fn iter(&self) -> impl Iterator<Item = (&Language, &str)> {
        self.0.iter().map(|(language, text)| (language, text.as_str()))
    }
}

/// A Message Received trigger's phrases, per language. A language without phrases has no entry.
pub type Phrases = PerLanguage<Vec<String>>;

/// One language's phrases as a `Phrases` (none when `list` is empty).
pub fn phrases_in(language: &Language, list: Vec<String>) -> Phrases {
    let mut phrases = Phrases::new();
    if !list.is_empty() {
        phrases.insert(language.clone(), list);
    }
    phrases
}
