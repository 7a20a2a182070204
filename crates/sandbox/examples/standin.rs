//! The test scenarios (src/standin) as a program, for the end-to-end tests, which drive the
//! window from Node: listens on 127.0.0.1 (PORT, or any free port), prints `READY <port>`,
//! and stops when its standard input closes (or on SIGTERM).

use oauthdesk_sandbox::standin::{Options, StandIn};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let port = std::env::var("PORT").ok().and_then(|p| p.parse().ok()).unwrap_or(0);
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    let standin = rt.block_on(StandIn::start(Options { port, ..Options::default() }))?;
    println!("READY {}", standin.port());
    // Whatever arrives is read and dropped; the end of the input is the signal to stop.
    let _ = std::io::copy(&mut std::io::stdin().lock(), &mut std::io::sink());
    drop(standin);
    Ok(())
}
