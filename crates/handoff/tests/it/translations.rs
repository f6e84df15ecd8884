//! Answers in the customer's language: every text the AI agent says has a version per language,
//! the default language's the fallback; the widget's own words come from the product's table;
//! a version 1 document's texts become the default language's.

use handoff::customer_words::{CUSTOMER_LANGUAGES, customer_words};
use handoff::localized::{PerLanguage, Phrases, phrases_in};
use handoff::workflow::{ActionKind, TriggerKind};
use handoff::{
    Engine, Language, Localized, NodeId, Severity, load_workspace, starter_workspace, validate, workspace_to_json,
};
use serde_json::json;

use crate::support::{check, run};

fn language(code: &str) -> Language {
    Language::new(code)
}

/// A workspace in English (the default), French and Spanish whose texts are `texts`' (JSON, as
/// version 2 writes them): a greeting with buttons, a handoff with its message, and feedback.
fn translated(greeting: serde_json::Value, buttons: serde_json::Value) -> handoff::Workspace {
    serde_json::from_value(json!({
        "teamspace": {
            "name": "Support",
            "agents": [{ "id": 1, "name": "Ana" }],
            "assignment": { "method": "balanced", "auto_assign_cap": 3 }
        },
        "ai_agent": {
            "name": "Helper", "default_language": "en", "other_languages": ["fr", "es"],
            "workflow": { "triggers": [
                { "id": 1, "trigger": "chat_started", "actions": [
                    { "id": 2, "action": "send_message", "text": greeting, "buttons": buttons }
                ] },
                { "id": 3, "trigger": "message_received", "intent": "human",
                  "training_phrases": { "en": ["human"], "fr": ["humain"], "es": ["persona"] }, "actions": [
                    { "id": 4, "action": "human_handoff", "availability_check": false, "assign": { "to": "all_users" },
                      "message": { "en": "Connecting you…", "fr": "Je vous mets en relation…" } }
                ] },
                { "id": 5, "trigger": "chat_closed_by_live_agent", "actions": [
                    { "id": 6, "action": "collect_feedback",
                      "title": { "en": "How did we do?", "es": "¿Qué tal lo hicimos?" },
                      "request": { "en": "Please rate us.", "es": "Valórenos, por favor." },
                      "thank_you": { "en": "Thank you!", "es": "¡Gracias!" } }
                ] }
            ] }
        }
    }))
    .expect("a valid workspace")
}

/// Each row: the chat's language, and the greeting with its buttons the customer reads.
#[test]
fn a_chat_reads_its_language_s_text_and_the_default_language_s_where_it_has_none() {
    let workspace = translated(
        json!({ "en": "Hi!", "fr": "Bonjour !" }),
        json!([{ "en": "Yes", "fr": "Oui", "es": "Sí" }, { "en": "No" }]),
    );
    let rows = [
        ("en", "ai: Hi! [Yes | No]"),
        ("fr", "ai: Bonjour ! [Oui | No]"),
        // Spanish has a button of its own, and the default language's greeting.
        ("es", "ai: Hi! [Sí | No]"),
    ];
    for (code, expected) in rows {
        let mut engine = Engine::new(workspace.clone(), 1);
        let transcript = run(&mut engine, &format!("start 1 {code}\n"));
        assert_eq!(transcript.lines().nth(2), Some(format!("  {expected}").as_str()), "{code}");
    }
}

#[test]
fn the_fallback_is_the_default_language_then_any_text() {
    let (en, fr, es) = (language("en"), language("fr"), language("es"));
    let rows: [(Localized, &Language, &str); 5] = [
        (Localized::one(&en, "Hi").with(&fr, "Salut"), &fr, "Salut"),
        (Localized::one(&en, "Hi").with(&fr, "Salut"), &es, "Hi"),
        // Without the default language's, the first there is, in the order of the codes.
        (Localized::one(&fr, "Salut").with(&es, "Hola"), &language("de"), "Hola"),
        (Localized::one(&es, "Hola"), &en, "Hola"),
        (Localized::new(), &fr, ""),
    ];
    for (text, chat_language, expected) in rows {
        assert_eq!(text.text_in(chat_language, &en), expected, "{text:?} in {chat_language}");
    }
    assert_eq!(Localized::one(&fr, ""), Localized::new(), "an empty text is no text");
}

#[test]
fn the_handoff_message_is_sent_in_the_chat_s_language() {
    let workspace = translated(json!({ "en": "Hi!" }), json!([]));
    check(
        workspace,
        "- start 1 fr
         say 1 un humain svp
         - start 2 es
         say 2 una persona",
        "
        say 1 un humain svp
          customer: un humain svp
          ai: Je vous mets en relation…
          chat 1 handed off
          chat 1 queued at position 1
        say 2 una persona
          customer: una persona
          ai: Connecting you…
          chat 2 handed off
          chat 2 queued at position 2
        ",
    );
}

#[test]
fn feedback_is_asked_and_thanked_for_in_the_chat_s_language() {
    let workspace = translated(json!({ "en": "Hi!" }), json!([]));
    check(
        workspace,
        "- in 1
         - start 1 es
         - say 1 persona
         close 1 1
         rate 1 4",
        "
        close 1 1
          closed by agent 1
          ai asks for a rating: ¿Qué tal lo hicimos?
        rate 1 4
          customer rated 4
          ai: ¡Gracias!
          new AI session
        ",
    );
}

#[test]
fn the_starter_greets_a_spanish_customer_in_spanish_and_its_buttons_work() {
    let mut engine = Engine::new(starter_workspace(), 1);
    let transcript = run(&mut engine, "start 1 es\nsay 1 Una pregunta sobre mi factura\nsay 1 No, gracias\n");
    assert_eq!(
        transcript,
        "start 1 es
  chat 1 started in es
  ai: ¡Hola! Soy el asistente de Acme. ¿En qué puedo ayudarte? [Hablar con una persona | Una pregunta sobre mi factura]
say 1 Una pregunta sobre mi factura
  customer: Una pregunta sobre mi factura
  ai: Puedo ayudarte con la facturación. ¿Quieres hablar con nuestro equipo de facturación? [Sí, por favor | No, gracias]
say 1 No, gracias
  customer: No, gracias
  ai: ¡De acuerdo! ¿Puedo ayudarte en algo más?
"
    );
}

/// The widget's own words: a language of the table has its own, another the default
/// language's, else English.
#[test]
fn a_customer_s_system_lines_are_in_their_language() {
    let (en, es, fr) = (language("en"), language("es"), language("fr"));
    let spanish = customer_words(&es, &en);
    assert_eq!(spanish.language, "es");
    assert_eq!(spanish.in_queue(2), "Está en el puesto 2 de la cola para un agente.");
    assert_eq!(spanish.waiting, "Esperando a un agente.");
    assert_eq!(spanish.closed_by("Lucía Gómez"), "Cerrada por Lucía Gómez");
    assert_eq!(spanish.rated(4, None), "El cliente valoró con 4 de 5");
    assert_eq!(spanish.rated(5, Some("Rápido")), "El cliente valoró con 5 de 5: «Rápido»");
    assert_eq!(
        spanish.rated(2, Some("mal {n} {comment}")),
        "El cliente valoró con 2 de 5: «mal {n} {comment}»",
        "the comment is the customer's, as written"
    );
    assert_eq!(spanish.rate_button(3), "Valorar con 3 de 5");
    assert_eq!((spanish.send, spanish.type_a_message), ("Enviar", "Escriba un mensaje"));
    assert_eq!(customer_words(&fr, &en).in_queue(1), "Vous êtes 1er dans la file d'attente pour un agent.");
    assert_eq!(customer_words(&en, &en).in_queue(2), "You are 2nd in the queue for a live agent.");
    assert_eq!(customer_words(&en, &en).rated(4, None), "Customer rated 4 of 5");
    // Italian is not in the table: the default language's words, else English.
    assert_eq!(customer_words(&language("it"), &fr).language, "fr");
    assert_eq!(customer_words(&language("it"), &language("pt")).language, "en");
    let codes: Vec<&str> = CUSTOMER_LANGUAGES.iter().map(|words| words.language).collect();
    assert_eq!(codes, ["en", "fr", "es", "de"]);
}

/// Every translatable text without a version in a language the AI agent speaks is a warning,
/// never an error; an intent without phrases in a language too.
#[test]
fn a_missing_translation_is_a_warning() {
    let workspace = translated(json!({ "en": "Hi!", "fr": "Bonjour !", "es": "¡Hola!" }), json!([{ "en": "Yes" }]));
    let problems: Vec<(Severity, String)> = validate(&workspace)
        .iter()
        .map(|problem| {
            (
                problem.kind.severity(),
                format!("{} ({}): {}", problem.path, problem.node.map_or(0, |node| node.0), problem.kind),
            )
        })
        .collect();
    let warning = |line: &str| (Severity::Warning, line.to_owned());
    assert_eq!(
        problems,
        [
            warning("triggers[0].actions[0] (2): button 1 has no fr version: chats in fr read the default language's"),
            warning("triggers[0].actions[0] (2): button 1 has no es version: chats in es read the default language's"),
            warning(
                "triggers[1].actions[0] (4): the handoff message has no es version: chats in es read the default language's"
            ),
            warning(
                "triggers[2].actions[0] (6): the rating title has no fr version: chats in fr read the default language's"
            ),
            warning(
                "triggers[2].actions[0] (6): the request message has no fr version: chats in fr read the default language's"
            ),
            warning(
                "triggers[2].actions[0] (6): the thank-you message has no fr version: chats in fr read the default language's"
            ),
        ]
    );
    let mut no_spanish_phrases = workspace.clone();
    if let TriggerKind::MessageReceived { training_phrases, .. } =
        &mut no_spanish_phrases.ai_agent.workflow.triggers[1].kind
    {
        training_phrases.remove(&language("es"));
    }
    let intent = validate(&no_spanish_phrases).into_iter().find(|problem| problem.node == Some(NodeId(3)));
    assert_eq!(
        intent.map(|problem| (problem.kind.severity(), problem.kind.to_string())),
        Some((
            Severity::Warning,
            "no training phrases in es: messages in it match only other languages' phrases".to_owned()
        ))
    );
    assert_eq!(validate(&starter_workspace()), [], "the starter is translated in full");
}

/// A version 1 document (the starter before version 2): each text becomes the AI agent's default
/// language's, each phrase list the default language's list; saving writes version 2, which
/// reads back as the same workspace.
#[test]
fn a_version_1_document_migrates_to_its_default_language_and_saves_as_version_2() {
    let old = include_str!("legacy/starter-v1.workspace.json");
    for (default, others) in [("en", json!(["fr", "es"])), ("fr", json!(["en", "es"]))] {
        let mut document: serde_json::Value = serde_json::from_str(old).expect("JSON");
        document["workspace"]["ai_agent"]["default_language"] = default.into();
        document["workspace"]["ai_agent"]["other_languages"] = others;
        let migrated = load_workspace(&document.to_string()).expect("a version 1 document loads");
        let default = language(default);
        let workflow = &migrated.ai_agent.workflow;
        let kind = |node| workflow.find_action(NodeId(node)).map(|action| action.kind.clone()).expect("the node");
        let ActionKind::SendMessage { text, buttons } = kind(6) else { panic!("6 sends a message") };
        assert_eq!(text, Localized::one(&default, "Hi! I'm Acme's assistant. How can I help?"));
        assert_eq!(
            buttons,
            [Localized::one(&default, "Talk to a human"), Localized::one(&default, "A billing question")]
        );
        let ActionKind::HumanHandoff(handoff) = kind(11) else { panic!("11 hands off") };
        assert_eq!(handoff.message, Localized::one(&default, "Connecting you to a live agent…"));
        let ActionKind::CollectFeedback(feedback) = kind(31) else { panic!("31 asks for feedback") };
        assert_eq!(
            (feedback.title, feedback.thank_you),
            (Localized::one(&default, "How did we do?"), Localized::one(&default, "Thank you for your feedback!"))
        );
        let Some(TriggerKind::MessageReceived { training_phrases, excluded_phrases, .. }) =
            workflow.find_trigger(NodeId(24)).map(|trigger| trigger.kind.clone())
        else {
            panic!("24 is an intent")
        };
        assert_eq!(training_phrases, phrases_in(&default, vec!["no".to_owned(), "non".to_owned()]));
        assert_eq!(excluded_phrases, Phrases::new(), "an empty list is no list");
        let saved = workspace_to_json(&migrated);
        assert!(saved.contains("\"version\": 2,"), "saved as version 2");
        assert!(saved.contains(&format!("\"{default}\": \"Alright! Anything else I can do for you?\"")), "{saved}");
        assert_eq!(load_workspace(&saved), Ok(migrated), "the saved document reads back the same");
    }
}

/// Version 2's texts are checked like every other field: the path of the wrong value, with its
/// line and column.
#[test]
fn a_wrong_translation_says_where() {
    let document = workspace_to_json(&starter_workspace());
    let broken = document.replacen("\"fr\": \"Merci pour votre avis !\"", "\"fr\": 7", 1);
    assert_eq!(
        load_workspace(&broken).unwrap_err().to_string(),
        "at workspace.ai_agent.workflow.triggers[3].actions[0].thank_you.fr (line 581, column 25): invalid type: integer `7`, expected a string"
    );
    let broken = document.replacen(
        "\"es\": [\n                \"cargador\",\n                \"batería cargada\"\n              ]",
        "\"es\": \"cargador\"",
        1,
    );
    assert_ne!(broken, document);
    assert_eq!(
        load_workspace(&broken).unwrap_err().to_string(),
        "at workspace.ai_agent.workflow.triggers[2].excluded_phrases.es (line 425, column 30): invalid type: string \"cargador\", expected a sequence"
    );
}

#[test]
fn per_language_values_are_kept_in_the_order_of_the_language_codes_one_per_language() {
    let mut values = PerLanguage::new();
    for (code, value) in [("fr", 1), ("en", 2), ("es", 3), ("fr", 4)] {
        values.insert(language(code), value);
    }
    let codes: Vec<(&str, i32)> = values.iter().map(|(language, value)| (language.0.as_str(), *value)).collect();
    assert_eq!(codes, [("en", 2), ("es", 3), ("fr", 4)], "sorted by code, the second fr replaced the first");
    assert_eq!(values.remove(&language("es")), Some(3));
    assert!(!values.contains_key(&language("es")), "es was taken away");
    assert_eq!(values.remove(&language("de")), None, "an absent language is no change");
    assert_eq!((values.len(), values.get(&language("en"))), (2, Some(&2)));
}
