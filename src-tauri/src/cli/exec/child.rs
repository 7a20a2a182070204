//! The command `exec` runs, and its exit status as a shell reports it. The platform's part
//! is here alone.
//!
//! While the command runs, OAuth Desk waits for it and stays: an interrupt or quit from the
//! terminal reaches the whole foreground group, the command included, so OAuth Desk lets
//! the command decide and reports how it ended (as `system(3)` does); a terminate or hang-up
//! sent to OAuth Desk alone is passed on to the command.

use std::io;
use std::process::{Command, ExitStatus};

/// Runs `program` with `args`, `set` added to its environment and `unset` removed; returns
/// its exit status (128+N when signal N ended it). An error: it could not be started.
pub fn run(program: &str, args: &[String], set: &[(String, String)], unset: &[String]) -> io::Result<i32> {
    let mut command = Command::new(program);
    command.args(args);
    for var in unset {
        command.env_remove(var);
    }
    command.envs(set.iter().map(|(k, v)| (k, v)));
    let child = command.spawn()?;
    let status = wait(child)?;
    Ok(code(status))
}

#[cfg(unix)]
fn wait(mut child: std::process::Child) -> io::Result<ExitStatus> {
    use nix::sys::signal::{kill, Signal};
    use nix::unistd::Pid;
    use tokio::signal::unix::{signal, SignalKind};

    let pid = i32::try_from(child.id()).ok().map(Pid::from_raw);
    let waited = super::super::block_on(async move {
        // Listening takes the signal's default action (ending OAuth Desk) away.
        let mut interrupt = signal(SignalKind::interrupt())?;
        let mut quit = signal(SignalKind::quit())?;
        let mut terminate = signal(SignalKind::terminate())?;
        let mut hangup = signal(SignalKind::hangup())?;
        let waiting = tokio::task::spawn_blocking(move || child.wait());
        tokio::pin!(waiting);
        let pass = |sig: Signal| {
            if let Some(pid) = pid {
                let _ = kill(pid, sig);
            }
        };
        loop {
            tokio::select! {
                status = &mut waiting => return status.map_err(io::Error::other)?,
                _ = terminate.recv() => pass(Signal::SIGTERM),
                _ = hangup.recv() => pass(Signal::SIGHUP),
                _ = interrupt.recv() => {}
                _ = quit.recv() => {}
            }
        }
    });
    waited.map_err(|e| io::Error::other(e.to_string()))?
}

#[cfg(not(unix))]
fn wait(mut child: std::process::Child) -> io::Result<ExitStatus> {
    child.wait()
}

/// The exit status as a shell gives it: the code, or 128+N for signal N.
fn code(status: ExitStatus) -> i32 {
    if let Some(c) = status.code() {
        return c;
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(sig) = status.signal() {
            return 128 + sig;
        }
    }
    1
}
