//! Accent folding: the compact table the matcher uses agrees with Unicode's canonical
//! decompositions for every code point of the blocks it covers.

use handoff::fold::{FOLDED_BLOCKS, base_letter};
use handoff::matching::intent_matches;
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// What a full canonical decomposition says: its first character when the rest are combining
/// marks (or there is no rest: a singleton such as the Greek numeral sign), else the letter.
fn decomposed_base(c: char) -> char {
    let mut parts = std::iter::once(c).nfd();
    let base = parts.next().expect("a decomposition is never empty");
    let rest: Vec<char> = parts.collect();
    if rest.iter().all(|mark| is_combining_mark(*mark)) { base } else { c }
}

#[test]
fn the_folding_table_agrees_with_unicode_decompositions_in_every_block_it_covers() {
    let mut folded = 0;
    for (first, last) in FOLDED_BLOCKS {
        for c in first..=last {
            assert_eq!(base_letter(c), decomposed_base(c), "U+{:04X} {c}", u32::from(c));
            folded += usize::from(base_letter(c) != c);
        }
    }
    assert_eq!(folded, 804, "every letter of those blocks that decomposes is folded");
    assert_eq!(base_letter('a'), 'a');
    assert_eq!(base_letter('안'), '안', "other scripts are matched as written");
}

#[test]
fn accented_and_decomposed_text_match_the_plain_phrase() {
    let phrases = ["parler a un humain".to_owned()];
    assert!(intent_matches("Je veux PARLER À UN HUMAIN", &phrases, &[]));
    assert!(intent_matches("parle\u{0301}r a\u{0300} un humain", &phrases, &[]), "combining accents are dropped");
    assert!(intent_matches("Ёлка", &["елка".to_owned()], &[]));
    assert!(intent_matches("Tiếng Việt", &["tieng viet".to_owned()], &[]));
}
