use std::collections::BTreeMap;

use super::*;

fn services() -> Vec<String> {
    [
        "ciam-hera",
        "ciam-athena",
        "ciam-kratos",
        "ciam-hydra",
        "iam-hera",
        "iam-athena",
        "iam-kratos",
        "iam-hydra",
    ]
    .map(str::to_owned)
    .to_vec()
}

fn edges() -> Vec<String> {
    vec!["ciam".to_owned(), "iam".to_owned()]
}

pub(super) fn shipped() -> Catalog {
    Catalog::load(&PlaybookSettings::default()).unwrap()
}

/// Checks one file's text; the error as text.
fn check(text: &str) -> Result<Catalog, String> {
    validate::catalog(
        vec![("x.toml".to_owned(), text.to_owned())],
        &BTreeMap::new(),
    )
    .map_err(|e| e.to_string())
}

const HEAD: &str = r#"
id = "p"
title = "P"
symptom = "s"
severity = "sev2"
source = "here"
"#;

#[test]
fn every_playbook_of_the_spec_ships_and_loads() {
    let catalog = shipped();
    let ids: Vec<&str> = catalog.playbooks.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "first-response",
            "database-tls",
            "caddy-certificate",
            "csrf-violation",
            "athena-500s",
            "captcha-down",
            "email-not-sending",
            "credential-compromise",
            "database-compromise",
        ]
    );
    // The first response keeps the spec's five minutes before stopping the bleed.
    let first = catalog.get("first-response").unwrap();
    assert!(first.steps.iter().any(|s| s.timer_minutes == Some(5)));
    assert!(first.steps.iter().any(|s| s
        .says
        .as_deref()
        .is_some_and(|w| w.contains("don't know root cause within 5 minutes"))));
    // The database TLS decision branches on the certificate probe's typed result.
    let tls = catalog.get("database-tls").unwrap();
    let decision = tls.steps.iter().find(|s| s.id == "expired").unwrap();
    let StepKind::Decision { on, branches } = &decision.kind else {
        panic!("not a decision: {decision:?}")
    };
    assert_eq!(on, "certificate");
    assert_eq!(
        branches[0].when,
        Some(Condition::Is {
            field: "expired".into(),
            value: true
        })
    );
    assert_eq!(branches[0].next.as_deref(), Some("rotate"));
}

#[test]
fn the_playbooks_shorthand_that_real_ory_lacks_says_what_works() {
    let catalog = shipped();
    for (playbook, step, missing) in [
        ("email-not-sending", "queue", "list-messages"),
        ("email-not-sending", "worker", "courier flush"),
        (
            "credential-compromise",
            "force-password",
            "needs_password_reset",
        ),
        ("credential-compromise", "mass-revocation", "revoke --all"),
    ] {
        let s = catalog
            .get(playbook)
            .and_then(|p| p.steps.iter().find(|s| s.id == step))
            .unwrap();
        let spec_text = format!("{:?}{:?}", s.says, s.kind);
        assert!(
            spec_text.contains(missing),
            "{playbook}/{step} keeps the spec's words"
        );
        let real = match &s.kind {
            StepKind::Instruction { real_ory, .. } | StepKind::Probe { real_ory, .. } => {
                real_ory.clone()
            }
            _ => None,
        };
        assert!(
            real.is_some(),
            "{playbook}/{step} says what works on real Ory"
        );
    }
}

#[test]
fn a_directory_replaces_the_shipped_catalog() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("mine.toml"),
        format!("{HEAD}\n[[step]]\nid = \"a\"\nkind = \"instruction\"\ntitle = \"Do it\"\n"),
    )
    .unwrap();
    std::fs::write(dir.path().join("notes.txt"), "not a playbook").unwrap();
    let settings = PlaybookSettings {
        dir: Some(dir.path().to_owned()),
        links: BTreeMap::new(),
    };
    let catalog = Catalog::load(&settings).unwrap();
    assert_eq!(catalog.playbooks.len(), 1);
    assert_eq!(catalog.playbooks[0].steps[0].next, None);

    let empty = tempfile::tempdir().unwrap();
    let settings = PlaybookSettings {
        dir: Some(empty.path().to_owned()),
        links: BTreeMap::new(),
    };
    let err = Catalog::load(&settings).unwrap_err();
    assert!(err.to_string().contains("holds no playbook"), "{err}");
}

#[test]
fn malformed_files_are_refused_naming_the_file_the_playbook_and_the_step() {
    let cases: &[(&str, &str)] = &[
        (
            "[[step]]\nid = \"a\"\nkind = \"dance\"\ntitle = \"t\"\n",
            "x.toml: playbook `p`: step `a`: unknown kind `dance`",
        ),
        (
            "[[step]]\nid = \"a\"\nkind = \"probe\"\ntitle = \"t\"\nprobe = { kind = \"containers\" }\n\
             [[step]]\nid = \"b\"\nkind = \"decision\"\ntitle = \"t\"\non = \"a\"\n\
             [[step.branch]]\nlabel = \"x\"\nnext = \"nowhere\"\nwhen = { field = \"all_running\", is = false }\n\
             [[step.branch]]\nlabel = \"y\"\nnext = \"end\"\n",
            "step `b`: `next` points to `nowhere`, which is no step of this playbook",
        ),
        (
            "[[step]]\nid = \"a\"\nkind = \"probe\"\ntitle = \"t\"\n\
             probe = { kind = \"container_logs\", service = \"ciam-kratos\", patterns = [\"x\"], grep = \"y\" }\n",
            "step `a`: probe: unknown field `grep`",
        ),
        (
            "[[step]]\nid = \"a\"\nkind = \"probe\"\ntitle = \"t\"\n\
             probe = { kind = \"container_logs\", service = \"olympus-postgres; rm -rf /\", patterns = [\"x\"] }\n",
            "is not a service name",
        ),
        (
            "[[step]]\nid = \"a\"\nkind = \"probe\"\ntitle = \"t\"\n\
             probe = { kind = \"container_logs\", service = \"ciam-kratos\", patterns = [\"$(reboot)'\"] }\n",
            "`patterns` cannot hold",
        ),
        (
            "[[step]]\nid = \"a\"\nkind = \"probe\"\ntitle = \"t\"\n\
             probe = { kind = \"container_logs\", service = \"ciam-kratos\", patterns = [\"x\"], since_minutes = 0 }\n",
            "`since_minutes` must be 1 to 1440, not 0",
        ),
        (
            "[[step]]\nid = \"a\"\nkind = \"probe\"\ntitle = \"t\"\nprobe = { kind = \"shell\", cmd = \"ls\" }\n",
            "step `a`: probe: unknown variant `shell`",
        ),
        (
            "[[step]]\nid = \"a\"\nkind = \"probe\"\ntitle = \"t\"\nprobe = { kind = \"database_certificate\" }\n\
             [[step]]\nid = \"b\"\nkind = \"decision\"\ntitle = \"t\"\non = \"a\"\n\
             [[step.branch]]\nlabel = \"x\"\nnext = \"end\"\nwhen = { field = \"colour\", is = true }\n\
             [[step.branch]]\nlabel = \"y\"\nnext = \"end\"\n",
            "the database_certificate probe has no field `colour`",
        ),
        (
            "[[step]]\nid = \"a\"\nkind = \"probe\"\ntitle = \"t\"\nprobe = { kind = \"database_certificate\" }\n\
             [[step]]\nid = \"b\"\nkind = \"decision\"\ntitle = \"t\"\non = \"a\"\n\
             [[step.branch]]\nlabel = \"x\"\nnext = \"end\"\nwhen = { field = \"expired\", below = 3 }\n\
             [[step.branch]]\nlabel = \"y\"\nnext = \"end\"\n",
            "`expired` is a yes/no: test it with `is`",
        ),
        (
            "[[step]]\nid = \"b\"\nkind = \"decision\"\ntitle = \"t\"\non = \"a\"\n\
             [[step.branch]]\nlabel = \"y\"\nnext = \"end\"\n[[step.branch]]\nlabel = \"z\"\nnext = \"end\"\n\
             [[step]]\nid = \"a\"\nkind = \"probe\"\ntitle = \"t\"\nprobe = { kind = \"board\" }\n",
            "`on = \"a\"` names no probe step before this one",
        ),
        (
            "[[step]]\nid = \"a\"\nkind = \"instruction\"\ntitle = \"t\"\n[[step]]\nid = \"a\"\nkind = \"instruction\"\ntitle = \"u\"\n",
            "two steps are called `a`",
        ),
        (
            "[[step]]\nid = \"a\"\nkind = \"external\"\ntitle = \"t\"\nlink = \"javascript:alert(1)\"\n",
            "`link` must be an https:// URL or a reference",
        ),
        (
            "[[step]]\nid = \"a\"\nkind = \"instruction\"\ntitle = \"t\"\nprobe = { kind = \"board\" }\n",
            "`probe` does not belong in a instruction step",
        ),
        (
            "[[step]]\nid = \"a\"\nkind = \"instruction\"\ntitle = \"t\"\ncolour = \"red\"\n",
            "unknown field `colour`",
        ),
        (
            "[[step]]\nid = \"a\"\nkind = \"probe\"\ntitle = \"t\"\nprobe = { kind = \"board\" }\n\
             [[step]]\nid = \"b\"\nkind = \"decision\"\ntitle = \"t\"\non = \"a\"\n\
             [[step.branch]]\nlabel = \"x\"\nnext = \"end\"\nwhen = { countdown_over = true }\n\
             [[step.branch]]\nlabel = \"y\"\nnext = \"end\"\n",
            "branch `x`: `countdown_over` needs an earlier step with `timer_minutes`",
        ),
    ];
    for (steps, expected) in cases {
        let err = check(&format!("{HEAD}{steps}")).unwrap_err();
        assert!(err.contains(expected), "expected `{expected}` in: {err}");
    }
}

#[test]
fn playbook_level_problems_are_named_too() {
    let err = check("id = \"p\"\ntitle = \"P\"\nsymptom = \"s\"\nseverity = \"sev9\"\nsource = \"x\"\n[[step]]\nid = \"a\"\nkind = \"instruction\"\ntitle = \"t\"\n").unwrap_err();
    assert!(err.contains("playbook `p`: severity `sev9`"), "{err}");
    let err = check(HEAD).unwrap_err();
    assert!(err.contains("playbook `p`: has no steps"), "{err}");
    let err = check(&HEAD.replace("id = \"p\"", "id = \"Not An Id\"")).unwrap_err();
    assert!(err.contains("playbook id `Not An Id`"), "{err}");
    let twice = validate::catalog(
        vec![
            (
                "a.toml".into(),
                format!("{HEAD}[[step]]\nid = \"a\"\nkind = \"instruction\"\ntitle = \"t\"\n"),
            ),
            (
                "b.toml".into(),
                format!("{HEAD}[[step]]\nid = \"a\"\nkind = \"instruction\"\ntitle = \"t\"\n"),
            ),
        ],
        &BTreeMap::new(),
    )
    .unwrap_err();
    assert_eq!(twice.file, "b.toml");
    assert!(twice.problem.contains("also defined in a.toml"), "{twice}");
}

#[test]
fn links_name_only_the_references_the_playbook_cites() {
    let mut links = BTreeMap::new();
    links.insert(
        "cert-rotation".to_owned(),
        crate::values::HttpUrl::parse("https://wiki.example/cert-rotation").unwrap(),
    );
    let settings = PlaybookSettings { dir: None, links };
    assert!(Catalog::load(&settings).is_ok());
    let mut links = BTreeMap::new();
    links.insert(
        "cat-pictures".to_owned(),
        crate::values::HttpUrl::parse("https://example.com").unwrap(),
    );
    let settings = PlaybookSettings { dir: None, links };
    let err = Catalog::load(&settings).unwrap_err();
    assert!(
        err.to_string()
            .contains("`cat-pictures` is not a reference"),
        "{err}"
    );
}

#[test]
fn steps_naming_services_or_edges_the_config_lacks_are_listed_not_refused() {
    let catalog = shipped();
    assert_eq!(
        catalog.unknown_names(&services(), &edges()),
        Vec::<String>::new()
    );
    let unknown = catalog.unknown_names(&["iam-kratos".to_owned()], &["iam".to_owned()]);
    assert!(
        unknown.iter().any(|u| u.contains(
            "config/playbooks/02-database-tls.toml: playbook `database-tls`, step `logs`: no service `ciam-kratos`"
        )),
        "{unknown:?}"
    );
    assert!(
        unknown.iter().any(|u| u.contains("no edge `ciam`")),
        "{unknown:?}"
    );
}

#[test]
fn step_actions_name_a_known_action_and_only_its_values() {
    let ok = check(&format!(
        "{HEAD}[[step]]\nid = \"a\"\nkind = \"instruction\"\ntitle = \"t\"\n\
         action = {{ id = \"flush-courier\", service = \"ciam-kratos\" }}\n"
    ))
    .unwrap();
    match &ok.playbooks[0].steps[0].kind {
        StepKind::Instruction {
            action: Some(a), ..
        } => {
            assert_eq!(a.id, "flush-courier");
            assert_eq!(
                a.params.get("service").map(String::as_str),
                Some("ciam-kratos")
            );
        }
        other => panic!("{other:?}"),
    }
    for (action, says) in [
        ("{ id = \"rm-rf\" }", "no action `rm-rf`"),
        (
            "{ id = \"restart-container\", scope = \"ciam\" }",
            "takes no value `scope`",
        ),
        ("{ service = \"ciam-kratos\" }", "`id` names the action"),
        ("{ id = \"db-snapshot\", x = 1 }", "must be a string"),
        ("\"flush-courier\"", "must be a table"),
    ] {
        let err = check(&format!(
            "{HEAD}[[step]]\nid = \"a\"\nkind = \"instruction\"\ntitle = \"t\"\naction = {action}\n"
        ))
        .unwrap_err();
        assert!(err.contains(says), "{action}: {err}");
    }
    let err = check(&format!(
        "{HEAD}[[step]]\nid = \"a\"\nkind = \"probe\"\ntitle = \"t\"\nprobe = {{ kind = \"containers\" }}\n\
         action = {{ id = \"db-snapshot\" }}\n"
    ))
    .unwrap_err();
    assert!(
        err.contains("`action` does not belong in a probe step"),
        "{err}"
    );
    // The shipped catalog offers the actions the spec's steps call for.
    let shipped = shipped();
    let offered: Vec<&str> = shipped
        .playbooks
        .iter()
        .flat_map(|p| &p.steps)
        .filter_map(|s| match &s.kind {
            StepKind::Instruction {
                action: Some(a), ..
            } => Some(a.id.as_str()),
            _ => None,
        })
        .collect();
    for id in [
        "restart-container",
        "flush-courier",
        "captcha-off",
        "captcha-on",
        "lock-identity",
        "recovery-code",
        "block-address",
        "revoke-sessions",
        "revoke-tokens",
        "db-snapshot",
    ] {
        assert!(
            offered.contains(&id),
            "{id} is offered by no step: {offered:?}"
        );
    }
}
