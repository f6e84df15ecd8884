//! The starter workspace a first visit opens: valid, without problems, and it behaves.

use handoff::{Engine, starter_workspace, validate};

use crate::support::run;

#[test]
fn the_starter_workspace_has_no_problem() {
    assert_eq!(validate(&starter_workspace()), Vec::new());
}

#[test]
fn the_starter_workspace_hands_french_chats_to_the_francophone_team_and_says_goodbye() {
    let mut engine = Engine::new(starter_workspace(), 1);
    let transcript =
        run(&mut engine, "- in 3\n- in 6\nstart 1 fr\nsay 1 Je veux parler à un humain\nclose 6 1\nrate 1 5\n");
    assert_eq!(
        transcript,
        "start 1 fr
  chat 1 started in fr
  ai: Bonjour ! Je suis l'assistant d'Acme. Comment puis-je vous aider ? [Parler à un humain | Une question sur ma facture]
say 1 Je veux parler à un humain
  customer: Je veux parler à un humain
  ai: Je vous mets en relation avec un agent…
  chat 1 handed off
  chat 1 assigned to agent 6 by Balanced
close 6 1
  closed by agent 6
  ai asks for a rating: Comment s'est passé cet échange ?
rate 1 5
  customer rated 5
  var rating = 5
  ai: Merci pour votre avis !
  ai: Merci d'avoir contacté Acme. Bonne journée !
  new AI session
"
    );
}

#[test]
fn the_starter_billing_question_offers_the_handoff_and_finds_nobody_online() {
    let mut engine = Engine::new(starter_workspace(), 1);
    let transcript = run(&mut engine, "- start 1 en\nsay 1 A billing question\nsay 1 yes\nsay 1 me@example.com\n");
    assert_eq!(
        transcript,
        "say 1 A billing question
  customer: A billing question
  ai: I can help with billing. Would you like to talk to our billing team? [Yes, please | No, thanks]
say 1 yes
  customer: yes
  no agent available (no-agent branch: true)
  ai: Our team is offline right now (9:00–18:00 CET). What email can we reach you at?
say 1 me@example.com
  customer: me@example.com
  var email = me@example.com
  ai: Thanks! We'll write to me@example.com as soon as we're back.
"
    );
}
