//! The recognizer on a labelled set of real-looking customer messages in English, French and
//! Spanish, against the starter workspace's own intents (`starter.workspace.json`).

use handoff::matching::{Recognizer, evaluate, intent_phrases, normalize, parse_labelled};
use handoff::starter_workspace;

const LABELLED: &str = include_str!("../intents/labelled.tsv");

#[test]
fn labelled_messages_are_recognised_accurately_with_few_false_handoffs() {
    let starter = starter_workspace();
    let recognizer = Recognizer::new(&intent_phrases(&starter.ai_agent.workflow.triggers));
    let labelled = parse_labelled(LABELLED).expect("the labelled set's shape");
    assert!(labelled.len() >= 300, "{} messages", labelled.len());
    let evaluation = evaluate(&recognizer, &labelled, &starter.ai_agent.default_language, "Talk to a human");
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
fn no_labelled_message_is_a_training_phrase_of_the_starter() {
    let starter = starter_workspace();
    // Every level's intents: the top level and the replies an action waits for.
    let workflow = &starter.ai_agent.workflow;
    let levels = workflow.entries().into_iter().filter_map(|entry| match entry.node {
        handoff::workflow::NodeRef::Action(action) => Some(action.triggers.as_slice()),
        handoff::workflow::NodeRef::Trigger(_) => None,
    });
    let phrases: Vec<String> = std::iter::once(workflow.triggers.as_slice())
        .chain(levels)
        .flat_map(intent_phrases)
        .flat_map(|intent| intent.training)
        .map(|(_, phrase)| normalize(phrase))
        .collect();
    assert!(phrases.len() > 100, "the starter's phrases are read: {}", phrases.len());
    let copied: Vec<&str> = parse_labelled(LABELLED)
        .expect("the labelled set's shape")
        .iter()
        .filter(|item| phrases.contains(&normalize(item.message)))
        .map(|item| item.message)
        .collect();
    assert_eq!(copied, Vec::<&str>::new(), "a test message copied into the phrases measures nothing");
}
