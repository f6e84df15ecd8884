//! Editing the teamspace and the AI agent's languages: each edit's effect on the workspace and
//! its workflow, or its refusal with a message an admin can read.

use handoff::teamspace_edit::{
    LanguageUse, add_agent, add_canned_reply, add_language, add_team, describe_node, language_usages, new_agent_id,
    new_team_id, parse_auto_assign_cap, parse_language_code, remove_agent, remove_canned_reply, remove_language,
    remove_team, rename_agent, rename_team, set_auto_assign_cap, set_default_language, set_membership, set_role,
    update_canned_reply,
};
use handoff::workflow::Action;
use handoff::workspace::{Role, Teamspace};
use handoff::{
    AgentId, Language, NodeId, Referent, SettingsError, TeamId, Workspace, starter_workspace, usages, validate,
};
use serde_json::json;

/// The starter workspace with an If/Else "is a live agent Online" condition added at the end of
/// the handoff's "When no live agent is available" subtree, listing agent 4 and team 1, with a
/// French row of its own that lists team 1 and agent 2.
fn with_online_condition() -> Workspace {
    let mut workspace = starter_workspace();
    let condition: Action = serde_json::from_value(json!({
        "id": 50, "action": "if_else",
        "condition": { "if": "live_agent_online", "assign": {
            "to": "specific_users_or_teams", "targets": { "agents": [4], "teams": [1] },
            "by_language": {
                "en": { "use": "default" }, "es": { "use": "default" }, "fr": { "use": "own", "teams": [1], "agents": [2] }
            }
        } },
        "then": [], "else": []
    }))
    .expect("a valid action");
    let handoff = handoff::edit::action_mut(&mut workspace.ai_agent.workflow, NodeId(11)).expect("the handoff");
    let handoff::workflow::ActionKind::HumanHandoff(settings) = &mut handoff.kind else { panic!("node 11 hands off") };
    settings.on_no_agent.push(condition);
    // The starter greets in each language with one Send Message; a condition on the chat's
    // language, as the starter had before its texts were translated.
    let on_french: Action = serde_json::from_value(json!({
        "id": 2, "action": "if_else", "condition": { "if": "language_is", "language": "fr" }, "then": [], "else": []
    }))
    .expect("a valid action");
    workspace.ai_agent.workflow.triggers[0].actions.insert(0, on_french);
    workspace
}

/// Every list of users and teams in the workflow, as `path language: agents teams`, in tree order.
fn lists(workspace: &Workspace) -> Vec<String> {
    use handoff::workflow::{Assign, LanguageTargets, NodeRef};
    let mut out = Vec::new();
    for entry in workspace.ai_agent.workflow.entries() {
        let NodeRef::Action(action) = entry.node else { continue };
        let Some(Assign::SpecificUsersOrTeams { targets, by_language }) = action.kind.assign() else { continue };
        let show = |targets: &handoff::workflow::Targets| {
            let agents: Vec<u32> = targets.agents.iter().map(|agent| agent.0).collect();
            let teams: Vec<u32> = targets.teams.iter().map(|team| team.0).collect();
            format!("agents {agents:?} teams {teams:?}")
        };
        out.push(format!("{} default: {}", entry.path, show(targets)));
        for (language, row) in by_language.iter().flatten() {
            match row {
                LanguageTargets::Own(own) => out.push(format!("{} {language}: {}", entry.path, show(own))),
                LanguageTargets::Default => out.push(format!("{} {language}: use default", entry.path)),
            }
        }
    }
    out
}

/// The errors (missing translations, warnings, are left out).
fn problems(workspace: &Workspace) -> Vec<String> {
    let errors = validate(workspace).into_iter().filter(|problem| problem.kind.severity() == handoff::Severity::Error);
    errors.map(|problem| format!("{}: {}", problem.path, problem.kind)).collect()
}

const HANDOFF: &str = "triggers[1].actions[0]";
const CONDITION: &str = "triggers[1].actions[0].on_no_agent[3]";

#[test]
fn new_ids_are_above_every_id_in_use() {
    let starter = starter_workspace();
    assert_eq!(new_team_id(&starter.teamspace), TeamId(5));
    assert_eq!(new_agent_id(&starter.teamspace), AgentId(7));
    let empty = Teamspace {
        name: "Empty".to_owned(),
        teams: vec![],
        agents: vec![],
        assignment: Default::default(),
        canned_replies: vec![],
    };
    assert_eq!((new_team_id(&empty), new_agent_id(&empty)), (TeamId(1), AgentId(1)));
}

#[test]
fn teams_are_added_and_renamed_with_a_unique_trimmed_name() {
    let mut workspace = starter_workspace();
    assert_eq!(add_team(&mut workspace, "  Sales "), Ok(TeamId(5)));
    assert_eq!(workspace.teamspace.team(TeamId(5)).map(|team| team.name.as_str()), Some("Sales"));
    assert_eq!(workspace.teamspace.members(TeamId(5)).count(), 0, "a new team has no members");

    let before = workspace.clone();
    for (name, refusal) in [
        ("", SettingsError::EmptyTeamName),
        ("   ", SettingsError::EmptyTeamName),
        (" billing ", SettingsError::TeamNameTaken { name: "billing".to_owned() }),
    ] {
        assert_eq!(add_team(&mut workspace, name), Err(refusal.clone()), "adding {name:?}");
        assert_eq!(rename_team(&mut workspace, TeamId(5), name), Err(refusal), "renaming to {name:?}");
    }
    assert_eq!(rename_team(&mut workspace, TeamId(9), "Nine"), Err(SettingsError::NoSuchTeam { team: TeamId(9) }));
    assert_eq!(workspace, before, "a refused edit changes nothing");

    assert_eq!(rename_team(&mut workspace, TeamId(1), "BILLING"), Ok(()), "a team may change the case of its own name");
    assert_eq!(rename_team(&mut workspace, TeamId(1), "Payments"), Ok(()));
    assert_eq!(workspace.teamspace.team(TeamId(1)).map(|team| team.name.as_str()), Some("Payments"));
}

#[test]
fn removing_a_team_removes_it_from_every_agent_and_every_workflow_list() {
    let mut workspace = with_online_condition();
    let listed = |workspace: &Workspace| {
        usages(workspace, Referent::Team(TeamId(1)))
            .into_iter()
            .map(|usage| format!("{} {} {:?}", usage.node, usage.path, usage.language.map(|language| language.0)))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        listed(&workspace),
        [
            format!("node 11 {HANDOFF} None"),
            format!("node 50 {CONDITION} None"),
            format!("node 50 {CONDITION} Some(\"fr\")"),
        ]
    );

    assert_eq!(remove_team(&mut workspace, TeamId(1)), Ok(()));
    assert_eq!(listed(&workspace), Vec::<String>::new());
    assert!(workspace.teamspace.team(TeamId(1)).is_none());
    assert!(workspace.teamspace.agents.iter().all(|agent| !agent.teams.contains(&TeamId(1))));
    assert_eq!(workspace.teamspace.agents.len(), 6, "its members stay in the teamspace");
    assert_eq!(
        lists(&workspace),
        [
            format!("{HANDOFF} default: agents [] teams [2]"),
            format!("{HANDOFF} en: use default"),
            format!("{HANDOFF} es: agents [] teams [4]"),
            format!("{HANDOFF} fr: agents [] teams [3]"),
            format!("{CONDITION} default: agents [4] teams []"),
            format!("{CONDITION} en: use default"),
            format!("{CONDITION} es: use default"),
            format!("{CONDITION} fr: agents [2] teams []"),
        ]
    );
    assert_eq!(problems(&workspace), Vec::<String>::new(), "every list still names someone");

    // A list left empty stays empty, and the editor shows it.
    assert_eq!(remove_team(&mut workspace, TeamId(3)), Ok(()));
    assert!(problems(&workspace).contains(&format!("{HANDOFF}: no users or teams are chosen for fr")));
    assert_eq!(remove_team(&mut workspace, TeamId(3)), Err(SettingsError::NoSuchTeam { team: TeamId(3) }));
}

#[test]
fn live_agents_are_added_renamed_given_a_role_and_put_in_teams() {
    let mut workspace = starter_workspace();
    assert_eq!(add_agent(&mut workspace, " Kim Lee ", Role::Agent), Ok(AgentId(7)));
    assert_eq!(add_agent(&mut workspace, "Kim Lee", Role::Admin), Ok(AgentId(8)), "two agents may share a name");
    assert_eq!(add_agent(&mut workspace, " ", Role::Agent), Err(SettingsError::EmptyAgentName));
    assert_eq!(rename_agent(&mut workspace, AgentId(8), ""), Err(SettingsError::EmptyAgentName));
    assert_eq!(rename_agent(&mut workspace, AgentId(8), "Kim Park"), Ok(()));
    assert_eq!(set_role(&mut workspace, AgentId(7), Role::Admin), Ok(()));
    assert_eq!(
        set_role(&mut workspace, AgentId(70), Role::Admin),
        Err(SettingsError::NoSuchAgent { agent: AgentId(70) })
    );

    assert_eq!(set_membership(&mut workspace, AgentId(7), TeamId(2), true), Ok(()));
    assert_eq!(set_membership(&mut workspace, AgentId(7), TeamId(2), true), Ok(()), "already a member");
    assert_eq!(set_membership(&mut workspace, AgentId(7), TeamId(3), true), Ok(()));
    assert_eq!(set_membership(&mut workspace, AgentId(7), TeamId(2), false), Ok(()));
    assert_eq!(
        set_membership(&mut workspace, AgentId(7), TeamId(9), true),
        Err(SettingsError::NoSuchTeam { team: TeamId(9) })
    );
    assert_eq!(
        set_membership(&mut workspace, AgentId(70), TeamId(1), true),
        Err(SettingsError::NoSuchAgent { agent: AgentId(70) })
    );

    let kim = workspace.teamspace.agent(AgentId(7)).expect("added");
    assert_eq!((kim.name.as_str(), kim.role, kim.teams.as_slice()), ("Kim Lee", Role::Admin, [TeamId(3)].as_slice()));
    let park = workspace.teamspace.agent(AgentId(8)).expect("added");
    assert_eq!((park.name.as_str(), park.role, park.teams.len()), ("Kim Park", Role::Admin, 0));
}

#[test]
fn removing_a_live_agent_removes_them_from_every_workflow_list() {
    let mut workspace = with_online_condition();
    assert_eq!(usages(&workspace, Referent::Agent(AgentId(2))).len(), 1);
    assert_eq!(remove_agent(&mut workspace, AgentId(2)), Ok(()));
    assert_eq!(remove_agent(&mut workspace, AgentId(4)), Ok(()));
    assert!(usages(&workspace, Referent::Agent(AgentId(2))).is_empty());
    assert_eq!(
        lists(&workspace)[4..],
        [
            format!("{CONDITION} default: agents [] teams [1]"),
            format!("{CONDITION} en: use default"),
            format!("{CONDITION} es: use default"),
            format!("{CONDITION} fr: agents [] teams [1]"),
        ]
    );
    assert_eq!(workspace.teamspace.agents.len(), 4);
    assert_eq!(remove_agent(&mut workspace, AgentId(2)), Err(SettingsError::NoSuchAgent { agent: AgentId(2) }));
}

#[test]
fn language_codes_are_trimmed_lowercase_letters_joined_by_hyphens() {
    let check = |input: &str, expected: Result<&str, SettingsError>| {
        assert_eq!(parse_language_code(input), expected.map(Language::new), "{input:?}");
    };
    check("de", Ok("de"));
    check(" pt-br ", Ok("pt-br"));
    check("zh-hant-tw", Ok("zh-hant-tw"));
    check("", Err(SettingsError::EmptyLanguageCode));
    check("  ", Err(SettingsError::EmptyLanguageCode));
    for bad in ["DE", "pt_br", "-de", "de-", "pt--br", "d e", "es-419", "français"] {
        check(bad, Err(SettingsError::NotALanguageCode { code: bad.to_owned() }));
    }
}

#[test]
fn an_added_language_uses_the_default_list_where_handoffs_assign_by_language() {
    let starter = starter_workspace();
    let mut workspace = starter.clone();
    assert_eq!(add_language(&mut workspace, " de "), Ok(Language::new("de")));
    assert_eq!(workspace.ai_agent.other_languages, [Language::new("fr"), Language::new("es"), Language::new("de")]);
    assert!(lists(&workspace).contains(&format!("{HANDOFF} de: use default")));
    assert_eq!(problems(&workspace), Vec::<String>::new(), "no language is left without a list");
    assert_eq!(
        language_usages(&workspace, &Language::new("de"))
            .into_iter()
            .map(|usage| (usage.node, usage.how))
            .collect::<Vec<_>>(),
        [(NodeId(11), LanguageUse::DefaultRow)]
    );

    for (code, refusal) in [
        ("de", SettingsError::LanguageAlreadySupported { language: Language::new("de") }),
        ("en", SettingsError::LanguageAlreadySupported { language: Language::new("en") }),
        ("German", SettingsError::NotALanguageCode { code: "German".to_owned() }),
    ] {
        assert_eq!(add_language(&mut workspace, code), Err(refusal));
    }

    assert_eq!(remove_language(&mut workspace, &Language::new("de")), Ok(()));
    assert_eq!(workspace, starter, "adding then removing a language gives back the same workspace");
}

#[test]
fn removing_a_language_drops_its_rows_but_never_the_default_language() {
    let mut workspace = with_online_condition();
    let french = Language::new("fr");
    let usage = |workspace: &Workspace| {
        language_usages(workspace, &french).into_iter().map(|usage| (usage.node, usage.how)).collect::<Vec<_>>()
    };
    assert_eq!(
        usage(&workspace),
        [(NodeId(2), LanguageUse::Condition), (NodeId(11), LanguageUse::OwnList), (NodeId(50), LanguageUse::OwnList)]
    );

    let before = workspace.clone();
    assert_eq!(
        remove_language(&mut workspace, &Language::new("en")),
        Err(SettingsError::DefaultLanguage { language: Language::new("en") })
    );
    assert_eq!(
        remove_language(&mut workspace, &Language::new("de")),
        Err(SettingsError::LanguageNotSupported { language: Language::new("de") })
    );
    assert_eq!(workspace, before);

    assert_eq!(remove_language(&mut workspace, &french), Ok(()));
    assert_eq!(workspace.ai_agent.other_languages, [Language::new("es")]);
    assert_eq!(usage(&workspace), [(NodeId(2), LanguageUse::Condition)], "the condition stays; it is never true now");
    assert!(lists(&workspace).iter().all(|list| !list.contains(" fr:")));
}

#[test]
fn another_language_becomes_the_default_and_the_old_default_stays_supported() {
    let mut workspace = starter_workspace();
    assert_eq!(set_default_language(&mut workspace, &Language::new("fr")), Ok(()));
    assert_eq!(workspace.ai_agent.default_language, Language::new("fr"));
    assert_eq!(workspace.ai_agent.other_languages, [Language::new("en"), Language::new("es")]);
    assert_eq!(set_default_language(&mut workspace, &Language::new("fr")), Ok(()), "already the default");
    assert_eq!(
        set_default_language(&mut workspace, &Language::new("de")),
        Err(SettingsError::LanguageNotSupported { language: Language::new("de") })
    );
    assert_eq!(remove_language(&mut workspace, &Language::new("en")), Ok(()), "the old default can go now");
}

#[test]
fn the_auto_assign_cap_is_a_whole_number_from_one_to_a_thousand() {
    let check = |input: &str, expected: Result<u32, SettingsError>| {
        assert_eq!(parse_auto_assign_cap(input), expected, "{input:?}");
    };
    check("3", Ok(3));
    check(" 12 ", Ok(12));
    check("1000", Ok(1000));
    check("0", Err(SettingsError::CapTooSmall));
    check("000", Err(SettingsError::CapTooSmall));
    check("1001", Err(SettingsError::CapTooLarge));
    check("99999999999999", Err(SettingsError::CapTooLarge));
    for bad in ["", "abc", "-1", "2.5", "+4", "3 chats"] {
        check(bad, Err(SettingsError::CapNotAWholeNumber { input: bad.trim().to_owned() }));
    }

    let mut workspace = starter_workspace();
    assert_eq!(set_auto_assign_cap(&mut workspace, "0"), Err(SettingsError::CapTooSmall));
    assert_eq!(workspace.teamspace.assignment.auto_assign_cap, 3, "a refused cap keeps the old one");
    assert_eq!(set_auto_assign_cap(&mut workspace, "5"), Ok(5));
    assert_eq!(workspace.teamspace.assignment.auto_assign_cap, 5);
}

#[test]
fn canned_replies_have_a_unique_one_word_shortcut_and_some_text() {
    let mut workspace = starter_workspace();
    assert_eq!(add_canned_reply(&mut workspace, " /thanks ", " Thank you! "), Ok(()));
    let last = workspace.teamspace.canned_replies.last().expect("added");
    assert_eq!((last.shortcut.as_str(), last.text.as_str()), ("thanks", "Thank you!"));

    let before = workspace.clone();
    for (shortcut, text, refusal) in [
        ("", "Hi", SettingsError::EmptyShortcut),
        ("/", "Hi", SettingsError::EmptyShortcut),
        ("two words", "Hi", SettingsError::ShortcutNotOneWord { shortcut: "two words".to_owned() }),
        ("a/b", "Hi", SettingsError::ShortcutNotOneWord { shortcut: "a/b".to_owned() }),
        ("Hello", "Hi", SettingsError::ShortcutTaken { shortcut: "Hello".to_owned() }),
        ("new", "   ", SettingsError::EmptyReplyText),
    ] {
        assert_eq!(add_canned_reply(&mut workspace, shortcut, text), Err(refusal), "{shortcut:?} {text:?}");
    }
    assert_eq!(
        update_canned_reply(&mut workspace, 0, "refund", "Hi"),
        Err(SettingsError::ShortcutTaken { shortcut: "refund".to_owned() })
    );
    assert_eq!(update_canned_reply(&mut workspace, 9, "x", "Hi"), Err(SettingsError::NoSuchCannedReply { index: 9 }));
    assert_eq!(remove_canned_reply(&mut workspace, 9), Err(SettingsError::NoSuchCannedReply { index: 9 }));
    assert_eq!(workspace, before, "a refused edit changes nothing");

    assert_eq!(
        update_canned_reply(&mut workspace, 0, "hello", "Hello there!"),
        Ok(()),
        "a reply keeps its own shortcut"
    );
    assert_eq!(update_canned_reply(&mut workspace, 0, "hi", "Hello there!"), Ok(()));
    assert_eq!(remove_canned_reply(&mut workspace, 1), Ok(()));
    let shortcuts: Vec<&str> = workspace.teamspace.canned_replies.iter().map(|reply| reply.shortcut.as_str()).collect();
    assert_eq!(shortcuts, ["hi", "bye", "thanks"]);
}

#[test]
fn nodes_are_described_by_kind_and_the_trigger_they_run_under() {
    let mut workspace = with_online_condition();
    let describe = |workspace: &Workspace, node: u32| describe_node(workspace, NodeId(node));
    assert_eq!(describe(&workspace, 11), "Human Handoff under “Talk to a human”");
    assert_eq!(describe(&workspace, 50), "If/Else (is a live agent Online) under “Talk to a human”");
    assert_eq!(describe(&workspace, 2), "If/Else (the chat's language) under Chat Started");
    assert_eq!(describe(&workspace, 23), "Jump To under “Yes”");
    assert_eq!(describe(&workspace, 22), "“Yes” under “Billing”");
    assert_eq!(describe(&workspace, 10), "“Talk to a human”");
    assert_eq!(describe(&workspace, 999), "node 999, which is not in the workflow");
    handoff::edit::action_mut(&mut workspace.ai_agent.workflow, NodeId(11)).expect("the handoff").label =
        Some("To billing".to_owned());
    assert_eq!(describe(&workspace, 11), "Human Handoff “To billing” under “Talk to a human”");
}

#[test]
fn refusals_read_as_sentences_an_admin_can_act_on() {
    let check = |error: SettingsError, expected: &str| assert_eq!(error.to_string(), expected);
    check(SettingsError::TeamNameTaken { name: "Billing".to_owned() }, "There is already a team called “Billing”.");
    check(
        SettingsError::DefaultLanguage { language: Language::new("en") },
        "en is the default language and cannot be removed: make another language the default first.",
    );
    check(
        SettingsError::CapNotAWholeNumber { input: "abc".to_owned() },
        "“abc” is not a whole number of chats: enter a number such as 3.",
    );
    check(
        SettingsError::CapTooSmall,
        "The cap must be at least 1: with 0 nobody would ever be assigned a chat (choose Voluntary for that).",
    );
    check(
        SettingsError::NotALanguageCode { code: "DE".to_owned() },
        "“DE” is not a language code: use lowercase letters, with hyphens between parts, such as de or pt-br.",
    );
}

#[test]
fn removing_the_last_other_language_turns_assign_by_language_off() {
    let mut workspace = with_online_condition();
    assert_eq!(remove_language(&mut workspace, &Language::new("es")), Ok(()));
    assert!(lists(&workspace).iter().any(|list| list.contains(" fr:")), "one other language left: rows stay");
    assert_eq!(remove_language(&mut workspace, &Language::new("fr")), Ok(()));
    let by_language = match &workspace.ai_agent.workflow.find_action(NodeId(11)).expect("the handoff").kind {
        handoff::workflow::ActionKind::HumanHandoff(handoff) => match &handoff.assign {
            handoff::workflow::Assign::SpecificUsersOrTeams { by_language, .. } => by_language.clone(),
            handoff::workflow::Assign::AllUsers => None,
        },
        _ => None,
    };
    assert_eq!(by_language, None, "every chat goes to the default list");
    let kinds: Vec<_> = handoff::validate(&workspace).into_iter().map(|problem| problem.kind).collect();
    assert!(!kinds.contains(&handoff::ProblemKind::AssignByLanguageWithOneLanguage), "{kinds:?}");
    assert!(
        kinds.contains(&handoff::ProblemKind::ConditionOnUnsupportedLanguage { language: Language::new("fr") }),
        "the starter's French greeting condition is reported: {kinds:?}"
    );
}

/// "Assign by language" is offered only when the AI agent speaks more than one language.
#[test]
fn assign_by_language_is_offered_with_two_languages_or_more() {
    let rows: [(&str, &[&str], bool); 3] = [("en", &[], false), ("en", &["fr"], true), ("fr", &["en", "es"], true)];
    for (default, others, offered) in rows {
        let mut workspace = starter_workspace();
        workspace.ai_agent.default_language = Language::new(default);
        workspace.ai_agent.other_languages = others.iter().map(|code| Language::new(code)).collect();
        assert_eq!(workspace.ai_agent.offers_assign_by_language(), offered, "{default} {others:?}");
    }
}
