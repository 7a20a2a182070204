//! The test scenarios (src/standin) as a program, for the end-to-end tests, which drive the
//! window from Node: listens on 127.0.0.1 (PORT, or any free port), prints `READY <port>`,
//! and stops when its standard input closes (or on SIGTERM). SALESFORCE_CERTS names a PEM file
//! of the certificates "uploaded" to its Salesforce app (JWT bearer assertions they verify are
//! accepted).

use oauthdesk_sandbox::standin::{Options, StandIn};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let port = std::env::var("PORT").ok().and_then(|p| p.parse().ok()).unwrap_or(0);
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    let salesforce_certs = match std::env::var_os("SALESFORCE_CERTS") {
        Some(path) => std::fs::read_to_string(path)?,
        None => String::new(),
    };
    let standin = rt.block_on(StandIn::start(Options { port, salesforce_certs, ..Options::default() }))?;
    println!("READY {}", standin.port());
    // Whatever arrives is read and dropped; the end of the input is the signal to stop.
    let _ = std::io::copy(&mut std::io::stdin().lock(), &mut std::io::sink());
    drop(standin);
    Ok(())
}
