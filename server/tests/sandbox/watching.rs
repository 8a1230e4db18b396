//! Watching an action run over the websocket, against the sandbox: a responder's socket gets the
//! request with its plan as it changes and every line of output (masked, as the result keeps it,
//! each command line the one the plan previewed); a stakeholder's socket gets the same request
//! without plan, progress or output, and not one output frame.

use std::time::Duration;

use serde_json::{json, Value};
use wire::{ActionPlan, ActionRequestInfo};

use super::console::{
    assert_done, final_action_frame, started_at, summary, Console, RESPONDER, STAKEHOLDER,
};
use super::support::Sandbox;

fn request_frames(frames: &[Value], req: i64) -> Vec<ActionRequestInfo> {
    frames
        .iter()
        .filter(|f| f["type"] == "action" && f["action"]["id"] == req)
        .map(|f| serde_json::from_value(f["action"].clone()).unwrap())
        .collect()
}

#[tokio::test]
async fn a_responder_watches_the_plan_and_masked_output_and_a_stakeholder_only_the_outline() {
    let sb = Sandbox::claim().await;
    let c = Console::start(&sb).await;
    let ana = c.sign_in(RESPONDER).await;
    let vic = c.sign_in(STAKEHOLDER).await;
    let id = c.declare(&ana, "iam athena stuck").await;
    let responder = c.socket(&ana).await;
    let stakeholder = c.socket(&vic).await;
    let container = "olympus-iam-athena";
    let before = started_at(container);

    let plan: ActionPlan = c
        .plan(
            &ana,
            id,
            "restart-container",
            json!({ "container": container }),
        )
        .await;
    let answer = c.request(&ana, id, &plan).await;
    assert_done(&answer.request);
    assert_ne!(started_at(container), before, "it really restarted");
    let req = answer.request.id;
    let result = answer.request.result.clone().unwrap();
    assert!(!result.output.is_empty(), "{result:?}");

    // The responder: the request as it changed, each with the plan, and every output line.
    let full = responder
        .wait_for("the finished request", Duration::from_secs(10), |f| {
            final_action_frame(f, req)
        })
        .await;
    let states: Vec<_> = request_frames(&full, req)
        .into_iter()
        .map(|r| {
            assert_eq!(r.plan.as_ref(), Some(&plan), "every frame carries the plan");
            r.state
        })
        .collect();
    assert_eq!(
        states.first(),
        Some(&wire::RequestState::Running),
        "{states:?}"
    );
    assert_eq!(states.last(), Some(&wire::RequestState::Done), "{states:?}");
    let last = request_frames(&full, req).pop().unwrap();
    assert_eq!(last.result.as_ref(), Some(&result));
    let lines: Vec<String> = full
        .iter()
        .filter(|f| f["type"] == "action_output")
        .map(|f| {
            assert_eq!(f["request_id"], req, "{f}");
            f["line"].as_str().unwrap().to_owned()
        })
        .collect();
    assert_eq!(
        lines, result.output,
        "the live lines are the masked lines the result keeps, in order"
    );
    // Each command it said it ran is one the plan previewed (argv after `timeout -k 1 N`).
    let previewed: Vec<String> = plan
        .commands
        .iter()
        .map(|c| format!("$ {}", c.argv[4..].join(" ")))
        .collect();
    let ran: Vec<&String> = lines.iter().filter(|l| l.starts_with("$ ")).collect();
    assert!(!ran.is_empty(), "{lines:?}");
    for l in ran {
        assert!(
            previewed.contains(l),
            "{l} was not in the plan: {previewed:?}"
        );
    }
    assert!(
        lines
            .iter()
            .any(|l| l == &format!("$ podman restart --time 10 -- {container}")),
        "{lines:?}"
    );

    // The stakeholder: the outline only.
    let outline = stakeholder
        .wait_for("the finished request", Duration::from_secs(10), |f| {
            final_action_frame(f, req)
        })
        .await;
    assert!(
        outline.iter().all(|f| f["type"] != "action_output"),
        "no output frame reaches a stakeholder"
    );
    let seen = request_frames(&outline, req);
    assert!(seen.len() >= 2, "{seen:?}");
    for r in &seen {
        assert!(r.plan.is_none() && r.progress.is_none(), "{r:?}");
        assert!(
            r.result.as_ref().is_none_or(|x| x.output.is_empty()),
            "{r:?}"
        );
        assert_eq!(r.target, container);
    }
    let done = seen.last().unwrap();
    assert_eq!(done.state, wire::RequestState::Done);
    assert_eq!(summary(done), summary(&answer.request));
    assert!(
        summary(done).starts_with(&format!("Restarted {container} in ")),
        "{}",
        summary(done)
    );
    let all = stakeholder.texts().join("\n");
    for host_detail in ["podman restart", "timeout -k", "--time 10"] {
        assert!(
            !all.contains(host_detail),
            "a stakeholder's socket carried `{host_detail}`"
        );
    }
}
