//! Recognising intents: a table of messages against a few intents (paraphrases, word order,
//! accents, misspellings, extra words, excluded phrases and near-misses, competing intents),
//! nested triggers in the engine, and the accent-folding table the recognizer uses.

use handoff::fold::{FOLDED_BLOCKS, base_letter};
use handoff::matching::{IntentPhrases, Recognizer, THRESHOLD};
use handoff::{Language, NodeId};
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

/// Intents as (name, training phrases, excluded phrases), all in `language`, ids 1, 2, …
fn recognizer<'a>(language: &str, intents: &[(&'a str, &[&'a str], &[&'a str])]) -> Recognizer {
    let tag = |phrases: &[&'a str]| phrases.iter().map(|phrase| (Language::new(language), *phrase)).collect();
    let intents: Vec<IntentPhrases<'_>> = intents
        .iter()
        .enumerate()
        .map(|(index, (name, training, excluded))| IntentPhrases {
            id: NodeId(index as u32 + 1),
            name,
            training: tag(training),
            excluded: tag(excluded),
        })
        .collect();
    Recognizer::new(&intents)
}

/// The name of the intent recognised for each message (in `language`, default English), or
/// `fallback`, compared with the table.
fn check(recognizer: &Recognizer, names: &[&str], language: &str, table: &[(&str, &str)]) {
    let failures: Vec<String> = table
        .iter()
        .filter_map(|(message, expected)| {
            let recognised = recognizer.recognise(message, &Language::new(language), &Language::new("en"));
            let name = recognised.map_or("fallback", |recognition| names[recognition.intent.0 as usize - 1]);
            let scores = recognizer.scores(message, &Language::new(language), &Language::new("en"));
            (name != *expected).then(|| format!("{message:?}: expected {expected}, got {name} ({scores:?})"))
        })
        .collect();
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

const HUMAN: &[&str] = &["talk to a human", "speak to a person", "live agent", "real person", "agent"];
const HUMAN_EXCLUDED: &[&str] = &["not a human", "agent id", "travel agent"];
const BILLING: &[&str] = &["billing question", "refund", "invoice"];

fn english() -> Recognizer {
    recognizer("en", &[("human", HUMAN, HUMAN_EXCLUDED), ("billing", BILLING, &[])])
}

#[test]
fn messages_are_recognised_by_meaning_not_only_by_containing_a_phrase() {
    check(
        &english(),
        &["human", "billing"],
        "en",
        &[
            // The phrases themselves, in any case and punctuation.
            ("Talk to a HUMAN!", "human"),
            // Paraphrases: other forms of the same words, other small words.
            ("could I speak with a real person?", "human"),
            ("talking to humans", "human"),
            ("I have a question about billing", "billing"),
            // Word order.
            ("a human, I want to talk to", "human"),
            ("person real please", "human"),
            // Misspellings.
            ("speak to a prson", "human"),
            ("talk to a humna", "human"),
            ("agnet please", "human"),
            ("i need a refnud", "billing"),
            ("where is my invocie", "billing"),
            // Extra words around the request.
            ("hi, I've been waiting all week for my parcel, can I talk to a human please", "human"),
            ("my card was charged twice last month and I would like a refund of the second charge", "billing"),
            // Excluded phrases and near-misses.
            ("I am not a human", "fallback"),
            ("my agent ID is 42", "fallback"),
            ("my travel agent recommended you", "fallback"),
            ("the sync agent keeps crashing on windows", "fallback"),
            ("I want to talk to a human, not a bot", "human"),
            ("I don't want to talk to a human", "fallback"),
            // Below the threshold: nothing fires.
            ("what are your opening hours", "fallback"),
            ("hello", "fallback"),
            ("humanity", "fallback"),
            ("", "fallback"),
        ],
    );
}

#[test]
fn accents_are_ignored_on_either_side() {
    let french = recognizer("fr", &[("humain", &["parler à un humain", "parler à quelqu'un"], &["pas un humain"])]);
    check(
        &french,
        &["humain"],
        "fr",
        &[
            ("Je veux PARLER À UN HUMAIN", "humain"),
            ("je veux parler a un humain", "humain"),
            ("parle\u{0301}r a\u{0300} un humain", "humain"),
            ("je peux parler à quelqu\u{2019}un ?", "humain"),
            ("je ne suis pas un humain", "fallback"),
        ],
    );
    let plain = recognizer("ru", &[("tree", &["Ёлка"], &[]), ("viet", &["tieng viet"], &[])]);
    check(&plain, &["tree", "viet"], "ru", &[("елка", "tree")]);
    check(&plain, &["tree", "viet"], "vi", &[("Tiếng Việt", "fallback")]);
}

#[test]
fn the_more_confident_of_two_intents_wins_and_ties_go_to_the_first() {
    let orders = recognizer(
        "en",
        &[
            ("order", &["cancel my order"], &[]),
            ("subscription", &["cancel my subscription"], &[]),
            ("cancel", &["cancel"], &[]),
        ],
    );
    let names = ["order", "subscription", "cancel"];
    check(
        &orders,
        &names,
        "en",
        &[("please cancel my subscription", "subscription"), ("cancel my order now", "order")],
    );
    let scores = orders.scores("cancel the subscription", &Language::new("en"), &Language::new("en"));
    assert_eq!(scores.len(), 3);
    assert!(scores[1].confidence >= scores[0].confidence, "{scores:?}");
    assert_eq!(scores[1].nearest.as_deref(), Some("cancel my subscription"));
    // "cancel" alone is covered fully by three phrases' worth of intents: the first at the top wins.
    let twins = recognizer("en", &[("first", &["cancel"], &[]), ("second", &["cancel"], &[])]);
    check(&twins, &["first", "second"], "en", &[("cancel", "first")]);
}

#[test]
fn scores_say_the_nearest_phrase_and_the_veto() {
    let scores = english().scores("I am not a human", &Language::new("en"), &Language::new("en"));
    assert_eq!(scores[0].name, "human");
    assert_eq!(scores[0].nearest.as_deref(), Some("talk to a human"));
    assert_eq!(scores[0].vetoed_by.as_deref(), Some("not a human"));
    assert_eq!(scores[1].confidence, 0.0);
    assert_eq!(scores[1].nearest, None);
    let scores = english().scores("talk to a human", &Language::new("en"), &Language::new("en"));
    assert!(scores[0].confidence >= THRESHOLD && scores[0].vetoed_by.is_none(), "{scores:?}");
}

#[test]
fn phrases_of_the_chats_language_and_of_the_default_language_count() {
    let intents = [IntentPhrases {
        id: NodeId(1),
        name: "human",
        training: vec![(Language::new("en"), "talk to a human"), (Language::new("fr"), "parler à un humain")],
        excluded: vec![],
    }];
    let recognizer = Recognizer::new(&intents);
    let (en, fr, es) = (Language::new("en"), Language::new("fr"), Language::new("es"));
    assert!(recognizer.recognise("je veux parler a un humain", &fr, &en).is_some());
    assert!(recognizer.recognise("talk to a human", &fr, &en).is_some(), "the default language counts too");
    assert!(recognizer.recognise("je veux parler a un humain", &es, &en).is_none(), "French phrases are not Spanish");
    assert!(recognizer.recognise("talk to a human", &es, &en).is_some());
}

#[test]
fn recognising_is_deterministic() {
    let recognizer = english();
    let message = "hi, can i tlak to a real persn about my refund";
    let first = recognizer.scores(message, &Language::new("en"), &Language::new("en"));
    for _ in 0..3 {
        assert_eq!(english().scores(message, &Language::new("en"), &Language::new("en")), first);
    }
}

#[test]
fn nested_triggers_are_recognised_before_the_top_level_with_the_same_method() {
    let mut engine = handoff::Engine::new(handoff::starter_workspace(), 7);
    // "no" answers the nested question although "invoice" is the top level's Billing; without
    // the nested answer the top level asks again.
    let steps = "
        - start 10 en
        say 10 Is this about my invoce?
        say 10 no, the invoice is fine
        - start 11 en
        say 11 a question about my invoice
        say 11 the invoice is fine
    ";
    let actual = crate::support::run(&mut engine, steps);
    let expected = "\
say 10 Is this about my invoce?
  customer: Is this about my invoce?
  ai: I can help with billing. Would you like to talk to our billing team? [Yes, please | No, thanks]
say 10 no, the invoice is fine
  customer: no, the invoice is fine
  ai: Alright! Anything else I can do for you?
say 11 a question about my invoice
  customer: a question about my invoice
  ai: I can help with billing. Would you like to talk to our billing team? [Yes, please | No, thanks]
say 11 the invoice is fine
  customer: the invoice is fine
  ai: I can help with billing. Would you like to talk to our billing team? [Yes, please | No, thanks]
";
    assert_eq!(actual, expected);
}

/// A customer may send one word of ten thousand letters (the longest message the server takes):
/// it is no misspelling of any phrase's word, so it is recognised as nothing, at once. Looking
/// for its misspellings (every way of deleting two of its letters) took minutes.
#[test]
fn a_word_far_longer_than_every_phrase_word_is_no_misspelling() {
    let long = "é".repeat(10_000);
    check(&english(), &["human", "billing"], "en", &[(&long, "fallback"), (&format!("{long} live agent"), "human")]);
}

#[test]
fn a_negation_holds_within_its_clause_across_the_intents_own_words() {
    let human = recognizer(
        "en",
        &[
            ("human", &["talk to a human", "a human", "live agent", "transfer me to an agent"], &["i am a human"]),
            ("billing", BILLING, &[]),
        ],
    );
    check(
        &human,
        &["human", "billing"],
        "en",
        &[
            // A clause's mark ends a negation.
            ("No, I want a human", "human"),
            ("No. A human please", "human"),
            ("No! Human!", "human"),
            ("not sure, can I talk to a human", "human"),
            // "Don" is a negation only with its "t".
            ("This is Don. A human please", "human"),
            ("don human please", "human"),
            ("I don't want a human", "fallback"),
            ("i dont want to talk to a human", "fallback"),
            // The intent's own words between the negation and the match keep it.
            ("do not transfer me to an agent", "fallback"),
            ("please don't transfer me to a live agent", "fallback"),
            // Other words end it.
            ("i never got my refund", "billing"),
            // "I'm" reads "i am", as the excluded phrase has it.
            ("I'm a human", "fallback"),
            ("im a human", "fallback"),
        ],
    );
    let spanish = recognizer("es", &[("human", &["hablar con una persona", "un humano"], &[])]);
    check(
        &spanish,
        &["human"],
        "es",
        &[("No, quiero hablar con una persona", "human"), ("no quiero hablar con una persona", "fallback")],
    );
    let french = recognizer("fr", &[("human", &["parler à un conseiller"], &[])]);
    check(
        &french,
        &["human"],
        "fr",
        &[
            ("Je ne sais pas, je veux parler à un conseiller", "human"),
            ("je ne veux pas parler à un conseiller", "fallback"),
        ],
    );
}

#[test]
fn an_excluded_phrase_does_not_match_across_a_clause() {
    let human = recognizer("en", &[("human", &["talk to a human", "a human"], &["not a human"])]);
    check(
        &human,
        &["human"],
        "en",
        &[
            ("I am not a human", "fallback"),
            ("not a bot. a human, please: talk to a human", "human"),
            ("Not. A human!", "human"),
        ],
    );
}

#[test]
fn only_words_of_at_most_24_letters_may_be_misspelt() {
    let long = "abcdefghijklmnopqrstuvwxyz";
    let intents = recognizer("en", &[("long", &[long, "short word"], &[])]);
    let one_letter_off = long.replace('m', "n");
    check(&intents, &["long"], "en", &[(long, "long"), (&one_letter_off, "fallback"), ("shrot word", "long")]);
}

/// A workflow of Talk to a human (whose first action waits for Yes or No), Billing and Fallback,
/// its phrases in English.
fn try_workflow() -> handoff::workflow::Workflow {
    use handoff::localized::phrases_in;
    use handoff::workflow::{Action, ActionKind, Trigger, TriggerKind, Workflow};
    let en = Language::new("en");
    let intent = |id: u32, name: &str, training: &[&str], excluded: &[&str], actions: Vec<Action>| Trigger {
        id: NodeId(id),
        kind: TriggerKind::MessageReceived {
            intent: name.to_owned(),
            training_phrases: phrases_in(&en, training.iter().map(|phrase| (*phrase).to_owned()).collect()),
            excluded_phrases: phrases_in(&en, excluded.iter().map(|phrase| (*phrase).to_owned()).collect()),
        },
        actions,
    };
    let question = Action {
        id: NodeId(11),
        label: None,
        enabled: true,
        kind: ActionKind::SendMessage {
            text: handoff::Localized::one(&en, "Shall I find you someone?"),
            buttons: Vec::new(),
        },
        triggers: vec![
            intent(12, "Yes", &["yes", "yes please"], &[], Vec::new()),
            intent(13, "No", &["no", "no thanks"], &[], Vec::new()),
        ],
    };
    Workflow {
        triggers: vec![
            intent(10, "Talk to a human", HUMAN, HUMAN_EXCLUDED, vec![question]),
            intent(20, "Billing", BILLING, &[], Vec::new()),
            Trigger { id: NodeId(40), kind: TriggerKind::Fallback, actions: Vec::new() },
        ],
    }
}

/// What `try_message` says, as one line: the trigger that fires (id and intent) or Fallback,
/// the confidence, and the nearest phrase with its intent, language and any veto.
fn tried(scope: handoff::matching::TryScope, message: &str, language: &str) -> String {
    let result =
        handoff::matching::try_message(&try_workflow(), &Language::new("en"), scope, message, &Language::new(language));
    let fires = result.fires.map_or("Fallback".to_owned(), |(id, intent)| format!("{} {intent}", id.0));
    let nearest = result.nearest.map_or("no nearest phrase".to_owned(), |nearest| {
        let veto = nearest.vetoed_by.map(|phrase| format!(", vetoed by {phrase:?}")).unwrap_or_default();
        format!(
            "nearest {:?} of {} ({}, {:.2}{veto})",
            nearest.phrase, nearest.intent, nearest.language, nearest.confidence
        )
    });
    format!("{fires} {:.2}, {nearest}", result.confidence)
}

#[test]
fn trying_a_message_says_which_trigger_fires_how_surely_and_the_nearest_phrase() {
    use handoff::matching::TryScope::{self, After, TopLevel};
    let table = [
        (
            TopLevel,
            "Can I talk to a human?",
            "en",
            "10 Talk to a human 1.00, nearest \"talk to a human\" of Talk to a human (en, 1.00)",
        ),
        (
            TopLevel,
            "i want to speak to a person",
            "en",
            "10 Talk to a human 1.00, nearest \"speak to a person\" of Talk to a human (en, 1.00)",
        ),
        (TopLevel, "I need a refnd", "en", "20 Billing 0.80, nearest \"refund\" of Billing (en, 0.80)"),
        // A French chat is matched against the default language's phrases too.
        (
            TopLevel,
            "talk to a human svp",
            "fr",
            "10 Talk to a human 0.96, nearest \"talk to a human\" of Talk to a human (en, 0.96)",
        ),
        // Below the threshold: Fallback, and the phrase the message came closest to.
        (TopLevel, "is the billing done", "en", "Fallback 0.50, nearest \"billing question\" of Billing (en, 0.50)"),
        (
            TopLevel,
            "I am not a human",
            "en",
            "Fallback 0.00, nearest \"talk to a human\" of Talk to a human (en, 0.00, vetoed by \"not a human\")",
        ),
        (TopLevel, "what's the weather like", "en", "Fallback 0.00, no nearest phrase"),
        // The replies an action waits for are not the top level's.
        (TopLevel, "yes please", "en", "Fallback 0.00, no nearest phrase"),
        (After(NodeId(11)), "yes please", "en", "12 Yes 1.00, nearest \"yes\" of Yes (en, 1.00)"),
        (After(NodeId(11)), "no thanks, I want a refund", "en", "13 No 1.00, nearest \"no\" of No (en, 1.00)"),
        // Nested first, then the top level, as the engine matches.
        (After(NodeId(11)), "a refund", "en", "20 Billing 1.00, nearest \"refund\" of Billing (en, 1.00)"),
        (After(NodeId(11)), "maybe later", "en", "Fallback 0.00, no nearest phrase"),
    ];
    let failures: Vec<String> = table
        .iter()
        .filter_map(|(scope, message, language, expected)| {
            let actual = tried(*scope, message, language);
            (actual != *expected).then(|| format!("{scope:?} {message:?}:\n  expected {expected}\n  actual   {actual}"))
        })
        .collect();
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
    // A trigger's panel tries messages where that trigger is matched.
    assert_eq!(TryScope::of_trigger(&try_workflow(), NodeId(12)), After(NodeId(11)));
    assert_eq!(TryScope::of_trigger(&try_workflow(), NodeId(20)), TopLevel);
}
