//! Plain HTTP requests of the tests' own (what a browser or an admin does to a server while
//! a test runs), each on a small runtime of its own. They play someone else than OAuth Desk,
//! so they do not go through its gate.
#![allow(clippy::disallowed_methods)]

use std::time::Duration;

fn run<T>(f: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(f)
}

fn client() -> reqwest::Client {
    reqwest::Client::builder().timeout(Duration::from_secs(20)).build().unwrap()
}

async fn text(response: reqwest::Response) -> (u16, String) {
    let status = response.status().as_u16();
    (status, response.text().await.unwrap_or_default())
}

/// GET `url`, following redirects: the status and the body.
pub fn get(url: &str) -> (u16, String) {
    run(async { text(client().get(url).send().await.unwrap()).await })
}

/// POST a form to `url` as the client `basic` (id and secret, in HTTP Basic): the status and
/// the body.
pub fn post_form(url: &str, basic: Option<(&str, &str)>, form: &[(&str, &str)]) -> (u16, String) {
    run(async {
        let mut request = client().post(url).form(form);
        if let Some((id, secret)) = basic {
            request = request.basic_auth(id, Some(secret));
        }
        text(request.send().await.unwrap()).await
    })
}

/// Opens `url` as a browser would, in the background, following redirects (to the loopback
/// address a sign-in waits on), whatever comes of it.
pub fn browse(url: &str) {
    let url = url.to_string();
    std::thread::spawn(move || run(async { client().get(&url).send().await.map(|_| ()) }));
}
