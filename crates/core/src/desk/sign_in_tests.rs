//! One sign-in for every template: the grant's capabilities decide what the caller is asked
//! to show; and one registry cancels any wait by its profile.

use std::time::Duration;

use super::test_support::{desk, profile, serve};
use super::SignInStart;
use crate::error::{Error, Need};
use crate::model::Fields;
use crate::template;

/// What `sign_in` asked the caller to show, in words a test compares.
#[derive(Debug, PartialEq)]
enum Shown {
    Nothing,
    Browser,
    Device,
}

#[tokio::test]
async fn every_template_signs_in_as_its_grant_says_and_each_sign_in_is_cancelled_by_its_profile() {
    let device_answer = |_: &str| {
        serde_json::json!({
            "device_code": "dc", "user_code": "UC-1", "verification_uri": "https://example.com/device",
            "expires_in": 600, "interval": 5,
        })
        .to_string()
    };
    let base = serve(device_answer).await;
    let (_dir, desk) = desk();
    for (i, t) in template::all().iter().enumerate() {
        let handle = format!("p{i}");
        desk.create(profile(t, &handle, &base, &Fields::new())).unwrap();
        let mut shown = Shown::Nothing;
        let result = desk
            .sign_in(&handle, Duration::from_secs(20), |start| {
                shown = match start {
                    SignInStart::Browser(_) => Shown::Browser,
                    SignInStart::Device(s) => {
                        assert_eq!(s.user_code, "UC-1");
                        Shown::Device
                    }
                };
                // The person gives up as soon as the page or the code is shown.
                assert!(desk.cancel(&handle), "{}: the sign-in waits under its profile", t.id);
            })
            .await;
        let (expected, end) = match (t.flow.signs_in(), t.flow.polls()) {
            (false, _) => (Shown::Nothing, "not ready"),
            (true, false) => (Shown::Browser, "cancelled"),
            (true, true) => (Shown::Device, "cancelled"),
        };
        assert_eq!(shown, expected, "{}", t.id);
        match (end, result) {
            ("not ready", Err(Error::NotReady { need: Need::NoSignIn, .. })) | ("cancelled", Err(Error::Cancelled)) => {}
            (_, other) => panic!("{}: expected {end}, got {other:?}", t.id),
        }
        assert!(!desk.cancel(&handle), "{}: nothing waits once the sign-in has ended", t.id);
    }
}

#[tokio::test]
async fn a_newer_wait_for_a_profile_cancels_the_older_and_outlives_its_end() {
    let (_dir, desk) = desk();
    let forever = || async { std::future::pending::<crate::Result<()>>().await };
    let older = desk.cancellable("p", forever());
    tokio::pin!(older);
    // The older wait registers when first polled.
    assert!(tokio::time::timeout(Duration::from_millis(20), &mut older).await.is_err());
    let newer = desk.cancellable("p", forever());
    tokio::pin!(newer);
    assert!(tokio::time::timeout(Duration::from_millis(20), &mut newer).await.is_err());
    assert!(matches!(older.await, Err(Error::Cancelled)), "the older wait is cancelled by the newer");
    // The older's end leaves the newer's entry: Cancel still reaches it.
    assert!(desk.cancel("p"));
    assert!(matches!(newer.await, Err(Error::Cancelled)));
    // A wait for another profile is another entry; one that ends by itself leaves none.
    assert_eq!(desk.cancellable("q", async { Ok(7) }).await.unwrap(), 7);
    assert!(!desk.cancel("q") && !desk.cancel("p"));
}
