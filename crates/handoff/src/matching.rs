//! Recognising what a customer's message means: which Message Received trigger of a level
//! fires, from its training and excluded phrases.
//!
//! A `Recognizer` is compiled once for a set of sibling triggers (the top level, or the triggers
//! nested under one action) and then scores every message against all their phrases at once.
//!
//! # The method
//!
//! Every phrase, and the message, becomes a list of words in its own language:
//! accents folded (the table in `fold`, combining marks dropped), lower case, split at every
//! character that is not a letter or digit (so "quelqu'un" is `quelqu un` and the French elisions
//! l', d', j', qu' become words of one or two letters, which are stopwords), a few chat
//! abbreviations spelled out ("qqn", "jveux"), then stemmed with the Snowball stemmer of English,
//! French or Spanish; other languages are split and folded but not stemmed.
//! A short per-language list of stopwords (articles, pronouns, "please", "want", "can", greetings)
//! is dropped from training phrases, unless a phrase is nothing but stopwords ("please do").
//! Excluded phrases keep their stopwords, at a lower weight: "i am a human" must not shrink to
//! "human" and veto every message that says the word.
//!
//! A phrase's score for a message is how much of the phrase the message covers: each phrase word
//! weighs its inverse document frequency over all the phrases of the recognizer
//! (`ln(1 + phrases / phrases with the word)`), so "live" counts for more than "agent" in
//! "live agent", and counts fully if the message has the same stem, 0.8 if it has a word within
//! an optimal string alignment distance of 1 (both at least 5 letters) or 2 (both at least 8; no
//! word over `MAX_FUZZY` letters is looked up),
//! compared on the stems and on the unstemmed words ("represntative", "agnet", "humanoo").
//! Words in a different order cost a little (at most 15%); the extra words around a request cost
//! nothing, with one exception below.
//!
//! Words the admin also wrote in an excluded phrase of the same intent ("agent" in "travel
//! agent", "human" in "human error") are ambiguous: a message that matches an intent only through
//! them needs the rest of the message to agree.
//! Its score is multiplied by `m / (m + AMBIGUITY_PENALTY × ambiguity × u)`, where `m` counts the message's
//! words that some phrase of the intent explains, `u` those none does, and `ambiguity` is the share
//! of the matched weight carried by ambiguous words.
//! So "agent please" is a request, "the sync agent keeps crashing on windows" is not, and "refund"
//! (excluded nowhere) is Billing however long the message around it.
//!
//! An intent's confidence is its best training phrase's score.
//! An excluded phrase vetoes its intent when the message covers at least `VETO` of it with its
//! words in the phrase's order and close together: "i am not a human" is vetoed by "not a human",
//! "i want a human not a bot" is not.
//! The most confident intent at or above `THRESHOLD` fires; ties go to the first sibling; below
//! it, Fallback.
//! A message is scored against the phrases of its chat's language and of the AI agent's default
//! language, each side analysed in its own language, and the better counts.
//!
//! # Speed
//!
//! Everything that does not depend on the message is done once in `Recognizer::new`: an inverted
//! index from stems to the phrases that hold them, and a deletion index over the vocabulary (every
//! word with one letter removed, and two for long words, hashed) so that a misspelt word finds its
//! candidates by a few hash lookups instead of a scan of the vocabulary.
//! Recognising a message allocates per message, never per phrase: one array of partial sums over
//! the phrases, then an exact look at only the phrases that can still reach the threshold.

use std::hash::Hasher;

use rust_stemmers::{Algorithm, Stemmer};
use rustc_hash::{FxHashMap, FxHasher};

use crate::fold::base_letter;
use crate::ids::{Language, NodeId};
use crate::localized::Phrases;
use crate::workflow::{NodeRef, Trigger, TriggerKind, Workflow};

/// The confidence below which no intent fires and the level's Fallback does.
pub const THRESHOLD: f32 = 0.7;

/// How much of an excluded phrase, in order, vetoes its intent.
pub const VETO: f32 = 0.85;

/// A word within the allowed edit distance of a phrase's word counts this much of an exact one.
const FUZZY: f32 = 0.8;

/// The shortest words (as written; stems one letter more) that may differ by one edit, and by two.
/// At four letters one edit turns too many words into others ("déçu" and "reçu", "hago" and "pago").
const MIN_FUZZY: usize = 5;
const MIN_FUZZY_TWO: usize = 8;
/// The longest word (as written, or its stem) that may be misspelt: past it a lookup's deletion
/// hashes grow with the square of the word, and no word of a phrase a customer would type is
/// that long (text without spaces, as Chinese and Japanese are written, is one long word).
const MAX_FUZZY: usize = 24;

/// A training phrase whose match is preceded by a negation ("don't", "pas", "sin") in the same
/// clause, with only stopwords or words of the same intent between, counts this much: "please
/// don't transfer me to an agent" is not a request for one, "No, I want a human" is.
const NEGATED: f32 = 0.0;

/// The most that words in another order than the phrase's cost.
const ORDER_WEIGHT: f32 = 0.15;

/// How far apart (in words of the message) two consecutive words of a phrase may be and still
/// count as in order.
const WINDOW: usize = 4;

/// A stopword kept in an excluded phrase weighs this much of its inverse document frequency.
const STOPWORD_WEIGHT: f32 = 0.5;

/// How much each unexplained word of the message costs an intent matched through ambiguous words.
const AMBIGUITY_PENALTY: f32 = 0.2;

/// Lower case, accents removed, every run of non-alphanumeric characters one space, padded with
/// a space on each side so that whole-word containment is a substring test.
pub fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push(' ');
    for c in folded_chars(text) {
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

fn folded_chars(text: &str) -> impl Iterator<Item = char> + '_ {
    text.chars().filter(|c| !is_combining_mark(*c)).map(base_letter).flat_map(char::to_lowercase)
}

fn is_combining_mark(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036F}' | '\u{1AB0}'..='\u{1AFF}' | '\u{1DC0}'..='\u{1DFF}' | '\u{20D0}'..='\u{20FF}')
}

/// One Message Received trigger as the recognizer needs it: its phrases, each with its language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntentPhrases<'a> {
    pub id: NodeId,
    pub name: &'a str,
    pub training: Vec<(Language, &'a str)>,
    pub excluded: Vec<(Language, &'a str)>,
}

/// The intent that fires for a message, and how sure the recognizer is.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Recognition {
    pub intent: NodeId,
    /// From `THRESHOLD` to 1.
    pub confidence: f32,
}

/// One intent's best score for a message: what the editor's "Try a message" box shows.
#[derive(Debug, Clone, PartialEq)]
pub struct Score {
    pub intent: NodeId,
    pub name: String,
    /// From 0 to 1: the best training phrase's score, before any veto.
    pub confidence: f32,
    /// The training phrase that scored best, as the admin wrote it; `None` when none shares a word.
    pub nearest: Option<String>,
    /// The language the nearest phrase is written in.
    pub nearest_language: Option<Language>,
    /// The excluded phrase that vetoes the intent for this message, if one does.
    pub vetoed_by: Option<String>,
}

/// How a language's words are analysed: its stemmer and stopwords.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Analyzer {
    English,
    French,
    Spanish,
    /// Folded and split, not stemmed, no stopwords.
    Plain,
}

impl Analyzer {
    fn of(language: &Language) -> Analyzer {
        let primary = language.as_str().split(['-', '_']).next().unwrap_or_default();
        match primary.to_ascii_lowercase().as_str() {
            "en" => Analyzer::English,
            "fr" => Analyzer::French,
            "es" => Analyzer::Spanish,
            _ => Analyzer::Plain,
        }
    }

    /// The stemmer, created with a constant algorithm in each arm so that only these three of
    /// rust-stemmers' eighteen are linked into the app.
    fn stemmer(self) -> Option<Stemmer> {
        match self {
            Analyzer::English => Some(Stemmer::create(Algorithm::English)),
            Analyzer::French => Some(Stemmer::create(Algorithm::French)),
            Analyzer::Spanish => Some(Stemmer::create(Algorithm::Spanish)),
            Analyzer::Plain => None,
        }
    }

    /// Words (already folded and lower case) that say nothing of what a message is about.
    /// Negations ("not", "no", "pas") are not among them: excluded phrases and the No intent
    /// need them.
    fn is_stopword(self, word: &str) -> bool {
        self.stopwords().binary_search(&word).is_ok()
    }

    /// Sorted, for `binary_search`.
    fn stopwords(self) -> &'static [&'static str] {
        match self {
            Analyzer::English => &[
                "a", "about", "am", "an", "and", "any", "are", "as", "at", "b", "be", "been", "but", "by", "c", "can",
                "could", "d", "do", "does", "e", "for", "from", "get", "give", "go", "hello", "hey", "hi", "i", "im",
                "in", "is", "it", "its", "just", "like", "ll", "m", "may", "me", "my", "need", "now", "o", "of", "on",
                "or", "our", "please", "pls", "plz", "r", "re", "s", "so", "some", "t", "that", "the", "there", "this",
                "to", "u", "us", "ve", "wanna", "want", "was", "we", "will", "with", "would", "y", "you", "your",
            ],
            Analyzer::French => &[
                "a",
                "ai",
                "au",
                "aux",
                "avec",
                "avoir",
                "besoin",
                "bonjour",
                "bonsoir",
                "c",
                "ca",
                "ce",
                "cela",
                "d",
                "dans",
                "de",
                "des",
                "du",
                "elle",
                "en",
                "est",
                "et",
                "il",
                "ils",
                "j",
                "je",
                "l",
                "la",
                "le",
                "les",
                "m",
                "ma",
                "me",
                "mes",
                "moi",
                "mon",
                "n",
                "ne",
                "nous",
                "on",
                "ou",
                "par",
                "peut",
                "peux",
                "plait",
                "please",
                "pls",
                "pour",
                "pouvez",
                "qu",
                "que",
                "qui",
                "s",
                "sa",
                "salut",
                "se",
                "ses",
                "sil",
                "souhaite",
                "souhaiterais",
                "stp",
                "sur",
                "svp",
                "t",
                "ta",
                "te",
                "toi",
                "ton",
                "tu",
                "un",
                "une",
                "veux",
                "vos",
                "votre",
                "voudrais",
                "vous",
                "y",
            ],
            Analyzer::Spanish => &[
                "a", "al", "con", "de", "del", "el", "en", "es", "favor", "hola", "la", "las", "lo", "los", "me", "mi",
                "mis", "necesito", "para", "please", "pls", "por", "porfa", "puedo", "que", "quiero", "se", "su",
                "sus", "te", "tu", "un", "una", "unos", "xfa", "y", "yo",
            ],
            Analyzer::Plain => &[],
        }
    }

    /// Words that turn a request into its refusal when they come before it.
    fn is_negation(self, word: &str) -> bool {
        let list: &[&str] = match self {
            Analyzer::English => &["dont", "never", "no", "not", "without", "doesnt", "didnt", "wont"],
            Analyzer::French => &["jamais", "n", "ne", "pas", "sans"],
            Analyzer::Spanish => &["ni", "no", "nunca", "sin"],
            Analyzer::Plain => &[],
        };
        list.contains(&word)
    }

    /// Chat abbreviations, spelled out before anything else.
    fn expand(self, word: &str) -> Option<&'static [&'static str]> {
        match (self, word) {
            (Analyzer::English, "sb" | "smb" | "sm1") => Some(&["somebody"]),
            (Analyzer::English, "ppl") => Some(&["people"]),
            // "I'm" is split at its apostrophe: both spellings read "i am", as excluded phrases do.
            (Analyzer::English, "im") => Some(&["i", "am"]),
            (Analyzer::English, "m") => Some(&["am"]),
            (Analyzer::French, "qqn" | "qqun" | "qq1") => Some(&["quelqu", "un"]),
            (Analyzer::French, "jveux") => Some(&["je", "veux"]),
            (Analyzer::French, "jvoudrais") => Some(&["je", "voudrais"]),
            (Analyzer::Spanish, "q") => Some(&["que"]),
            _ => None,
        }
    }
}

/// One word of a text: as written (folded), its stem, and whether it is a stopword.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Word {
    surface: String,
    stem: String,
    stopword: bool,
    negation: bool,
    /// Whether a clause begins at this word: a sentence's or a clause's mark (`. , ; : ! ? ¿ ¡`,
    /// a dash, a new line) comes between it and the word before.
    clause: bool,
}

/// The words of a text in a language, in order.
fn analyse(text: &str, analyzer: Analyzer) -> Vec<Word> {
    let stemmer = analyzer.stemmer();
    let mut words: Vec<Word> = Vec::new();
    let mut clause = false;
    let mut push = |surface: &str, clause: &mut bool| {
        let stopword = analyzer.is_stopword(surface);
        let stem = match &stemmer {
            Some(stemmer) if !stopword => stemmer.stem(surface).into_owned(),
            _ => surface.to_owned(),
        };
        let negation = analyzer.is_negation(surface);
        words.push(Word { surface: surface.to_owned(), stem, stopword, negation, clause: *clause });
        *clause = false;
    };
    let mut current = String::new();
    let mut flush = |current: &mut String, clause: &mut bool| {
        if current.is_empty() {
            return;
        }
        match analyzer.expand(current) {
            Some(expansion) => expansion.iter().for_each(|word| push(word, clause)),
            None => push(current, clause),
        }
        current.clear();
    };
    for c in folded_chars(text) {
        if c.is_alphanumeric() {
            current.push(c);
        } else {
            flush(&mut current, &mut clause);
            clause |= matches!(c, '.' | ',' | ';' | ':' | '!' | '?' | '¿' | '¡' | '–' | '—' | '\n');
        }
    }
    flush(&mut current, &mut clause);
    // "don't" is split at its apostrophe: "don" is a negation when its "t" follows ("Don" may be
    // a name), and so are "doesn", "didn" and "won".
    if analyzer == Analyzer::English {
        for index in 1..words.len() {
            if words[index].surface == "t"
                && matches!(words[index - 1].surface.as_str(), "don" | "doesn" | "didn" | "won")
            {
                words[index - 1].negation = true;
            }
        }
    }
    words
}

#[derive(Debug, Clone)]
struct Phrase {
    intent: u32,
    language: u16,
    excluded: bool,
    text: String,
    /// Stem ids, in the phrase's order.
    words: Vec<u32>,
    weights: Vec<f32>,
    /// Whether each word also appears in an excluded phrase of the same intent.
    ambiguous: Vec<bool>,
    total: f32,
    /// Whether the phrase says a negation itself ("no thanks", "not now").
    negative: bool,
}

#[derive(Debug, Clone, Copy)]
struct Posting {
    phrase: u32,
    weight: f32,
}

#[derive(Debug, Clone)]
struct Intent {
    id: NodeId,
    name: String,
}

/// The compiled phrases of a set of sibling Message Received triggers.
#[derive(Debug, Clone, Default)]
pub struct Recognizer {
    intents: Vec<Intent>,
    phrases: Vec<Phrase>,
    languages: Vec<Language>,
    /// Stem to stem id.
    stems: FxHashMap<String, u32>,
    /// For each stem id, the languages of the phrases that hold it, one bit each (languages past
    /// the 64th share the last bit).
    stem_languages: Vec<u64>,
    /// For each stem id, its postings: `postings[offsets[id]..offsets[id + 1]]`.
    offsets: Vec<u32>,
    postings: Vec<Posting>,
    /// Stems and unstemmed words of the phrases, for fuzzy matching, each with its stem id.
    keys: Vec<(String, u32)>,
    /// A hash of each key with zero, one (and for long keys two) letters deleted, to the keys.
    deletions: FxHashMap<u64, Vec<u32>>,
    /// The letters of the longest key: a word longer by more than two edits matches none, so it
    /// is not looked up (a 10,000-letter word would otherwise cost 50 million deletion hashes).
    longest_key: usize,
}

/// A stem of the vocabulary that a message has, how well, and at which of its word positions.
#[derive(Debug, Clone, Copy)]
struct Match {
    stem: u32,
    quality: f32,
    /// Bit `i` for word `i` of the message (words past 63 share bit 63).
    positions: u64,
}

/// The message analysed in one language, with what of the vocabulary it has.
struct Side {
    language: u16,
    matches: Vec<Match>,
    /// The positions of the message's words that are not stopwords.
    content: u64,
    /// The positions of its negations.
    negations: u64,
    /// The positions of the words that begin a clause.
    clauses: u64,
}

fn position_bit(position: usize) -> u64 {
    1 << position.min(63)
}

fn deletion_hash(chars: &[char], skip: [usize; 2]) -> u64 {
    let mut hasher = FxHasher::default();
    let mut kept = 0u32;
    for (index, c) in chars.iter().enumerate() {
        if index != skip[0] && index != skip[1] {
            hasher.write_u32(u32::from(*c));
            kept += 1;
        }
    }
    hasher.write_u32(kept);
    hasher.finish()
}

/// Every deletion hash of a word: itself, one letter less, and two less for words of 8 or more.
fn deletion_hashes(word: &str, mut each: impl FnMut(u64)) {
    let chars: Vec<char> = word.chars().collect();
    let none = usize::MAX;
    each(deletion_hash(&chars, [none, none]));
    for first in 0..chars.len() {
        each(deletion_hash(&chars, [first, none]));
        if chars.len() >= 8 {
            for second in first + 1..chars.len() {
                each(deletion_hash(&chars, [first, second]));
            }
        }
    }
}

/// The edit distance allowed between two words of these lengths (in letters); stems need one
/// letter more than words as written, since a short stem stands for many words ("open" is
/// "opening", "oper" is "operator").
fn allowed_distance(a: usize, b: usize, stems: bool) -> usize {
    match a.min(b).saturating_sub(usize::from(stems)) {
        0..MIN_FUZZY => 0,
        MIN_FUZZY..MIN_FUZZY_TWO => 1,
        _ => 2,
    }
}

impl Recognizer {
    pub fn new(intents: &[IntentPhrases<'_>]) -> Recognizer {
        let mut recognizer = Recognizer::default();
        // Phrases as stems first; ids and weights once every phrase is known.
        let mut analysed: Vec<(u32, u16, bool, String, Vec<Word>)> = Vec::new();
        for (index, intent) in intents.iter().enumerate() {
            recognizer.intents.push(Intent { id: intent.id, name: intent.name.to_owned() });
            let lists = [(false, &intent.training), (true, &intent.excluded)];
            for (excluded, list) in lists {
                for (language, text) in list.iter() {
                    let language = recognizer.language_index(language);
                    let analyzer = Analyzer::of(&recognizer.languages[usize::from(language)]);
                    let mut words = analyse(text, analyzer);
                    if !excluded && words.iter().any(|word| !word.stopword) {
                        words.retain(|word| !word.stopword);
                    }
                    if !words.is_empty() {
                        analysed.push((index as u32, language, excluded, (*text).to_owned(), words));
                    }
                }
            }
        }
        let mut frequency: Vec<u32> = Vec::new();
        let mut ids_of = Vec::with_capacity(analysed.len());
        for (_, language, _, _, words) in &analysed {
            let ids: Vec<u32> = words.iter().map(|word| recognizer.stem_id(&word.stem)).collect();
            let mut distinct = ids.clone();
            distinct.sort_unstable();
            distinct.dedup();
            frequency.resize(recognizer.stems.len(), 0);
            for id in distinct {
                frequency[id as usize] += 1;
            }
            frequency.resize(recognizer.stems.len(), 0);
            recognizer.stem_languages.resize(recognizer.stems.len(), 0);
            for id in &ids {
                recognizer.stem_languages[*id as usize] |= position_bit(usize::from(*language));
            }
            for word in words {
                let id = recognizer.stems[&word.stem];
                recognizer.keys.push((word.stem.clone(), id));
                recognizer.keys.push((word.surface.clone(), id));
            }
            ids_of.push(ids);
        }
        // From 1 (a word in every phrase) to 2 (a word in one): rare words count more, but one rare
        // word never carries a phrase of two alone.
        let phrase_count = analysed.len().max(2) as f32;
        let idf: Vec<f32> =
            frequency.iter().map(|&df| 1.0 + (phrase_count / df.max(1) as f32).ln() / phrase_count.ln()).collect();
        let mut excluded_stems: Vec<Vec<u32>> = vec![Vec::new(); intents.len()];
        for ((intent, _, excluded, _, words), ids) in analysed.iter().zip(&ids_of) {
            if *excluded {
                let content = words.iter().zip(ids).filter(|(word, _)| !word.stopword).map(|(_, id)| *id);
                excluded_stems[*intent as usize].extend(content);
            }
        }
        let mut by_stem: Vec<Vec<Posting>> = vec![Vec::new(); recognizer.stems.len()];
        for ((intent, language, excluded, text, words), ids) in analysed.into_iter().zip(ids_of) {
            let phrase = recognizer.phrases.len() as u32;
            let weights: Vec<f32> = words
                .iter()
                .zip(&ids)
                .map(|(word, id)| idf[*id as usize] * if word.stopword { STOPWORD_WEIGHT } else { 1.0 })
                .collect();
            for (id, weight) in ids.iter().zip(&weights) {
                by_stem[*id as usize].push(Posting { phrase, weight: *weight });
            }
            let ambiguous = ids.iter().map(|id| !excluded && excluded_stems[intent as usize].contains(id)).collect();
            let total = weights.iter().sum();
            let negative = words.iter().any(|word| word.negation);
            let phrase = Phrase { intent, language, excluded, text, words: ids, weights, ambiguous, total, negative };
            recognizer.phrases.push(phrase);
        }
        recognizer.offsets.push(0);
        for postings in by_stem {
            recognizer.postings.extend(postings);
            recognizer.offsets.push(recognizer.postings.len() as u32);
        }
        recognizer.keys.sort_unstable();
        recognizer.keys.dedup();
        recognizer.longest_key = recognizer.keys.iter().map(|(key, _)| key.chars().count()).max().unwrap_or(0);
        for (index, (key, _)) in recognizer.keys.iter().enumerate() {
            // A word two edits longer than the longest that is looked up can match none.
            if key.chars().count() > MAX_FUZZY + 2 {
                continue;
            }
            let mut hashes = Vec::new();
            deletion_hashes(key, |hash| hashes.push(hash));
            hashes.sort_unstable();
            hashes.dedup();
            for hash in hashes {
                recognizer.deletions.entry(hash).or_default().push(index as u32);
            }
        }
        recognizer
    }

    fn language_index(&mut self, language: &Language) -> u16 {
        match self.languages.iter().position(|known| known == language) {
            Some(index) => index as u16,
            None => {
                self.languages.push(language.clone());
                (self.languages.len() - 1) as u16
            }
        }
    }

    fn stem_id(&mut self, stem: &str) -> u32 {
        let next = self.stems.len() as u32;
        *self.stems.entry(stem.to_owned()).or_insert(next)
    }

    /// The message positions of the words that some training phrase of `intent` has.
    fn intent_positions(&self, side: &Side, intent: u32) -> u64 {
        let of_intent = |posting: &Posting| {
            let phrase = &self.phrases[posting.phrase as usize];
            phrase.intent == intent && !phrase.excluded
        };
        side.matches
            .iter()
            .filter(|found| self.postings_of(found.stem).iter().any(of_intent))
            .fold(0, |positions, found| positions | found.positions)
    }

    fn postings_of(&self, stem: u32) -> &[Posting] {
        &self.postings[self.offsets[stem as usize] as usize..self.offsets[stem as usize + 1] as usize]
    }

    /// The message analysed in `language`, with the vocabulary's stems it has; `None` when no
    /// phrase is in that language.
    fn side(&self, message: &str, language: &Language) -> Option<Side> {
        let index = self.languages.iter().position(|known| known == language)? as u16;
        let words = analyse(message, Analyzer::of(language));
        let mut matches: Vec<Match> = Vec::new();
        let (mut content, mut negations, mut clauses) = (0, 0, 0);
        let mut add =
            |stem: u32, quality: f32, position: usize| match matches.iter_mut().find(|found| found.stem == stem) {
                Some(found) => {
                    found.quality = found.quality.max(quality);
                    found.positions |= position_bit(position);
                }
                None => matches.push(Match { stem, quality, positions: position_bit(position) }),
            };
        let mut candidates = Vec::new();
        for (position, word) in words.iter().enumerate() {
            if !word.stopword {
                content |= position_bit(position);
            }
            if word.negation {
                negations |= position_bit(position);
            }
            if word.clause {
                clauses |= position_bit(position);
            }
            let in_language = |stem: u32| self.stem_languages[stem as usize] & position_bit(usize::from(index)) != 0;
            match self.stems.get(&word.stem) {
                Some(&stem) if in_language(stem) => {
                    add(stem, 1.0, position);
                    continue;
                }
                // A word of another language's phrases is that word, not a misspelling of one of
                // this language's: a French chat's "argent" (money) is read against the English
                // phrases too, where it is one letter from "agent".
                Some(_) => continue,
                None => {}
            }
            if word.stopword {
                continue;
            }
            // Misspellings: the stem and the word as written, against the vocabulary's stems and
            // words as written, through the deletion index.
            candidates.clear();
            for (query, is_stem) in [(&word.stem, true), (&word.surface, false)] {
                let letters = query.chars().count();
                if letters >= MIN_FUZZY + usize::from(is_stem) && letters <= (self.longest_key + 2).min(MAX_FUZZY) {
                    deletion_hashes(query, |hash| {
                        if let Some(keys) = self.deletions.get(&hash) {
                            // A key and which query found it, in one number: one sort of
                            // `u64`s, the deletion hashes' own, orders and dedups them.
                            candidates.extend(keys.iter().map(|key| u64::from(*key) << 1 | u64::from(is_stem)));
                        }
                    });
                }
            }
            candidates.sort_unstable();
            candidates.dedup();
            for &candidate in &candidates {
                let (key, is_stem) = (candidate >> 1, candidate & 1 == 1);
                let query = if is_stem { &word.stem } else { &word.surface };
                let (text, stem) = &self.keys[key as usize];
                let allowed = allowed_distance(text.chars().count(), query.chars().count(), is_stem);
                // People seldom get a word's first letter wrong, and one letter less at the start
                // is how many different words differ ("urgent" and "argent").
                let same_start = text.chars().next() == query.chars().next();
                if allowed > 0 && same_start && in_language(*stem) && strsim::osa_distance(text, query) <= allowed {
                    add(*stem, FUZZY, position);
                }
            }
        }
        Some(Side { language: index, matches, content, negations, clauses })
    }

    /// Every intent's best score on one side of the message: (confidence, phrase) and the
    /// vetoing phrase, by intent.
    fn score_side(&self, side: &Side, floor: f32, out: &mut [(f32, Option<u32>, Option<u32>)]) {
        let mut partial = vec![0.0f32; self.phrases.len()];
        let mut touched: Vec<u32> = Vec::new();
        for found in &side.matches {
            for posting in self.postings_of(found.stem) {
                let phrase = &self.phrases[posting.phrase as usize];
                if phrase.language != side.language {
                    continue;
                }
                if partial[posting.phrase as usize] == 0.0 {
                    touched.push(posting.phrase);
                }
                partial[posting.phrase as usize] += posting.weight * found.quality;
            }
        }
        for &index in &touched {
            let phrase = &self.phrases[index as usize];
            let coverage = partial[index as usize] / phrase.total;
            let needed = if phrase.excluded { VETO } else { floor };
            if coverage < needed {
                continue;
            }
            let fit = fit(phrase, side);
            let slot = &mut out[phrase.intent as usize];
            if phrase.excluded {
                if coverage * fit.in_order >= VETO && slot.2.is_none() {
                    slot.2 = Some(index);
                }
                continue;
            }
            let order = 1.0 - ORDER_WEIGHT * (1.0 - fit.in_order);
            let negated = !phrase.negative && side.negations != 0 && {
                let same_intent = self.intent_positions(side, phrase.intent);
                is_negated(fit.first, side, same_intent)
            };
            let mask = fit.positions & side.content;
            let explained = mask.count_ones() as f32;
            let unexplained = (side.content.count_ones() as f32 - explained).max(0.0);
            let context = if explained == 0.0 {
                1.0
            } else {
                explained / (explained + AMBIGUITY_PENALTY * fit.ambiguity * unexplained)
            };
            let confidence = coverage * order * context * if negated { NEGATED } else { 1.0 };
            if slot.1.is_none() || confidence > slot.0 {
                *slot = (confidence, Some(index), slot.2);
            }
        }
    }

    /// By intent: the best confidence, its phrase, and the vetoing excluded phrase.
    fn best(
        &self,
        message: &str,
        language: &Language,
        default_language: &Language,
        floor: f32,
    ) -> Vec<(f32, Option<u32>, Option<u32>)> {
        let mut out = vec![(0.0, None, None); self.intents.len()];
        let sides = [Some(language), (default_language != language).then_some(default_language)];
        for language in sides.into_iter().flatten() {
            if let Some(side) = self.side(message, language) {
                self.score_side(&side, floor, &mut out);
            }
        }
        out
    }

    /// The most confident intent at or above `THRESHOLD` for a message in `language` (phrases
    /// of `language` and of `default_language` count; each phrase is analysed in its own
    /// language); `None` when no intent reaches it, or every one that does is vetoed.
    pub fn recognise(&self, message: &str, language: &Language, default_language: &Language) -> Option<Recognition> {
        let best = self.best(message, language, default_language, THRESHOLD);
        let mut chosen: Option<Recognition> = None;
        for (intent, (confidence, _, vetoed)) in self.intents.iter().zip(best) {
            if vetoed.is_none() && confidence >= THRESHOLD && chosen.is_none_or(|chosen| confidence > chosen.confidence)
            {
                chosen = Some(Recognition { intent: intent.id, confidence });
            }
        }
        chosen
    }

    /// Every intent's best score, in the order the intents were given.
    pub fn scores(&self, message: &str, language: &Language, default_language: &Language) -> Vec<Score> {
        let best = self.best(message, language, default_language, 0.0);
        let text = |phrase: Option<u32>| phrase.map(|index| self.phrases[index as usize].text.clone());
        let language = |phrase: Option<u32>| {
            phrase.map(|index| self.languages[usize::from(self.phrases[index as usize].language)].clone())
        };
        self.intents
            .iter()
            .zip(best)
            .map(|(intent, (confidence, nearest, vetoed))| Score {
                intent: intent.id,
                name: intent.name.clone(),
                confidence,
                nearest: text(nearest),
                nearest_language: language(nearest),
                vetoed_by: text(vetoed),
            })
            .collect()
    }

    /// Whether the recognizer has no phrase at all.
    pub fn is_empty(&self) -> bool {
        self.phrases.is_empty()
    }
}

impl Recognizer {
    /// The recognizer of one level's Message Received triggers; `None` when the level has none.
    pub fn for_level(triggers: &[Trigger]) -> Option<Recognizer> {
        let intents = intent_phrases(triggers);
        (!intents.is_empty()).then(|| Recognizer::new(&intents))
    }
}

/// A training phrase of one intent that a sibling intent of the same level recognises too.
#[derive(Debug, Clone, PartialEq)]
pub struct Overlap {
    /// The trigger whose training phrase it is.
    pub trigger: NodeId,
    pub intent: String,
    pub phrase: String,
    /// The sibling that recognises the phrase at or above `THRESHOLD`.
    pub other_intent: String,
}

/// For each pair of sibling Message Received triggers of one level whose phrases overlap, the
/// first phrase of either that the other recognises (or that reads the same once normalised):
/// such a message goes to whichever is the more confident, which the admin may not expect.
pub fn overlapping_phrases(triggers: &[Trigger], default_language: &Language) -> Vec<Overlap> {
    let intents = intent_phrases(triggers);
    if intents.len() < 2 {
        return Vec::new();
    }
    let recognizer = Recognizer::new(&intents);
    // Each phrase normalised once: comparing every phrase with every other's is quadratic.
    let normalized: Vec<Vec<String>> =
        intents.iter().map(|intent| intent.training.iter().map(|(_, phrase)| normalize(phrase)).collect()).collect();
    // And looked up by its text: the intents that have a phrase reading the same.
    let mut intents_of: FxHashMap<&str, Vec<usize>> = FxHashMap::default();
    for (index, phrases) in normalized.iter().enumerate() {
        for phrase in phrases {
            intents_of.entry(phrase.as_str()).or_default().push(index);
        }
    }
    let mut reported: Vec<(usize, usize)> = Vec::new();
    let mut out = Vec::new();
    for (index, intent) in intents.iter().enumerate() {
        for ((language, phrase), mine) in intent.training.iter().zip(&normalized[index]) {
            // Only whether an intent reaches the threshold matters, so phrases that cannot are
            // skipped, and no score is put into words (an edit of a workflow of 150 intents
            // validates it again: `cargo xtask bench-ui`'s editor-edit).
            let best = recognizer.best(phrase, language, default_language, THRESHOLD);
            let same_text = &intents_of[mine.as_str()];
            for (other, other_intent) in intents.iter().enumerate() {
                let pair = (index.min(other), index.max(other));
                if other == index || reported.contains(&pair) {
                    continue;
                }
                let (confidence, _, vetoed) = best[other];
                let recognised = confidence >= THRESHOLD && vetoed.is_none();
                let same = same_text.contains(&other);
                if recognised || same {
                    reported.push(pair);
                    out.push(Overlap {
                        trigger: intent.id,
                        intent: intent.name.to_owned(),
                        phrase: (*phrase).to_owned(),
                        other_intent: other_intent.name.to_owned(),
                    });
                }
            }
        }
    }
    out
}

/// Where a message is tried: as a new chat's first message (the top level), or as the reply to
/// an action with nested triggers, which are matched before the top level, as the engine does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TryScope {
    TopLevel,
    After(NodeId),
}

impl TryScope {
    /// Where a trigger's own messages are tried: after the action it is nested under, or at the
    /// top level.
    pub fn of_trigger(workflow: &Workflow, trigger: NodeId) -> TryScope {
        let parent = workflow.entries().into_iter().find_map(|entry| match entry.node {
            NodeRef::Action(action) if action.triggers.iter().any(|nested| nested.id == trigger) => Some(action.id),
            _ => None,
        });
        parent.map_or(TryScope::TopLevel, TryScope::After)
    }
}

/// The training phrase that scored best for a tried message, fired or not.
#[derive(Debug, Clone, PartialEq)]
pub struct Nearest {
    pub trigger: NodeId,
    pub intent: String,
    pub phrase: String,
    pub language: Language,
    /// From 0 to 1, before any veto.
    pub confidence: f32,
    /// The intent's excluded phrase that vetoes it for this message, if one does.
    pub vetoed_by: Option<String>,
}

/// What a message would do: the editor's "Try a message" box.
#[derive(Debug, Clone, PartialEq)]
pub struct TryResult {
    /// The Message Received trigger that fires (its node id and intent name); `None` is Fallback.
    pub fires: Option<(NodeId, String)>,
    /// The firing intent's confidence; for Fallback, the nearest phrase's (0 when there is none).
    pub confidence: f32,
    /// The phrase with the highest score at the levels tried: the firing intent's best phrase when
    /// one fires, else the phrase the message came closest to, below `THRESHOLD` or vetoed.
    pub nearest: Option<Nearest>,
}

/// Which trigger a message in `language` would fire at `scope` of `workflow`, how confidently,
/// and the nearest training phrase; the same recognizers and order as the engine's.
pub fn try_message(
    workflow: &Workflow,
    default_language: &Language,
    scope: TryScope,
    message: &str,
    language: &Language,
) -> TryResult {
    let nested = match scope {
        TryScope::TopLevel => None,
        TryScope::After(action) => workflow.find_action(action).map(|action| action.triggers.as_slice()),
    };
    let levels = nested.into_iter().chain([workflow.triggers.as_slice()]);
    let recognizers: Vec<Recognizer> = levels.filter_map(Recognizer::for_level).collect();
    let mut nearest: Option<Nearest> = None;
    let mut fired: Option<Nearest> = None;
    for recognizer in &recognizers {
        let recognised = recognizer.recognise(message, language, default_language);
        for score in recognizer.scores(message, language, default_language) {
            let (Some(phrase), Some(phrase_language)) = (score.nearest, score.nearest_language) else { continue };
            let candidate = Nearest {
                trigger: score.intent,
                intent: score.name,
                phrase,
                language: phrase_language,
                confidence: score.confidence,
                vetoed_by: score.vetoed_by,
            };
            if fired.is_none() && recognised.is_some_and(|recognition| recognition.intent == candidate.trigger) {
                fired = Some(candidate.clone());
            }
            if nearest.as_ref().is_none_or(|nearest| candidate.confidence > nearest.confidence) {
                nearest = Some(candidate);
            }
        }
        if let Some(fired) = fired {
            return TryResult {
                fires: Some((fired.trigger, fired.intent.clone())),
                confidence: fired.confidence,
                nearest: Some(fired),
            };
        }
    }
    TryResult { fires: None, confidence: nearest.as_ref().map_or(0.0, |nearest| nearest.confidence), nearest }
}

/// How a phrase's matched words sit in the message.
struct Fit {
    /// The share of consecutive matched words of the phrase that the message has in the same
    /// order, close together (1 when fewer than two match): within `WINDOW` words for a training
    /// phrase, with nothing but stopwords between for an excluded one.
    in_order: f32,
    /// The share of the matched weight carried by ambiguous words.
    ambiguity: f32,
    /// The message position of the phrase's first matched word.
    first: u32,
    /// The message positions of the phrase's matched words.
    positions: u64,
}

fn fit(phrase: &Phrase, side: &Side) -> Fit {
    let (mut pairs, mut in_order) = (0u32, 0u32);
    let mut previous: Option<u32> = None;
    let mut first = u32::MAX;
    let mut positions = 0;
    let (mut matched, mut ambiguous) = (0.0f32, 0.0f32);
    for ((stem, weight), is_ambiguous) in phrase.words.iter().zip(&phrase.weights).zip(&phrase.ambiguous) {
        let Some(found) = side.matches.iter().find(|found| found.stem == *stem) else { continue };
        matched += weight * found.quality;
        if *is_ambiguous {
            ambiguous += weight * found.quality;
        }
        first = first.min(found.positions.trailing_zeros());
        positions |= found.positions;
        let position = match previous {
            None => found.positions.trailing_zeros(),
            Some(previous) => {
                pairs += 1;
                let after = if previous >= 63 { 0 } else { found.positions >> (previous + 1) << (previous + 1) };
                let next = after.trailing_zeros();
                let close = after != 0
                    && if phrase.excluded {
                        // Nothing but stopwords between, and no clause begins there.
                        let between = up_to(next) & !up_to(previous);
                        between & !(1u64 << next) & side.content == 0 && between & side.clauses == 0
                    } else {
                        (next - previous) as usize <= WINDOW
                    };
                if close {
                    in_order += 1;
                    next
                } else {
                    found.positions.trailing_zeros()
                }
            }
        };
        previous = Some(position);
    }
    let in_order = if pairs == 0 { 1.0 } else { in_order as f32 / pairs as f32 };
    let ambiguity = if matched > 0.0 { ambiguous / matched } else { 0.0 };
    Fit { in_order, ambiguity, first, positions }
}

/// Whether a negation comes before `first` in the same clause, with only stopwords or words of
/// the same intent (`same_intent`, message positions) between: "i don't want to talk to a
/// person", "no need for a human", "don't transfer me to an agent". Any other word ends it ("i
/// never got my refund" still asks about the refund), and so does a clause's start ("No, I want
/// a human").
fn is_negated(first: u32, side: &Side, same_intent: u64) -> bool {
    let mut position = first.min(63);
    while position > 0 {
        if side.clauses & (1u64 << position) != 0 {
            return false;
        }
        position -= 1;
        let bit = 1u64 << position;
        if side.negations & bit != 0 {
            return true;
        }
        if side.content & !same_intent & bit != 0 {
            return false;
        }
    }
    false
}

/// Bits `0..=position`.
fn up_to(position: u32) -> u64 {
    if position >= 63 { u64::MAX } else { (1u64 << (position + 1)) - 1 }
}

/// One labelled message of an evaluation set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Labelled<'a> {
    pub language: Language,
    /// The intent's name, or `fallback`.
    pub label: &'a str,
    pub message: &'a str,
}

/// How a recognizer did on a labelled set.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    pub messages: usize,
    pub correct: usize,
    /// Messages recognised as `handoff_intent` that are labelled otherwise.
    pub false_handoffs: usize,
    /// Messages labelled otherwise than `handoff_intent`.
    pub not_handoffs: usize,
    /// Each wrong answer: the message, its label and what was recognised.
    pub wrong: Vec<(String, String, String)>,
}

impl Evaluation {
    pub fn accuracy(&self) -> f32 {
        self.correct as f32 / self.messages.max(1) as f32
    }

    pub fn false_handoff_rate(&self) -> f32 {
        self.false_handoffs as f32 / self.not_handoffs.max(1) as f32
    }
}

/// Reads a labelled set: a header line, then `language`, `label`, `kind`, `message` separated by
/// tabs.
pub fn parse_labelled(text: &str) -> Result<Vec<Labelled<'_>>, String> {
    let mut out = Vec::new();
    for (number, line) in text.lines().enumerate().skip(1) {
        if line.trim().is_empty() {
            continue;
        }
        let columns: Vec<&str> = line.split('\t').collect();
        let [language, label, _kind, message] = columns.as_slice() else {
            return Err(format!("line {}: expected 4 columns separated by tabs", number + 1));
        };
        out.push(Labelled { language: Language::new(language), label, message });
    }
    Ok(out)
}

/// The Message Received triggers among `triggers` (one level of siblings) as the recognizer
/// needs them, each phrase with its language.
pub fn intent_phrases(triggers: &[Trigger]) -> Vec<IntentPhrases<'_>> {
    fn tagged(phrases: &Phrases) -> Vec<(Language, &str)> {
        phrases
            .iter()
            .flat_map(|(language, list)| list.iter().map(move |phrase| (language.clone(), phrase.as_str())))
            .collect()
    }
    triggers
        .iter()
        .filter_map(|trigger| match &trigger.kind {
            TriggerKind::MessageReceived { intent, training_phrases, excluded_phrases } => Some(IntentPhrases {
                id: trigger.id,
                name: intent,
                training: tagged(training_phrases),
                excluded: tagged(excluded_phrases),
            }),
            _ => None,
        })
        .collect()
}

/// Recognises every labelled message and counts the right answers and the false handoffs.
pub fn evaluate(
    recognizer: &Recognizer,
    labelled: &[Labelled<'_>],
    default_language: &Language,
    handoff_intent: &str,
) -> Evaluation {
    let mut evaluation =
        Evaluation { messages: labelled.len(), correct: 0, false_handoffs: 0, not_handoffs: 0, wrong: Vec::new() };
    for item in labelled {
        let recognised = recognizer.recognise(item.message, &item.language, default_language);
        let name = match recognised {
            Some(recognition) => {
                recognizer.intents.iter().find(|intent| intent.id == recognition.intent).map_or("?", |i| &i.name)
            }
            None => "fallback",
        };
        if name == item.label {
            evaluation.correct += 1;
        } else {
            evaluation.wrong.push((item.message.to_owned(), item.label.to_owned(), name.to_owned()));
        }
        if item.label != handoff_intent {
            evaluation.not_handoffs += 1;
            evaluation.false_handoffs += usize::from(name == handoff_intent);
        }
    }
    evaluation
}

#[cfg(test)]
mod tests {
    use super::{Analyzer, analyse};

    #[test]
    fn stopword_lists_are_sorted_for_binary_search() {
        for analyzer in [Analyzer::English, Analyzer::French, Analyzer::Spanish] {
            let list = analyzer.stopwords();
            assert!(list.windows(2).all(|pair| pair[0] < pair[1]), "{analyzer:?}");
            assert!(list.iter().all(|word| analyzer.is_stopword(word)));
        }
    }

    #[test]
    fn words_are_folded_split_at_apostrophes_and_stemmed_in_their_language() {
        let stems = |text: &str, analyzer| {
            analyse(text, analyzer).into_iter().filter(|w| !w.stopword).map(|w| w.stem).collect::<Vec<_>>()
        };
        assert_eq!(stems("Parler à quelqu'un", Analyzer::French), ["parl", "quelqu"]);
        assert_eq!(stems("I'd like to talk to someone", Analyzer::English), ["talk", "someon"]);
        assert_eq!(stems("Hablar con una PERSONA", Analyzer::Spanish), ["habl", "person"]);
        assert_eq!(stems("parler a qqn", Analyzer::French), ["parl", "quelqu"]);
        assert_eq!(stems("Ёлка Tiếng", Analyzer::Plain), ["елка", "tieng"]);
    }
}
