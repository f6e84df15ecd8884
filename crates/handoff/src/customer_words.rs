//! The product's own words that a customer reads in the chat widget (the place in the queue,
//! "Closed by …", the rating buttons, the message box), in the languages the product speaks.
//!
//! These are not the workspace's texts, which the admin writes per language in the workflow:
//! they are Handoff Studio's, so they live here, in a small table.
//! A chat in a language the table lacks reads the AI agent's default language's words if the
//! table has them, else English (`customer_words`).

use crate::ids::Language;

/// The widget's words in one language. Templates hold `{n}`, `{name}` or `{comment}`.
#[derive(Debug)]
pub struct CustomerWords {
    /// The language code these words are in.
    pub language: &'static str,
    /// "You are {n} in the queue for a live agent.", `{n}` an ordinal (`ordinal`).
    in_queue: &'static str,
    /// While pending without a place to tell.
    pub waiting: &'static str,
    /// The line of the `queued` event.
    queued: &'static str,
    closed_by: &'static str,
    rated: &'static str,
    rated_with_comment: &'static str,
    /// The rating buttons' group.
    pub rate_group: &'static str,
    /// A rating button's accessible name.
    rate_button: &'static str,
    you_rated: &'static str,
    pub anything_to_add: &'static str,
    pub send_feedback: &'static str,
    pub skip_comment: &'static str,
    /// The message box's label, placeholder and button.
    pub message: &'static str,
    pub type_a_message: &'static str,
    pub send: &'static str,
    pub quick_replies: &'static str,
    pub messages: &'static str,
    pub new_messages: &'static str,
    /// How a place in the queue is written: `1st`, `1er`, `1`.
    ordinal: fn(usize) -> String,
}

/// One language's words are one table row: they are equal when their language is.
impl PartialEq for CustomerWords {
    fn eq(&self, other: &CustomerWords) -> bool {
        self.language == other.language
    }
}

impl Eq for CustomerWords {}

impl CustomerWords {
    pub fn in_queue(&self, place: usize) -> String {
        self.in_queue.replace("{n}", &(self.ordinal)(place))
    }

    pub fn queued(&self, position: usize) -> String {
        self.queued.replace("{n}", &position.to_string())
    }

    pub fn closed_by(&self, name: &str) -> String {
        self.closed_by.replace("{name}", name)
    }

    /// The line of a rating, with the customer's comment when they left one.
    pub fn rated(&self, rating: u8, comment: Option<&str>) -> String {
        // The rating goes in first: the comment is the customer's own text, "{n}" in it included.
        match comment {
            Some(comment) => self.rated_with_comment.replace("{n}", &rating.to_string()).replace("{comment}", comment),
            None => self.rated.replace("{n}", &rating.to_string()),
        }
    }

    pub fn rate_button(&self, rating: u8) -> String {
        self.rate_button.replace("{n}", &rating.to_string())
    }

    pub fn you_rated(&self, rating: u8) -> String {
        self.you_rated.replace("{n}", &rating.to_string())
    }
}

/// `1st`, `2nd`, `3rd`, `4th`, … `11th`, `21st`.
pub fn english_ordinal(n: usize) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

fn french_ordinal(n: usize) -> String {
    if n == 1 { "1er".to_owned() } else { format!("{n}e") }
}

/// A place as a plain number, where the sentence says "place 2" ("puesto 2", "Platz 2").
fn plain_number(n: usize) -> String {
    n.to_string()
}

pub const ENGLISH: CustomerWords = CustomerWords {
    language: "en",
    in_queue: "You are {n} in the queue for a live agent.",
    waiting: "Waiting for a live agent.",
    queued: "Queued at position {n}",
    closed_by: "Closed by {name}",
    rated: "Customer rated {n} of 5",
    rated_with_comment: "Customer rated {n} of 5: “{comment}”",
    rate_group: "Rate this conversation",
    rate_button: "Rate {n} of 5",
    you_rated: "You rated {n} of 5.",
    anything_to_add: "Anything to add? (optional)",
    send_feedback: "Send feedback",
    skip_comment: "Skip comment",
    message: "Message",
    type_a_message: "Type a message",
    send: "Send",
    quick_replies: "Quick replies",
    messages: "Messages",
    new_messages: "New messages ↓",
    ordinal: english_ordinal,
};

const FRENCH: CustomerWords = CustomerWords {
    language: "fr",
    in_queue: "Vous êtes {n} dans la file d'attente pour un agent.",
    waiting: "En attente d'un agent.",
    queued: "En file d'attente, position {n}",
    closed_by: "Fermée par {name}",
    rated: "Note du client : {n} sur 5",
    rated_with_comment: "Note du client : {n} sur 5 : « {comment} »",
    rate_group: "Notez cette conversation",
    rate_button: "Noter {n} sur 5",
    you_rated: "Vous avez noté {n} sur 5.",
    anything_to_add: "Autre chose à ajouter ? (facultatif)",
    send_feedback: "Envoyer l'avis",
    skip_comment: "Passer le commentaire",
    message: "Message",
    type_a_message: "Écrivez un message",
    send: "Envoyer",
    quick_replies: "Réponses rapides",
    messages: "Messages",
    new_messages: "Nouveaux messages ↓",
    ordinal: french_ordinal,
};

const SPANISH: CustomerWords = CustomerWords {
    language: "es",
    in_queue: "Está en el puesto {n} de la cola para un agente.",
    waiting: "Esperando a un agente.",
    queued: "En la cola, posición {n}",
    closed_by: "Cerrada por {name}",
    rated: "El cliente valoró con {n} de 5",
    rated_with_comment: "El cliente valoró con {n} de 5: «{comment}»",
    rate_group: "Valore esta conversación",
    rate_button: "Valorar con {n} de 5",
    you_rated: "Ha valorado con {n} de 5.",
    anything_to_add: "¿Algo que añadir? (opcional)",
    send_feedback: "Enviar valoración",
    skip_comment: "Omitir comentario",
    message: "Mensaje",
    type_a_message: "Escriba un mensaje",
    send: "Enviar",
    quick_replies: "Respuestas rápidas",
    messages: "Mensajes",
    new_messages: "Mensajes nuevos ↓",
    ordinal: plain_number,
};

const GERMAN: CustomerWords = CustomerWords {
    language: "de",
    in_queue: "Sie sind auf Platz {n} der Warteschlange für einen Live-Agenten.",
    waiting: "Warten auf einen Live-Agenten.",
    queued: "In der Warteschlange, Position {n}",
    closed_by: "Geschlossen von {name}",
    rated: "Kunde hat mit {n} von 5 bewertet",
    rated_with_comment: "Kunde hat mit {n} von 5 bewertet: „{comment}“",
    rate_group: "Bewerten Sie dieses Gespräch",
    rate_button: "Mit {n} von 5 bewerten",
    you_rated: "Sie haben mit {n} von 5 bewertet.",
    anything_to_add: "Möchten Sie etwas hinzufügen? (optional)",
    send_feedback: "Bewertung senden",
    skip_comment: "Kommentar überspringen",
    message: "Nachricht",
    type_a_message: "Nachricht eingeben",
    send: "Senden",
    quick_replies: "Schnellantworten",
    messages: "Nachrichten",
    new_messages: "Neue Nachrichten ↓",
    ordinal: plain_number,
};

/// Every language the product's words are in.
pub const CUSTOMER_LANGUAGES: [&CustomerWords; 4] = [&ENGLISH, &FRENCH, &SPANISH, &GERMAN];

/// The words a chat in `language` reads: that language's, else the AI agent's `default`
/// language's, else English.
pub fn customer_words(language: &Language, default: &Language) -> &'static CustomerWords {
    let find = |language: &Language| CUSTOMER_LANGUAGES.into_iter().find(|words| words.language == language.as_str());
    find(language).or_else(|| find(default)).unwrap_or(&ENGLISH)
}
