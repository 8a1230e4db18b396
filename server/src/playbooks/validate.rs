//! From files to a [`Catalog`]: every reference checked (steps, probes, fields, links), every
//! problem named by file, playbook and step.

use std::collections::{BTreeMap, HashSet};

use serde::Deserialize;
use wire::Severity;

use super::format::{self, File};
use super::probe_spec::{self, short, FieldType, ProbeSpec};
use super::settings::REFERENCES;
use super::{Branch, Catalog, CatalogError, Condition, Playbook, Step, StepKind, Suggestion};
use crate::values::HttpUrl;

/// The `next` that finishes a walkthrough.
const END: &str = "end";

pub(super) fn catalog(
    files: Vec<(String, String)>,
    links: &BTreeMap<String, HttpUrl>,
) -> Result<Catalog, CatalogError> {
    for name in links.keys() {
        if !REFERENCES.iter().any(|(r, _)| r == name) {
            return Err(CatalogError {
                file: "[playbooks] links".to_owned(),
                problem: format!(
                    "`{}` is not a reference the playbook cites (known: {})",
                    short(name),
                    reference_names()
                ),
            });
        }
    }
    let mut playbooks: Vec<Playbook> = Vec::new();
    for (file, text) in files {
        let fail = |problem: String| CatalogError {
            file: file.clone(),
            problem,
        };
        let raw: File = toml::from_str(&text).map_err(|e| fail(one_line(&e.to_string())))?;
        let playbook = playbook(raw, &file).map_err(fail)?;
        if let Some(twin) = playbooks.iter().find(|p| p.id == playbook.id) {
            return Err(fail(format!(
                "playbook `{}` is also defined in {}",
                playbook.id, twin.file
            )));
        }
        playbooks.push(playbook);
    }
    Ok(Catalog { playbooks })
}

fn playbook(raw: File, file: &str) -> Result<Playbook, String> {
    let id = raw.id.trim().to_owned();
    if !is_id(&id) {
        return Err(format!(
            "playbook id `{}` must be 1–48 lowercase letters, digits and dashes",
            short(&id)
        ));
    }
    let at = |problem: String| format!("playbook `{id}`: {problem}");
    let severity = Severity::parse(&raw.severity)
        .filter(|s| s.as_str() == raw.severity)
        .ok_or_else(|| {
            at(format!(
                "severity `{}` is not sev1 … sev4",
                short(&raw.severity)
            ))
        })?;
    for (what, text) in [
        ("title", &raw.title),
        ("symptom", &raw.symptom),
        ("source", &raw.source),
    ] {
        if text.trim().is_empty() {
            return Err(at(format!("`{what}` is empty")));
        }
    }
    if raw.steps.is_empty() {
        return Err(at("has no steps".to_owned()));
    }
    let suggest = match raw.suggest {
        None => None,
        Some(value) => Some(suggestion(value).map_err(|e| at(format!("suggest: {e}")))?),
    };

    let ids: Vec<String> = raw.steps.iter().map(|s| s.id.trim().to_owned()).collect();
    let mut seen = HashSet::new();
    for step_id in &ids {
        if !is_id(step_id) || step_id == END {
            return Err(at(format!(
                "step id `{}` must be 1–48 lowercase letters, digits and dashes, and not `{END}`",
                short(step_id)
            )));
        }
        if !seen.insert(step_id.clone()) {
            return Err(at(format!("two steps are called `{step_id}`")));
        }
    }

    let mut steps: Vec<Step> = Vec::new();
    let count = raw.steps.len();
    for (n, raw_step) in raw.steps.into_iter().enumerate() {
        let step_id = ids[n].clone();
        let in_step = |problem: String| at(format!("step `{step_id}`: {problem}"));
        let default_next = ids.get(n + 1).cloned();
        let step = step(raw_step, step_id.clone(), default_next, &ids, &steps).map_err(in_step)?;
        steps.push(step);
        let _ = count;
    }
    let mut findings = Vec::new();
    for (n, f) in raw.findings.into_iter().enumerate() {
        for (what, text) in [
            ("title", &f.title),
            ("says", &f.says),
            ("done_when", &f.done_when),
        ] {
            if text.trim().is_empty() {
                return Err(at(format!("finding {}: `{what}` is empty", n + 1)));
            }
        }
        findings.push(super::PlaybookFinding {
            title: f.title.trim().to_owned(),
            says: f.says.trim().to_owned(),
            done_when: f.done_when.trim().to_owned(),
        });
    }
    Ok(Playbook {
        id,
        title: raw.title,
        symptom: raw.symptom,
        severity,
        source: raw.source,
        suggest,
        steps,
        findings,
        file: file.to_owned(),
    })
}

/// One step; `before` are the steps already read (a decision may only look back at a probe).
fn step(
    raw: format::Step,
    id: String,
    default_next: Option<String>,
    ids: &[String],
    before: &[Step],
) -> Result<Step, String> {
    let target = |next: &str| -> Result<Option<String>, String> {
        if next == END {
            Ok(None)
        } else if ids.iter().any(|i| i == next) {
            Ok(Some(next.to_owned()))
        } else {
            Err(format!(
                "`next` points to `{}`, which is no step of this playbook",
                short(next)
            ))
        }
    };
    let next = match raw.next.as_deref() {
        Some(n) => target(n)?,
        None => default_next,
    };
    let unused = |what: &str, present: bool| {
        if present {
            Err(format!("`{what}` does not belong in a {} step", raw.kind))
        } else {
            Ok(())
        }
    };
    if raw.title.trim().is_empty() {
        return Err("`title` is empty".to_owned());
    }
    let kind = match raw.kind.as_str() {
        "instruction" => {
            unused("probe", raw.probe.is_some())?;
            unused("on", raw.on.is_some())?;
            unused("branch", !raw.branches.is_empty())?;
            StepKind::Instruction {
                command: raw.command,
                real_ory: raw.real_ory,
                action: raw.action.map(step_action).transpose()?,
            }
        }
        "probe" => {
            unused("action", raw.action.is_some())?;
            unused("on", raw.on.is_some())?;
            unused("branch", !raw.branches.is_empty())?;
            let value = raw.probe.ok_or("a probe step needs `[step.probe]`")?;
            let probe = probe_spec::Raw::deserialize(value)
                .map_err(|e| format!("probe: {}", one_line(&e.to_string())))?;
            StepKind::Probe {
                probe: probe_spec::check(probe).map_err(|e| format!("probe: {e}"))?,
                command: raw.command,
                real_ory: raw.real_ory,
            }
        }
        "decision" => {
            unused("probe", raw.probe.is_some())?;
            unused("command", raw.command.is_some())?;
            let on = raw
                .on
                .ok_or("a decision needs `on`, the probe step whose result decides")?;
            let probe = before
                .iter()
                .find_map(|s| match &s.kind {
                    StepKind::Probe { probe, .. } if s.id == on => Some(probe),
                    _ => None,
                })
                .ok_or_else(|| {
                    format!(
                        "`on = \"{}\"` names no probe step before this one",
                        short(&on)
                    )
                })?;
            if raw.branches.len() < 2 {
                return Err("a decision needs at least two branches".to_owned());
            }
            let mut branches = Vec::new();
            for value in raw.branches {
                branches.push(branch(value, probe, &target, before)?);
            }
            if branches.iter().filter(|b| b.when.is_none()).count() != 1 {
                return Err("exactly one branch must have no `when` (the fallback)".to_owned());
            }
            StepKind::Decision { on, branches }
        }
        "external" => {
            unused("probe", raw.probe.is_some())?;
            unused("branch", !raw.branches.is_empty())?;
            let link = raw.link.as_deref().ok_or("an external step needs `link`")?;
            if !(link.starts_with("https://") || REFERENCES.iter().any(|(r, _)| *r == link)) {
                return Err(format!(
                    "`link` must be an https:// URL or a reference ({})",
                    reference_names()
                ));
            }
            StepKind::External {
                url: link.to_owned(),
            }
        }
        other => {
            return Err(format!(
                "unknown kind `{}` (instruction, probe, decision or external)",
                short(other)
            ))
        }
    };
    Ok(Step {
        id,
        title: raw.title,
        says: raw.says,
        timer_minutes: raw.timer_minutes,
        kind,
        next,
    })
}

fn branch(
    value: toml::Value,
    probe: &ProbeSpec,
    target: &dyn Fn(&str) -> Result<Option<String>, String>,
    before: &[Step],
) -> Result<Branch, String> {
    let raw = format::Branch::deserialize(value)
        .map_err(|e| format!("branch: {}", one_line(&e.to_string())))?;
    let when = match raw.when {
        None => None,
        Some(c) => {
            Some(condition(c, probe, before).map_err(|e| format!("branch `{}`: {e}", raw.label))?)
        }
    };
    Ok(Branch {
        next: target(&raw.next)?,
        label: raw.label,
        when,
    })
}

fn condition(
    c: format::Condition,
    probe: &ProbeSpec,
    before: &[Step],
) -> Result<Condition, String> {
    if let Some(over) = c.countdown_over {
        if !over
            || !c.field.is_empty()
            || c.is.is_some()
            || c.below.is_some()
            || c.at_least.is_some()
        {
            return Err("`countdown_over = true` stands alone".to_owned());
        }
        if !before.iter().any(|s| s.timer_minutes.is_some()) {
            return Err("`countdown_over` needs an earlier step with `timer_minutes`".to_owned());
        }
        return Ok(Condition::CountdownOver);
    }
    let Some(&(_, ty)) = probe.fields().iter().find(|(f, _)| *f == c.field) else {
        return Err(format!(
            "the {} probe has no field `{}` (it has: {})",
            probe.kind(),
            short(&c.field),
            probe
                .fields()
                .iter()
                .map(|(f, _)| *f)
                .collect::<Vec<_>>()
                .join(", ")
        ));
    };
    let field = c.field;
    match (c.is, c.below, c.at_least, ty) {
        (Some(value), None, None, FieldType::Flag) => Ok(Condition::Is { field, value }),
        (None, Some(value), None, FieldType::Number) => Ok(Condition::Below { field, value }),
        (None, None, Some(value), FieldType::Number) => Ok(Condition::AtLeast { field, value }),
        _ => Err(format!(
            "`{field}` is a {}: test it with {}",
            if ty == FieldType::Flag {
                "yes/no"
            } else {
                "number"
            },
            if ty == FieldType::Flag {
                "`is`"
            } else {
                "one of `below` and `at_least`"
            }
        )),
    }
}

fn suggestion(value: toml::Value) -> Result<Suggestion, String> {
    let raw = format::Suggest::deserialize(value).map_err(|e| one_line(&e.to_string()))?;
    if raw.checks_failing.is_empty() && raw.any_failing.is_empty() {
        return Err("a suggestion needs `checks_failing` or `any_failing`".to_owned());
    }
    if raw.because.trim().is_empty() {
        return Err("`because` is empty".to_owned());
    }
    Ok(Suggestion {
        checks_failing: raw.checks_failing,
        any_failing: raw.any_failing,
        detail_mentions: raw.detail_mentions,
        because: raw.because,
    })
}

fn is_id(s: &str) -> bool {
    (1..=48).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

fn reference_names() -> String {
    REFERENCES
        .iter()
        .map(|(r, _)| *r)
        .collect::<Vec<_>>()
        .join(", ")
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `action = { id = "...", <param> = "<value>", ... }`: a known action, and values for its own
/// parameters only (checked against their types when it is planned).
fn step_action(value: toml::Value) -> Result<super::StepAction, String> {
    let toml::Value::Table(table) = value else {
        return Err(
            "`action` must be a table: { id = \"flush-courier\", service = \"ciam-kratos\" }"
                .into(),
        );
    };
    let mut id = None;
    let mut params = std::collections::BTreeMap::new();
    for (k, v) in table {
        let toml::Value::String(v) = v else {
            return Err(format!("action: `{}` must be a string", short(&k)));
        };
        if k == "id" {
            id = Some(v);
        } else {
            params.insert(k, v);
        }
    }
    let id = id.ok_or("action: `id` names the action (GET /api/actions lists them)")?;
    let kind = crate::actions::Kind::by_id(&id)
        .ok_or_else(|| format!("action: no action `{}`", short(&id)))?;
    let names: Vec<&str> = kind.meta().params.iter().map(|(n, _, _)| *n).collect();
    if let Some(bad) = params.keys().find(|k| !names.contains(&k.as_str())) {
        return Err(format!(
            "action: `{}` takes no value `{}` (it takes: {})",
            id,
            short(bad),
            names.join(", ")
        ));
    }
    Ok(super::StepAction { id, params })
}
