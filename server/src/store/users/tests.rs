use wire::Role;

use super::*;

async fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).await.unwrap();
    (dir, store)
}

#[tokio::test]
async fn add_list_and_verify_with_argon2id() {
    let (_d, store) = store().await;
    store
        .add_user("ada", Role::Commander, "correct horse battery")
        .await
        .unwrap();
    let users = store.list_users().await.unwrap();
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
    let (_d, store) = store().await;
    assert!(matches!(
        store
            .add_user("a b", Role::Responder, "long enough pass")
            .await,
        Err(UserError::BadName)
    ));
    assert!(matches!(
        store.add_user("bob", Role::Responder, "short").await,
        Err(UserError::WeakPassword)
    ));
    store
        .add_user("bob", Role::Responder, "long enough pass")
        .await
        .unwrap();
    assert!(matches!(
        store
            .add_user("Bob", Role::Responder, "long enough pass")
            .await,
        Err(UserError::Exists(_))
    ));
    assert!(matches!(
        store.set_role("nobody", Role::Commander).await,
        Err(UserError::NoSuchUser(_))
    ));
}

#[tokio::test]
async fn disabling_or_a_new_password_voids_sessions() {
    let (_d, store) = store().await;
    store
        .add_user("cy", Role::Stakeholder, "long enough pass")
        .await
        .unwrap();
    let epoch = |s: &Store| {
        let s = s.clone();
        async move { s.credentials("cy").await.unwrap().unwrap().session_epoch }
    };
    let e0 = epoch(&store).await;
    store.set_password("cy", "another long pass").await.unwrap();
    let e1 = epoch(&store).await;
    assert!(e1 > e0);
    store.set_role("cy", Role::Responder).await.unwrap();
    store.disable_user("cy").await.unwrap();
    let c = store.credentials("cy").await.unwrap().unwrap();
    assert!(c.session_epoch > e1 && c.info.disabled);
    assert_eq!(c.info.role, Role::Responder);
}

#[tokio::test]
async fn users_survive_reopening_the_file() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = Store::open(dir.path()).await.unwrap();
        store
            .add_user("dee", Role::Responder, "long enough pass")
            .await
            .unwrap();
        store.pool().close().await;
    }
    let store = Store::open(dir.path()).await.unwrap();
    assert_eq!(store.count_users().await.unwrap(), 1);
}
