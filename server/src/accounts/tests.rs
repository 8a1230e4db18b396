use std::sync::Arc;

use wire::{Role, UserPatch};

use super::*;
use crate::auth::changes::AccessChanges;
use crate::clock::ManualClock;

async fn accounts() -> (tempfile::TempDir, Accounts, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path())
        .await
        .unwrap()
        .with_clock(Arc::new(ManualClock::at(1_000)));
    let accounts = Accounts::new(store.clone(), AccessChanges::default());
    (dir, accounts, store)
}

fn patch(role: Option<Role>, disabled: Option<bool>, password: Option<&str>) -> UserPatch {
    UserPatch {
        role,
        disabled,
        password: password.map(str::to_string),
    }
}

#[tokio::test]
async fn add_list_and_verify_with_argon2id() {
    let (_d, accounts, store) = accounts().await;
    let ada = accounts
        .create("ada", Role::Commander, "correct horse battery")
        .await
        .unwrap();
    assert_eq!(ada.created_at_ms, 1_000, "stamped by the service's clock");
    let users = accounts.list().await.unwrap();
    assert_eq!(users.len(), 1);
    assert_eq!(
        (users[0].name.as_str(), users[0].role),
        ("ada", Role::Commander)
    );
    let creds = store
        .credentials("ADA")
        .await
        .unwrap()
        .expect("names are case-insensitive");
    assert!(
        creds.password_hash.starts_with("$argon2id$"),
        "{}",
        creds.password_hash
    );
    assert!(verify("correct horse battery".into(), creds.password_hash.clone()).await);
    assert!(!verify("wrong horse battery".into(), creds.password_hash).await);
}

#[tokio::test]
async fn bad_input_is_refused_with_a_reason() {
    let (_d, accounts, _) = accounts().await;
    assert!(matches!(
        accounts
            .create("a b", Role::Responder, "long enough pass")
            .await,
        Err(AccountError::BadName)
    ));
    assert!(matches!(
        accounts
            .create(" padded", Role::Responder, "long enough pass")
            .await,
        Err(AccountError::BadName)
    ));
    assert!(matches!(
        accounts.create("bob", Role::Responder, "short").await,
        Err(AccountError::WeakPassword)
    ));
    accounts
        .create("bob", Role::Responder, "long enough pass")
        .await
        .unwrap();
    assert!(matches!(
        accounts
            .create("Bob", Role::Responder, "long enough pass")
            .await,
        Err(AccountError::Exists(_))
    ));
    assert!(matches!(
        accounts
            .update("nobody", &patch(Some(Role::Commander), None, None))
            .await,
        Err(AccountError::NoSuchUser(_))
    ));
    assert!(matches!(
        accounts.update("bob", &patch(None, None, None)).await,
        Err(AccountError::NothingToChange)
    ));
    assert!(matches!(
        accounts
            .update("bob", &patch(None, None, Some("short")))
            .await,
        Err(AccountError::WeakPassword)
    ));
}

#[tokio::test]
async fn disabling_a_new_password_or_a_new_role_voids_sessions() {
    let (_d, accounts, store) = accounts().await;
    accounts
        .create("cy", Role::Stakeholder, "long enough pass")
        .await
        .unwrap();
    let epoch = || async {
        store
            .credentials("cy")
            .await
            .unwrap()
            .unwrap()
            .session_epoch
    };
    let e0 = epoch().await;
    accounts
        .update("cy", &patch(None, None, Some("another long pass")))
        .await
        .unwrap();
    let e1 = epoch().await;
    assert!(e1 > e0);
    accounts
        .update("cy", &patch(Some(Role::Responder), None, None))
        .await
        .unwrap();
    let e2 = epoch().await;
    assert!(e2 > e1, "a role change ends sessions too");
    let info = accounts
        .update("cy", &patch(None, Some(true), None))
        .await
        .unwrap();
    let c = store.credentials("cy").await.unwrap().unwrap();
    assert!(c.session_epoch > e2 && c.info.disabled && info.disabled);
    assert_eq!(c.info.role, Role::Responder);
    // Enabling again does not revive the old sessions (nor void anything more).
    accounts
        .update("cy", &patch(None, Some(false), None))
        .await
        .unwrap();
    assert_eq!(epoch().await, c.session_epoch);
}

#[tokio::test]
async fn users_survive_reopening_the_file() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = Store::open(dir.path()).await.unwrap();
        Accounts::new(store.clone(), AccessChanges::default())
            .create("dee", Role::Responder, "long enough pass")
            .await
            .unwrap();
        store.pool().close().await;
    }
    let store = Store::open(dir.path()).await.unwrap();
    assert_eq!(store.count_users().await.unwrap(), 1);
}

#[tokio::test]
async fn two_commanders_demoting_each_other_at_once_leave_one_commander() {
    for round in 0..10 {
        let (_d, accounts, _) = accounts().await;
        for name in ["ana", "ben"] {
            accounts
                .create(name, Role::Commander, "long enough pass")
                .await
                .unwrap();
        }
        // Each steps the other down at the same moment (one by role, one by disabling).
        let (demote, disable) = (
            patch(Some(Role::Responder), None, None),
            patch(None, Some(true), None),
        );
        let (a, b) = tokio::join!(
            accounts.update("ana", &demote),
            accounts.update("ben", &disable),
        );
        let refused = [&a, &b]
            .iter()
            .filter(|r| matches!(r, Err(AccountError::LastCommander(_))))
            .count();
        assert_eq!(refused, 1, "round {round}: {a:?} / {b:?}");
        let active_commanders = accounts
            .list()
            .await
            .unwrap()
            .iter()
            .filter(|u| u.role == Role::Commander && !u.disabled)
            .count();
        assert_eq!(active_commanders, 1);
    }
}
