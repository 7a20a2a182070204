//! `agent start|stop|status|install|run`: the background agent that keeps every profile's
//! token fresh with the window closed and hands tokens to the command line
//! ([`crate::agent`]). `start` runs it detached from the terminal; `run` in the foreground
//! (what `start` and the systemd user unit run); `install` writes (and, when a user manager
//! runs, enables) that unit. The agent needs no systemd.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use clap::Subcommand;
use oauthdesk_core::{Desk, Error};
use serde_json::{json, Value};

use super::{emit_err, Out};
use crate::agent::client::Client;
use crate::error::AppResult;

/// How long `start` waits for the agent to answer, and `stop` for it to be gone.
const SETTLE: Duration = Duration::from_secs(15);

/// `agent status` when no agent runs (as `systemctl status` says it).
pub const NOT_RUNNING: i32 = 3;

#[derive(Subcommand, Debug)]
pub enum AgentCommand {
    /// Start the agent in the background (nothing happens when it already runs)
    Start,
    /// Stop the agent, once a renewal under way has ended
    Stop,
    /// What the agent renews and when next; exit 3 when it does not run
    Status,
    /// Write a systemd user unit that runs the agent at login, and enable it
    Install,
    /// Run the agent in the foreground (what start and the systemd unit run)
    Run,
}

/// Runs `cmd`; `desk` opens the store (only `run` needs it).
pub fn agent(data_dir: &Path, out: &Out, cmd: AgentCommand, desk: impl FnOnce() -> AppResult<Desk>) -> AppResult<i32> {
    let client = Client::for_store(data_dir);
    match cmd {
        AgentCommand::Run => {
            crate::agent::run(desk()?, data_dir)?;
            Ok(0)
        }
        AgentCommand::Start => start(data_dir, out, &client),
        AgentCommand::Stop => stop(out, &client),
        AgentCommand::Status => status(out, &client),
        AgentCommand::Install => install(data_dir, out),
    }
}

fn start(data_dir: &Path, out: &Out, client: &Client) -> AppResult<i32> {
    if let Ok(s) = client.status() {
        out.print(&json!({ "started": false, "running": true, "pid": s.get("pid") }), || {
            format!("The agent already runs (process {}).", s.get("pid").cloned().unwrap_or_default())
        });
        return Ok(0);
    }
    let exe = std::env::current_exe()?;
    let mut command = std::process::Command::new(exe);
    command
        .arg("--data-dir")
        .arg(data_dir)
        .args(["agent", "run"])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    // Its own process group: the terminal's Ctrl-C and hang-up do not reach it.
    std::os::unix::process::CommandExt::process_group(&mut command, 0);
    let mut child = command.spawn()?;
    let began = Instant::now();
    while began.elapsed() < SETTLE {
        if let Ok(s) = client.status() {
            out.print(&json!({ "started": true, "running": true, "pid": s.get("pid"), "socket": client.socket() }), || {
                format!("The agent runs (process {}), listening on {}.", child.id(), client.socket().display())
            });
            return Ok(0);
        }
        if let Ok(Some(status)) = child.try_wait() {
            return Err(Error::Internal(format!("the agent stopped at once ({status}); the log in the data directory says why")).into());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Err(Error::Internal(format!("the agent did not answer within {} s", SETTLE.as_secs())).into())
}

fn stop(out: &Out, client: &Client) -> AppResult<i32> {
    if client.status().is_err() {
        out.print(&json!({ "stopped": false, "running": false }), || "No agent runs for this store.".into());
        return Ok(0);
    }
    client.stop()?;
    let began = Instant::now();
    while client.status().is_ok() {
        if began.elapsed() > SETTLE {
            return Err(Error::Internal(format!("the agent still answers after {} s", SETTLE.as_secs())).into());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    out.print(&json!({ "stopped": true, "running": false }), || "The agent stopped.".into());
    Ok(0)
}

fn status(out: &Out, client: &Client) -> AppResult<i32> {
    let Ok(mut s) = client.status() else {
        out.print(&json!({ "running": false, "profiles": [] }), || "No agent runs for this store.".into());
        return Ok(NOT_RUNNING);
    };
    if let Some(map) = s.as_object_mut() {
        map.remove("ok");
        map.insert("running".into(), Value::Bool(true));
    }
    out.print(&s, || status_text(&s));
    Ok(0)
}

fn status_text(s: &Value) -> String {
    let mut text = format!(
        "The agent runs (process {}), renewing every {} s.\n",
        s.get("pid").cloned().unwrap_or_default(),
        s.get("round_secs").cloned().unwrap_or_default()
    );
    let profiles = s.get("profiles").and_then(Value::as_array).cloned().unwrap_or_default();
    if profiles.is_empty() {
        text.push_str("No token to renew yet (a profile's token is kept fresh once it has one).\n");
    }
    for p in &profiles {
        let field = |k: &str| p.get(k).and_then(Value::as_str).unwrap_or("").to_string();
        text.push_str(&format!("{:<24} next renewal {}  (expires {})", field("handle"), field("next_renewal"), field("expires_at")));
        if let Some(e) = p.get("last_error").and_then(Value::as_str) {
            text.push_str(&format!("\n    last renewal failed: {e}"));
        }
        text.push('\n');
    }
    text
}

/// The unit's name for the store in `data_dir`: one per store, the default store's plain.
fn unit_name(data_dir: &Path) -> String {
    let id = crate::paths::instance_id(data_dir);
    match id.rsplit_once(".d") {
        Some((_, suffix)) if id.starts_with("dev.oauthdesk.app.d") => format!("oauthdesk-agent-{suffix}.service"),
        _ => "oauthdesk-agent.service".to_string(),
    }
}

/// The user units' folder (`$XDG_CONFIG_HOME/systemd/user`).
fn unit_dir() -> Option<PathBuf> {
    dirs::config_dir().map(|d| d.join("systemd").join("user"))
}

/// The unit: the agent of this store, restarted if it fails, started at login.
fn unit_text(exe: &Path, data_dir: &Path) -> String {
    format!(
        "[Unit]\nDescription=OAuth Desk agent: keeps OAuth tokens fresh\nDocumentation=man:oauthdesk(1)\n\n\
         [Service]\nType=simple\nExecStart=\"{}\" --data-dir \"{}\" agent run\nRestart=on-failure\nRestartSec=5\n\n\
         [Install]\nWantedBy=default.target\n",
        exe.display(),
        data_dir.display()
    )
}

fn install(data_dir: &Path, out: &Out) -> AppResult<i32> {
    let dir = unit_dir().ok_or_else(|| Error::Internal("no configuration directory (HOME is not set)".into()))?;
    std::fs::create_dir_all(&dir)?;
    let exe = std::env::current_exe()?;
    let data_dir = std::fs::canonicalize(data_dir).unwrap_or_else(|_| data_dir.to_path_buf());
    let name = unit_name(&data_dir);
    let path = dir.join(&name);
    std::fs::write(&path, unit_text(&exe, &data_dir))?;
    let systemctl = |args: &[&str]| {
        std::process::Command::new("systemctl")
            .arg("--user")
            .args(args)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .output()
    };
    let enabled =
        systemctl(&["daemon-reload"]).and_then(|o| if o.status.success() { systemctl(&["enable", "--now", &name]) } else { Ok(o) });
    match enabled {
        Ok(o) if o.status.success() => {
            out.print(&json!({ "unit": path, "enabled": true }), || {
                format!("Wrote {} and enabled it: the agent runs now and at every login.", path.display())
            });
            Ok(0)
        }
        failed => {
            let why = match failed {
                Ok(o) => String::from_utf8_lossy(&o.stderr).lines().next().unwrap_or("").trim().to_string(),
                Err(e) => format!("systemctl cannot be run: {e}"),
            };
            out.print(&json!({ "unit": path, "enabled": false, "reason": why }), String::new);
            emit_err(&format!(
                "oauthdesk: wrote {}, but no systemd user manager runs here to enable it ({why}); \
                 start the agent with `oauthdesk agent start` instead (it needs no systemd)\n",
                path.display()
            ));
            Ok(1)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_unit_runs_this_stores_agent() {
        let text = unit_text(Path::new("/usr/bin/oauthdesk"), Path::new("/home/a/.local/share/oauthdesk"));
        assert!(text.contains("ExecStart=\"/usr/bin/oauthdesk\" --data-dir \"/home/a/.local/share/oauthdesk\" agent run\n"));
        assert!(text.contains("WantedBy=default.target"));
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        assert_ne!(unit_name(a.path()), unit_name(b.path()), "one unit per store");
        assert!(unit_name(a.path()).starts_with("oauthdesk-agent-") && unit_name(a.path()).ends_with(".service"));
    }
}
