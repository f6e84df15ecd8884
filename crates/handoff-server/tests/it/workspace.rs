//! The workspace lives on the server: versioned, edited only by admins, never overwritten
//! unseen, and the engine is built again on it.

use axum::http::StatusCode;
use handoff::workspace::Role;
use handoff::{AgentId, AssignmentMethod};
use serde_json::{Value, json};

use crate::support::{Server, call, config};

fn edited(document: &Value, edit: impl FnOnce(&mut handoff::Workspace)) -> Value {
    let mut workspace = handoff::load_workspace(&document.to_string()).expect("a workspace");
    edit(&mut workspace);
    serde_json::from_str(&handoff::workspace_to_json(&workspace)).expect("json")
}

#[tokio::test]
async fn an_admin_saves_a_workspace_and_a_stale_version_gets_the_newer_one() {
    let server = Server::demo().await;
    let sam = server.sign_in("Sam Rivera").await;
    let got = server.send(call("GET", "/api/workspace").cookie(&sam)).await;
    assert_eq!(got.status, StatusCode::OK);
    let version = got.json["version"].as_u64().expect("a version");
    let renamed = edited(&got.json["workspace"], |workspace| workspace.teamspace.name = "Acme Help".to_owned());
    let put = server
        .send(call("PUT", "/api/workspace").cookie(&sam).json(json!({"version": version, "workspace": renamed})))
        .await;
    assert_eq!(put.status, StatusCode::OK, "{}", put.text);
    assert_eq!(put.json["version"], version + 1);
    assert_eq!(
        server.state.read(|engine| engine.workspace().teamspace.name.clone()).await,
        "Acme Help",
        "the engine runs on it"
    );

    // A second admin's edit of the old version is refused with the newer one.
    let other = edited(&got.json["workspace"], |workspace| workspace.teamspace.name = "Other".to_owned());
    let stale = server
        .send(call("PUT", "/api/workspace").cookie(&sam).json(json!({"version": version, "workspace": other})))
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert_eq!(stale.json["version"], version + 1);
    assert_eq!(stale.json["workspace"]["workspace"]["teamspace"]["name"], "Acme Help");
    assert!(
        stale.json["message"].as_str().expect("words").starts_with("The workspace was changed since you opened it")
    );
    assert_eq!(server.state.workspace().1.teamspace.name, "Acme Help", "nothing overwritten");

    let server = server.restarted().await;
    assert_eq!(server.state.workspace(), (version + 1, server.state.read(|engine| engine.workspace().clone()).await));
    assert_eq!(server.state.workspace().1.teamspace.name, "Acme Help");
}

#[tokio::test]
async fn a_live_agent_reads_the_workspace_but_may_not_change_it() {
    let server = Server::demo().await;
    let jonas = server.sign_in("Jonas Weber").await;
    let got = server.send(call("GET", "/api/workspace").cookie(&jonas)).await;
    assert_eq!(got.status, StatusCode::OK);
    let body = json!({"version": got.json["version"], "workspace": got.json["workspace"]});
    let put = server.send(call("PUT", "/api/workspace").cookie(&jonas).json(body)).await;
    assert_eq!((put.status, put.message()), (StatusCode::FORBIDDEN, "Only admins may change the workspace."));
    assert_eq!(server.send(call("GET", "/api/workspace")).await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_raised_cap_serves_the_chats_that_waited() {
    let server = Server::demo().await;
    let sam = server.sign_in("Sam Rivera").await;
    let (amelie, noah, chat, _) = server.pending_french_chat().await;
    let _ = (amelie, noah);
    // Back to Balanced, but with a cap of 0: the chat keeps waiting.
    let zero = json!({"method": "balanced", "auto_assign_cap": 0});
    server.command(&sam, json!({"command": "set_assignment", "agent": 1, "assignment": zero})).await;
    assert_eq!(server.assignee(chat).await, None);
    let got = server.send(call("GET", "/api/workspace").cookie(&sam)).await;
    let raised = edited(&got.json["workspace"], |workspace| {
        handoff::teamspace_edit::set_assignment_method(workspace, AssignmentMethod::Balanced);
        workspace.teamspace.assignment.auto_assign_cap = 2;
    });
    let put = server
        .send(
            call("PUT", "/api/workspace")
                .cookie(&sam)
                .json(json!({"version": got.json["version"], "workspace": raised})),
        )
        .await;
    assert_eq!(put.status, StatusCode::OK, "{}", put.text);
    assert!(matches!(server.assignee(chat).await, Some(AgentId(2 | 6))), "served under the new rules");
}

#[tokio::test]
async fn a_workspace_the_conversations_do_not_fit_or_without_its_editor_as_admin_is_refused() {
    let server = Server::demo().await;
    let sam = server.sign_in("Sam Rivera").await;
    let (_amelie, _noah, _chat, _) = server.pending_french_chat().await;
    let got = server.send(call("GET", "/api/workspace").cookie(&sam)).await;
    let version = got.json["version"].clone();
    let without_noah =
        edited(&got.json["workspace"], |workspace| workspace.teamspace.agents.retain(|agent| agent.id != AgentId(6)));
    let put = server
        .send(call("PUT", "/api/workspace").cookie(&sam).json(json!({"version": version, "workspace": without_noah})))
        .await;
    assert_eq!(put.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        put.message().starts_with("This workspace does not fit the saved conversations (saved event"),
        "{}",
        put.text
    );

    let demoted = edited(&got.json["workspace"], |workspace| {
        handoff::teamspace_edit::set_role(workspace, AgentId(1), handoff::workspace::Role::Agent).expect("a role");
    });
    let put = server
        .send(call("PUT", "/api/workspace").cookie(&sam).json(json!({"version": version, "workspace": demoted})))
        .await;
    assert_eq!(
        (put.status, put.message()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            "This workspace takes your own admin role away: another admin must do that."
        )
    );

    let broken = json!({"version": version, "workspace": {"format": "handoff-workspace", "version": 1}});
    let put = server.send(call("PUT", "/api/workspace").cookie(&sam).json(broken)).await;
    assert_eq!(put.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(put.message().starts_with("The workspace cannot be read: "), "{}", put.text);
    assert_eq!(server.state.workspace().0, version.as_u64().expect("a version"), "nothing was saved");
}

/// A server whose engine asks for a snapshot every three events.
async fn snapshotting(demo: bool) -> Server {
    let mut config = config();
    config.snapshot_every = 3;
    Server::with_config(config, demo).await
}

async fn stored_snapshot(server: &Server) -> Option<(u64, Vec<u8>)> {
    let row: Option<(i64, Vec<u8>)> = sqlx::query_as("SELECT next, state FROM snapshots WHERE id = 0")
        .fetch_optional(server.state.pool())
        .await
        .expect("read");
    row.map(|(next, state)| (u64::try_from(next).expect("a number"), state))
}

#[tokio::test]
async fn a_snapshot_that_does_not_fit_a_new_workspace_is_replaced_by_a_replay_of_every_event() {
    let server = snapshotting(true).await;
    let sam = server.sign_in("Sam Rivera").await;
    for _ in 0..3 {
        server.start_chat("en").await;
    }
    assert!(stored_snapshot(&server).await.is_some(), "a snapshot was written");
    let before = server.state.read(|engine| engine.state().chats.clone()).await;

    // A new live agent: the snapshot's agents are no longer the workspace's.
    let got = server.send(call("GET", "/api/workspace").cookie(&sam)).await;
    let with_ada = edited(&got.json["workspace"], |workspace| {
        handoff::teamspace_edit::add_agent(workspace, "Ada Lovelace", Role::Agent).expect("added");
    });
    let put = server
        .send(
            call("PUT", "/api/workspace")
                .cookie(&sam)
                .json(json!({"version": got.json["version"], "workspace": with_ada})),
        )
        .await;
    assert_eq!(put.status, StatusCode::OK, "{}", put.text);
    let (_, workspace) = server.state.workspace();
    assert_eq!(server.state.read(|engine| engine.state().agents.len()).await, workspace.teamspace.agents.len());
    assert_eq!(server.state.read(|engine| engine.state().chats.clone()).await, before, "every chat replayed");

    let (next, state) = stored_snapshot(&server).await.expect("a snapshot");
    assert_eq!(next, server.state.position().await, "replaced by the state after every event");
    assert!(handoff::load_state_bytes(&state, &workspace).is_ok(), "it fits the new workspace");
    let (chat, token) = server.start_chat("en").await;
    assert_eq!(
        server.customer(chat, &token, json!({"command": "message", "text": "Hello"})).await.status,
        StatusCode::OK
    );
    let after = server.state.read(|engine| engine.state().clone()).await;
    let server = server.restarted().await;
    assert_eq!(server.state.read(|engine| engine.state().clone()).await, after);
}

#[tokio::test]
async fn setting_up_the_first_admin_after_a_snapshot_replays_every_event() {
    let server = snapshotting(false).await;
    // Customers may start chats before anybody is set up.
    for _ in 0..3 {
        server.start_chat("en").await;
    }
    assert!(stored_snapshot(&server).await.is_some(), "a snapshot was written");
    let position = server.state.position().await;
    let setup = json!({"name": "Ada Admin", "password": "a long enough secret"});
    let created = server.send(call("POST", "/api/setup").json(setup)).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    assert_eq!(server.state.position().await, position, "the engine holds every event");
    assert_eq!(server.state.read(|engine| engine.state().chats.len()).await, 3);
    let signed_in = server.command(&created.cookie(), json!({"command": "sign_in", "agent": 0})).await;
    assert_eq!(signed_in.status, StatusCode::OK, "{}", signed_in.text);
    let (_, workspace) = server.state.workspace();
    let (next, state) = stored_snapshot(&server).await.expect("a snapshot");
    assert!(next >= position);
    assert!(handoff::load_state_bytes(&state, &workspace).is_ok(), "it fits the new workspace");
}

#[tokio::test]
async fn a_change_of_chat_assignment_once_committed_is_in_force_though_the_journal_cannot_be_read_after_it() {
    let server = Server::demo().await;
    let sam = server.sign_in("Sam Rivera").await;
    let (version, _) = server.state.workspace();
    // In the transaction that stores the change, the snapshot is made unreadable: nothing can
    // be read from the journal after the commit.
    sqlx::query(
        "CREATE TRIGGER unreadable_snapshot AFTER UPDATE ON workspace BEGIN \
         INSERT OR REPLACE INTO snapshots (id, next, state) VALUES (0, 'unreadable', X'00'); END",
    )
    .execute(server.state.pool())
    .await
    .expect("a trigger");
    let voluntary = json!({"method": "voluntary", "auto_assign_cap": 2});
    let set = server.command(&sam, json!({"command": "set_assignment", "agent": 1, "assignment": voluntary})).await;
    assert_eq!(set.status, StatusCode::OK, "it was stored, and is said to be: {}", set.text);
    assert_eq!(set.json["outcome"], "accepted");
    let got = server.send(call("GET", "/api/workspace").cookie(&sam)).await;
    assert_eq!(got.json["version"], version + 1, "the version the database holds");
    assert_eq!(server.state.workspace().1.teamspace.assignment.method, AssignmentMethod::Voluntary);
    assert_eq!(
        server.state.read(|engine| engine.workspace().teamspace.assignment.method).await,
        AssignmentMethod::Voluntary
    );

    // An edit made from the version before is refused, not written over the change.
    let stale = edited(&got.json["workspace"], |workspace| workspace.teamspace.name = "Stale".to_owned());
    let put = server
        .send(call("PUT", "/api/workspace").cookie(&sam).json(json!({"version": version, "workspace": stale})))
        .await;
    assert_eq!(put.status, StatusCode::CONFLICT, "{}", put.text);
    assert_eq!(put.json["version"], version + 1);

    sqlx::query("DROP TRIGGER unreadable_snapshot").execute(server.state.pool()).await.expect("dropped");
    sqlx::query("DELETE FROM snapshots").execute(server.state.pool()).await.expect("deleted");
    let server = server.restarted().await;
    assert_eq!(server.state.workspace().0, version + 1);
    assert_eq!(server.state.read(|engine| engine.state().assignment.method).await, AssignmentMethod::Voluntary);
}

#[tokio::test]
async fn a_saved_workspace_is_answered_as_saved_with_what_could_not_follow_it() {
    let server = Server::demo().await;
    let sam = server.sign_in("Sam Rivera").await;
    let (_amelie, _noah, chat, _) = server.pending_french_chat().await;
    let got = server.send(call("GET", "/api/workspace").cookie(&sam)).await;
    let version = got.json["version"].as_u64().expect("a version");
    let balanced = edited(&got.json["workspace"], |workspace| {
        handoff::teamspace_edit::set_assignment_method(workspace, AssignmentMethod::Balanced);
        workspace.teamspace.assignment.auto_assign_cap = 2;
    });
    // The workspace is stored (no event in its transaction); every event after it is refused.
    sqlx::query("CREATE TRIGGER refuse_events BEFORE INSERT ON events BEGIN SELECT RAISE(ABORT, 'refused'); END")
        .execute(server.state.pool())
        .await
        .expect("a trigger");
    let put = |version: u64| {
        call("PUT", "/api/workspace").cookie(&sam).json(json!({"version": version, "workspace": balanced.clone()}))
    };
    let saved = server.send(put(version)).await;
    assert_eq!(saved.status, StatusCode::OK, "it was saved, and is said to be: {}", saved.text);
    assert_eq!(saved.json["version"], version + 1);
    assert_eq!(
        saved.json["unfinished"],
        format!(
            "The workspace is saved as version {}, but its Chat Assignment is not yet in force on the conversations: the server could not store that just now. Save it again to finish.",
            version + 1
        )
    );
    assert_eq!(server.state.workspace().0, version + 1);
    // Under Voluntary, still in force, serving the queues offers nothing, so nothing failed.
    assert_eq!(server.assignee(chat).await, None, "not served: the new rules are not in force");

    // Saved again once the database takes events: finished, and nothing said.
    sqlx::query("DROP TRIGGER refuse_events").execute(server.state.pool()).await.expect("dropped");
    let again = server.send(put(version + 1)).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.text);
    assert_eq!(again.json.get("unfinished"), None);
    assert_eq!(server.state.read(|engine| engine.state().assignment.method).await, AssignmentMethod::Balanced);
    assert!(matches!(server.assignee(chat).await, Some(AgentId(2 | 6))), "served under the new rules");
}
