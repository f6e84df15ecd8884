//! The recognizer on a labelled set of real-looking customer messages in English, French and
//! Spanish, against the intents of `tests/intents/starter-phrases.json`.

use handoff::Language;
use handoff::matching::{Recognizer, evaluate, intents_from_json, normalize, parse_labelled};

const LABELLED: &str = include_str!("../intents/labelled.tsv");
const PHRASES: &str = include_str!("../intents/starter-phrases.json");

#[test]
fn labelled_messages_are_recognised_accurately_with_few_false_handoffs() {
    let document: serde_json::Value = serde_json::from_str(PHRASES).expect("the phrases are JSON");
    let intents = intents_from_json(&document, &["Talk to a human", "Billing"]).expect("the phrases' shape");
    let recognizer = Recognizer::new(&intents);
    let labelled = parse_labelled(LABELLED).expect("the labelled set's shape");
    assert!(labelled.len() >= 300, "{} messages", labelled.len());
    let evaluation = evaluate(&recognizer, &labelled, &Language::new("en"), "Talk to a human");
    let (accuracy, false_handoffs) = (evaluation.accuracy() * 100.0, evaluation.false_handoff_rate() * 100.0);
    println!("intents accuracy: {accuracy:.1}%");
    println!("intents false handoffs: {false_handoffs:.1}%");
    let wrong: Vec<String> = evaluation
        .wrong
        .iter()
        .map(|(message, label, recognised)| format!("  {message:?}: labelled {label}, recognised {recognised}"))
        .collect();
    let wrong = wrong.join("\n");
    assert!(
        accuracy >= 90.0 && false_handoffs <= 2.0,
        "accuracy {accuracy:.1}%, false handoffs {false_handoffs:.1}%; misrecognised:\n{wrong}"
    );
}

#[test]
fn no_labelled_message_is_a_training_phrase() {
    let document: serde_json::Value = serde_json::from_str(PHRASES).expect("the phrases are JSON");
    let names = ["Talk to a human", "Billing", "Yes", "No"];
    let intents = intents_from_json(&document, &names).expect("the phrases' shape");
    let phrases: Vec<String> =
        intents.iter().flat_map(|intent| &intent.training).map(|(_, phrase)| normalize(phrase)).collect();
    let copied: Vec<&str> = parse_labelled(LABELLED)
        .expect("the labelled set's shape")
        .iter()
        .filter(|item| phrases.contains(&normalize(item.message)))
        .map(|item| item.message)
        .collect();
    assert_eq!(copied, Vec::<&str>::new(), "a test message copied into the phrases measures nothing");
}
