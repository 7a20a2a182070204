//! Test all's results stand for each connection until something newer happens: a token
//! obtained since makes a row old as "connected", any other attempt as "an attempt", and a
//! row is left as it was when nothing happened since or its profile is gone.

use crate::desk::test_support::{desk, profile, serve};
use crate::model::{Fields, Newer};
use crate::template;
use crate::Stamped;

#[tokio::test]
async fn a_test_all_row_is_made_old_only_by_what_happened_to_its_own_profile_after_it() {
    let (_dir, desk) = desk();
    let base = serve(|_| r#"{"access_token":"t","token_type":"Bearer","expires_in":3600}"#.to_string()).await;
    let cc = template::find("client-credentials").unwrap();
    // Three working profiles and one whose provider cannot be reached.
    for h in ["works", "reconnected", "removed"] {
        desk.create(profile(cc, h, &base, &Fields::new())).unwrap();
    }
    desk.create(profile(cc, "unreachable", "http://127.0.0.1:9", &Fields::new())).unwrap();

    let all = desk.test_all(&[], 4, |_, _| {}).await.unwrap();
    let shown: Vec<Stamped> = all.results.iter().map(|r| Stamped { handle: r.handle.clone(), at: r.at }).collect();
    assert_eq!(shown.len(), 4);
    assert_eq!(desk.newer_of(&shown).unwrap(), vec![None; 4], "a fresh result is not old: its own attempts came before it");

    // After the run: one profile connects again, the unreachable one is tried again, one is removed.
    desk.connect("reconnected", true).await.unwrap();
    assert!(desk.connect("unreachable", true).await.is_err());
    desk.remove("removed").unwrap();

    let newer = desk.newer_of(&shown).unwrap();
    let of = |h: &str| newer[shown.iter().position(|s| s.handle == h).unwrap()];
    assert_eq!(of("works"), None, "nothing happened to it since");
    assert_eq!(of("reconnected"), Some(Newer::Connected));
    assert_eq!(of("unreachable"), Some(Newer::Attempt));
    assert_eq!(of("removed"), None, "a removed profile's row is left as it was");
}
