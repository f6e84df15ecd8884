//! Who may get a chat: the Human Handoff panel, the "Assign chat" editor it shares with the
//! "a live agent is online" condition, the searchable users-and-teams picker, and the "who would
//! get this chat?" view built from the engine's explanations.

use std::collections::BTreeMap;

use handoff::node_edit::TextField;
use handoff::workflow::{Action, ActionKind, Assign, Handoff, LanguageTargets, Targets};
use handoff::{AgentId, Command, Engine, Language, NodeId, Presence, TeamId, Timestamp, Verdict};
use leptos::prelude::*;

use super::boxed::{Dynamic, dynamic, flag, on_change, show, text};
use super::outline;
use super::panels::{action_text_per_language, check_box, commit_in, localized_field, update_action};
use crate::backend::Opening;
use crate::workspace_store::{WorkspaceStore, use_workspace_store};

/// "Assign chat": all users, or specific users and teams, optionally per language.
///
/// `id` prefixes the ids and radio names of this editor, unique in the page.
pub fn assign_editor(id: String, assign: Signal<Assign>, on_change: Callback<Assign>) -> impl IntoView {
    let store = use_workspace_store();
    let languages =
        Memo::new(move |_| store.with(|workspace| workspace.ai_agent.languages().cloned().collect::<Vec<_>>()));
    let specific = move || matches!(assign.get(), Assign::SpecificUsersOrTeams { .. });
    let targets = Signal::derive(move || match assign.get() {
        Assign::SpecificUsersOrTeams { targets, .. } => targets,
        Assign::AllUsers => Targets::default(),
    });
    let by_language = Signal::derive(move || match assign.get() {
        Assign::SpecificUsersOrTeams { by_language, .. } => by_language,
        Assign::AllUsers => None,
    });
    let set_targets = move |new: Targets| {
        on_change.run(Assign::SpecificUsersOrTeams { targets: new, by_language: by_language.get_untracked() })
    };
    let set_rows = move |rows: Option<BTreeMap<Language, LanguageTargets>>| {
        on_change.run(Assign::SpecificUsersOrTeams { targets: targets.get_untracked(), by_language: rows })
    };
    view! {
        {all_or_specific(&id, assign, specific, on_change)}
        {show(flag(specific), dynamic(move || {
            let id = id.clone();
            view! {
                {targets_picker(format!("{id}-default"), "Users and teams".to_owned(), targets, Callback::new(set_targets))}
                {assign_by_language(id, store, languages, by_language, set_rows)}
            }
            .into_any()
        }))}
    }
}

/// The choice between all users and specific users or teams. Each choice is described by its
/// hint, and the hint of "All users" says what choosing it would clear.
fn all_or_specific<Specific: Fn() -> bool + Copy + Send + Sync + 'static>(
    id: &str,
    assign: Signal<Assign>,
    specific: Specific,
    on_change: Callback<Assign>,
) -> impl IntoView + use<Specific> {
    // What switching to "All users" would clear, said before it happens.
    let clears = move || match assign.get() {
        Assign::SpecificUsersOrTeams { targets, by_language } if !targets.is_empty() || by_language.is_some() => {
            let mut parts = Vec::new();
            if !targets.is_empty() {
                parts.push("the chosen users and teams");
            }
            if by_language.is_some() {
                parts.push("the language lists");
            }
            Some(format!("Choosing this clears {} (Undo brings them back).", parts.join(" and ")))
        }
        _ => None,
    };
    let name = format!("{id}-assign");
    // Each choice is named by its label alone and described by its hint, so that the two never
    // run together ("All users in the teamspaceEvery live agent…").
    let (all_hint, specific_hint) = (format!("{id}-all-users-hint"), format!("{id}-specific-hint"));
    view! {
        <fieldset class="choice assign">
            <legend>"Assign chat"</legend>
            <div class="choice-option">
                <label>
                    <input type="radio" name=name.clone() value="all_users" prop:checked=flag(move || !specific())
                        aria-describedby=all_hint.clone()
                        on:change=self::on_change(move |_| on_change.run(Assign::AllUsers))/>
                    " All users in the teamspace"
                </label>
                <p class="field-hint" id=all_hint>
                    "Every live agent of the teamspace sees the pending chat. "
                    {text(move || clears().unwrap_or_default())}
                </p>
            </div>
            <div class="choice-option">
                <label>
                    <input type="radio" name=name value="specific" prop:checked=flag(specific)
                        aria-describedby=specific_hint.clone()
                        on:change=self::on_change(move |_| on_change.run(Assign::SpecificUsersOrTeams { targets: Targets::default(), by_language: None }))/>
                    " Specific users or teams"
                </label>
                <p class="field-hint" id=specific_hint>
                    {text(move || if specific() { "Only the users and the members of the teams chosen below see it." } else { "Starts with nobody chosen: pick users or teams next." }.to_owned())}
                </p>
            </div>
        </fieldset>
    }
}

/// "Assign by language", when the AI agent has more than one language: a switch, then a row
/// per language; otherwise a hint saying where languages are added.
fn assign_by_language(
    id: String,
    store: WorkspaceStore,
    languages: Memo<Vec<Language>>,
    by_language: Signal<Option<BTreeMap<Language, LanguageTargets>>>,
    set_rows: impl Fn(Option<BTreeMap<Language, LanguageTargets>>) + Copy + Send + Sync + 'static,
) -> Dynamic {
    dynamic(move || {
        if !store.with(|workspace| workspace.ai_agent.offers_assign_by_language()) {
            return view! {
                <p class="field-hint" id=format!("{id}-by-language")>
                    "Assign by language is offered when the AI agent supports more than one language (Teamspace settings)."
                </p>
            }
            .into_any();
        }
        let id = id.clone();
        let group_id = format!("{id}-by-language");
        view! {
            <div class="by-language" id=group_id>
                {check_box(
                    "Assign by language".to_owned(),
                    Some("Give a language its own users and teams; the chat's language picks the list.".to_owned()),
                    flag(move || by_language.with(Option::is_some)),
                    self::on_change(move |event| {
                        let on = event_target_checked(&event);
                        set_rows(on.then(|| store.with_untracked(|workspace| workspace.ai_agent.default_language_rows())))
                    }),
                )}
                {show(flag(move || by_language.get().is_some()), dynamic(move || {
                    let id = id.clone();
                    view! {
                        <p class="field-hint warning">"Turning this off clears the language lists (Undo brings them back)."</p>
                        {dynamic(move || {
                            languages
                                .get()
                                .into_iter()
                                .map(|language| language_row(id.clone(), language, by_language, Callback::new(set_rows)))
                                .collect_view()
                                .into_any()
                        })}
                    }
                    .into_any()
                }))}
            </div>
        }
        .into_any()
    })
}

/// One language's row under "Assign by language": "Use default" or its own list.
fn language_row(
    id: String,
    language: Language,
    by_language: Signal<Option<BTreeMap<Language, LanguageTargets>>>,
    set_rows: Callback<Option<BTreeMap<Language, LanguageTargets>>>,
) -> impl IntoView {
    let row = {
        let language = language.clone();
        Signal::derive(move || by_language.with(|rows| rows.as_ref().and_then(|rows| rows.get(&language).cloned())))
    };
    let set_row = {
        let language = language.clone();
        move |new: LanguageTargets| {
            let mut rows = by_language.get_untracked().unwrap_or_default();
            rows.insert(language.clone(), new);
            set_rows.run(Some(rows));
        }
    };
    let own = move || matches!(row.get(), Some(LanguageTargets::Own(_)));
    let name = format!("{id}-{}", language.as_str());
    let title = outline::language_name(&language);
    let code = language.0.clone();
    let set_default = set_row.clone();
    let set_own = set_row.clone();
    view! {
        <fieldset class="choice language-row" data-language=code>
            <legend>{title.clone()}</legend>
            <div class="choice-option">
                <label>
                    <input type="radio" name=name.clone() value="default" prop:checked=flag(move || matches!(row.get(), Some(LanguageTargets::Default)))
                        aria-describedby=format!("{name}-default-hint")
                        on:change=on_change(move |_| set_default(LanguageTargets::Default))/>
                    " Use default"
                </label>
                <p class="field-hint warning" id=format!("{name}-default-hint")>
                    {text(move || match row.get() {
                        Some(LanguageTargets::Own(targets)) if !targets.is_empty() => "Choosing this clears its own list (Undo brings it back).",
                        _ => "",
                    }.to_owned())}
                </p>
            </div>
            <label>
                <input type="radio" name=name.clone() value="own" prop:checked=flag(own)
                    on:change=on_change(move |_| set_own(LanguageTargets::Own(Targets::default())))/>
                " Its own users and teams"
            </label>
            {show(flag(own), dynamic(move || view! {
                {targets_picker(
                    name.clone(),
                    format!("Users and teams for {title}"),
                    Signal::derive(move || match row.get() { Some(LanguageTargets::Own(targets)) => targets, _ => Targets::default() }),
                    Callback::new({
                        let set_row = set_row.clone();
                        move |targets| set_row(LanguageTargets::Own(targets))
                    }),
                )}
            }.into_any()))}
        </fieldset>
    }
}

/// Checkboxes for the teamspace's teams and users, with a search box that narrows both.
fn targets_picker(id: String, label: String, targets: Signal<Targets>, on_change: Callback<Targets>) -> impl IntoView {
    let store = use_workspace_store();
    let query = RwSignal::new(String::new());
    let matches = move |name: &str| {
        let query = query.get().to_lowercase();
        query.trim().is_empty() || name.to_lowercase().contains(query.trim())
    };
    // Memos: ticking a box changes the targets, not these lists, so the lists' view does not
    // run again for every tick.
    let teams = Memo::new(move |_| {
        store.with(|workspace| {
            let teamspace = &workspace.teamspace;
            teamspace
                .teams
                .iter()
                .filter(|team| matches(&team.name))
                .map(|team| (team.id, team.name.clone(), teamspace.members(team.id).count()))
                .collect::<Vec<_>>()
        })
    });
    let users = Memo::new(move |_| {
        store.with(|workspace| {
            workspace
                .teamspace
                .agents
                .iter()
                .filter(|agent| matches(&agent.name))
                .map(|agent| (agent.id, agent.name.clone()))
                .collect::<Vec<_>>()
        })
    });
    let toggle_team = move |team: TeamId, on: bool| {
        let mut next = targets.get_untracked();
        next.teams.retain(|listed| *listed != team);
        if on {
            next.teams.push(team);
        }
        on_change.run(next);
    };
    let toggle_user = move |agent: AgentId, on: bool| {
        let mut next = targets.get_untracked();
        next.agents.retain(|listed| *listed != agent);
        if on {
            next.agents.push(agent);
        }
        on_change.run(next);
    };
    let summary = move || store.with(|workspace| outline::targets_summary(&targets.get(), &workspace.teamspace));
    // "Search users and teams for French (fr)": only the label's first letter is lowered, so a
    // language keeps its capital.
    let mut letters = label.chars();
    let search = format!(
        "Search {}{}",
        letters.next().map(|first| first.to_lowercase().to_string()).unwrap_or_default(),
        letters.as_str()
    );
    view! {
        <div class="picker" role="group" aria-label=label.clone() id=id.clone()>
            <p class="picker-summary">{text(summary)}</p>
            <label class="field">
                <span class="field-label">{search}</span>
                <input type="search" prop:value=query on:input=move |event| query.set(event_target_value(&event))/>
            </label>
            <div class="picker-lists">
                <fieldset>
                    <legend>"Teams"</legend>
                    {dynamic(move || {
                        let teams = teams.get();
                        if teams.is_empty() {
                            return view! { <p class="empty">"No team matches."</p> }.into_any();
                        }
                        teams.into_iter().map(|(team, name, members)| check_box(
                            name,
                            Some(format!("{members} member{}", if members == 1 { "" } else { "s" })),
                            flag(move || targets.with(|targets| targets.teams.contains(&team))),
                            self::on_change(move |event| toggle_team(team, event_target_checked(&event))),
                        )).collect_view().into_any()
                    })}
                </fieldset>
                <fieldset>
                    <legend>"Users"</legend>
                    {dynamic(move || {
                        let users = users.get();
                        if users.is_empty() {
                            return view! { <p class="empty">"No user matches."</p> }.into_any();
                        }
                        users.into_iter().map(|(agent, name)| check_box(
                            name,
                            None,
                            flag(move || targets.with(|targets| targets.agents.contains(&agent))),
                            self::on_change(move |event| toggle_user(agent, event_target_checked(&event))),
                        )).collect_view().into_any()
                    })}
                </fieldset>
            </div>
        </div>
    }
}

fn read_handoff<T>(action: Memo<Option<Action>>, read: impl FnOnce(&Handoff) -> T) -> Option<T> {
    action.with(|action| match action.as_ref().map(|action| &action.kind) {
        Some(ActionKind::HumanHandoff(handoff)) => Some(read(handoff)),
        _ => None,
    })
}

/// Every setting of the Human Handoff action.
pub fn handoff_panel(node: NodeId, action: Memo<Option<Action>>) -> impl IntoView {
    let store = use_workspace_store();
    let change = move |write: Box<dyn FnOnce(&mut Handoff)>| {
        update_action(store, node, |action| {
            if let ActionKind::HumanHandoff(handoff) = &mut action.kind {
                write(handoff);
            }
        })
    };
    view! {
        <p>"Passes the chat to a live agent. It returns to the AI agent when the agent closes it."</p>
        {check_box(
            "User availability check".to_owned(),
            Some("On: the chat may only go to an eligible live agent who is Online; with nobody Online, “When no live agent is available” runs instead.".to_owned()),
            flag(move || read_handoff(action, |handoff| handoff.availability_check).unwrap_or(false)),
            on_change(move |event| {
                let on = event_target_checked(&event);
                change(Box::new(move |handoff| handoff.availability_check = on))
            }),
        )}
        {assign_editor(
            format!("handoff-{}", node.0),
            Signal::derive(move || read_handoff(action, |handoff| handoff.assign.clone()).unwrap_or(Assign::AllUsers)),
            Callback::new(move |assign| change(Box::new(move |handoff| handoff.assign = assign))),
        )}
        {localized_field(
            "Handoff message",
            Some("Optional: sent to the customer when the chat is handed off."),
            true,
            action_text_per_language(action, TextField::HandoffMessage),
            commit_in(store, node, TextField::HandoffMessage),
        )}
        <p class="field-hint">
            "Its subtrees “When live agent closes chat” and “When no live agent is available” (our extension) are in the tree under it."
        </p>
        {who_would_get(node)}
    }
}

pub(crate) fn verdict_words(verdict: &Verdict) -> String {
    match verdict {
        Verdict::Assignee => "the assignee".to_owned(),
        Verdict::Eligible => "eligible now".to_owned(),
        Verdict::NotInTarget => "not among the chosen users or teams".to_owned(),
        Verdict::NotInLanguageList { language } => format!("not in the {} list", outline::language_name(language)),
        Verdict::SignedOut => "signed out".to_owned(),
        Verdict::Away => "Away".to_owned(),
        Verdict::AtCap { open_chats, cap } => format!("at the cap ({open_chats} of {cap})"),
    }
}

/// A verdict of the what-if, which supposes rather than says what is.
fn what_if_words(verdict: &Verdict) -> String {
    match verdict {
        Verdict::Eligible => "would be eligible".to_owned(),
        Verdict::Away => "supposed Away".to_owned(),
        other => verdict_words(other),
    }
}

/// Who really is Online now in this browser's conversations, and apart from it a what-if: per
/// language, each live agent's verdict from the engine's explanations, supposing every agent
/// signed in and Online with no open chats, except those the admin supposes Away here.
fn who_would_get(node: NodeId) -> impl IntoView {
    let store = use_workspace_store();
    let open = RwSignal::new(false);
    let away = RwSignal::new(Vec::<AgentId>::new());
    // Built only while the section is open: an engine per look, never per keystroke elsewhere.
    let verdicts = move || {
        if !open.get() {
            return Vec::new();
        }
        let away = away.get();
        store.with(|workspace| {
            let mut engine = Engine::new(workspace.clone(), 0);
            for agent in &workspace.teamspace.agents {
                let _ = engine.handle(Timestamp(0), Command::SignIn { agent: agent.id });
                if away.contains(&agent.id) {
                    let _ =
                        engine.handle(Timestamp(0), Command::SetPresence { agent: agent.id, presence: Presence::Away });
                }
            }
            workspace
                .ai_agent
                .languages()
                .map(|language| {
                    // The eligible agents first, each part in the engine's order.
                    let (mut verdicts, others): (Vec<_>, Vec<_>) = engine
                        .explain_handoff(node, language)
                        .unwrap_or_default()
                        .into_iter()
                        .partition(|agent| agent.verdict == Verdict::Eligible);
                    verdicts.extend(others);
                    (language.clone(), verdicts)
                })
                .collect::<Vec<_>>()
        })
    };
    let agents = move || {
        store.with(|workspace| {
            workspace.teamspace.agents.iter().map(|agent| (agent.id, agent.name.clone())).collect::<Vec<_>>()
        })
    };
    let voluntary =
        move || store.with(|workspace| workspace.teamspace.assignment.method == handoff::AssignmentMethod::Voluntary);
    // Who really is Online now, in this browser's conversations, apart from the what-if.
    let conversations = use_context::<crate::backend::Conversations>();
    let online_now = move || {
        let Some(conversations) = conversations else {
            return "Not known here: this page has no conversations open.".to_owned();
        };
        let backend = match conversations.opening.get() {
            Opening::Open(backend) => backend,
            Opening::Opening => return "Not known yet: the conversations are opening.".to_owned(),
            Opening::Failed(error) => return format!("Not known: the conversations could not be opened ({error})."),
            Opening::Refused(message) => return format!("Not known: the server refused the connection ({message})."),
        };
        backend.read(|engine| {
            let names: Vec<String> = engine
                .workspace()
                .teamspace
                .agents
                .iter()
                .filter(|agent| {
                    engine.agent(agent.id).is_some_and(|state| state.status == handoff::AgentStatus::Online)
                })
                .map(|agent| agent.name.clone())
                .collect();
            match names.is_empty() {
                true => "Nobody. Live agents sign in from the Inbox or the Preview.".to_owned(),
                false => names.join(", "),
            }
        })
    };
    view! {
        <details class="who-would-get" on:toggle=move |event: leptos::ev::Event| open.set(event_target::<web_sys::HtmlDetailsElement>(&event).open())>
            <summary>"Who would get this chat?"</summary>
            <section class="online-now" aria-labelledby="online-now-heading">
                <h3 id="online-now-heading">"Online now"</h3>
                <p>{text(online_now)}</p>
            </section>
            <section class="what-if" aria-labelledby="what-if-heading">
                <h3 id="what-if-heading">"What if…"</h3>
                <p class="field-hint">
                    "Supposing every live agent were signed in and Online with no open chats. "
                    {text(move || if voluntary() {
                        "Chat Assignment is Voluntary: nobody is assigned automatically; the eligible agents see the chat and may claim it."
                    } else {
                        "Agents who “would be eligible” could be assigned the chat by the teamspace's Chat Assignment method."
                    }.to_owned())}
                </p>
                <fieldset class="presence-what-if">
                    <legend>"Suppose Away"</legend>
                    {dynamic(move || agents().into_iter().map(|(agent, name)| check_box(
                        format!("Suppose {name} Away"),
                        None,
                        flag(move || away.with(|away| away.contains(&agent))),
                        on_change(move |event| {
                            let supposed_away = event_target_checked(&event);
                            away.update(|away| { away.retain(|listed| *listed != agent); if supposed_away { away.push(agent); } });
                        }),
                    )).collect_view().into_any())}
                </fieldset>
            <div class="verdicts">
                {dynamic(move || verdicts().into_iter().map(|(language, verdicts)| {
                    let eligible = verdicts.iter().filter(|agent| agent.verdict == Verdict::Eligible).count();
                    view! {
                        <section class="verdict-language" data-language=language.0.clone()>
                            <h4>{outline::language_name(&language)} ": " {format!("{eligible} would be eligible")}</h4>
                            <ul>
                                {verdicts.into_iter().map(|agent| view! {
                                    <li class:eligible=agent.verdict == Verdict::Eligible>
                                        {agent.name} " — " {what_if_words(&agent.verdict)}
                                    </li>
                                }).collect_view()}
                            </ul>
                        </section>
                    }
                }).collect_view().into_any())}
            </div>
            </section>
        </details>
    }
}
