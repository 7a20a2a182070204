//! The headless command line: `oauthdesk <command>`. Parsing is clap's; each subcommand calls
//! the same core function as the window and renders the result as text or, with `--json`, as
//! JSON on standard output. Errors are one line on stderr (and an object with `--json`).

#[cfg(unix)]
mod agent;
mod authorize;
mod connect;
mod credential;
mod diagnose;
mod exec;
mod keys;
mod profiles;
mod radar;
mod replay;
mod sandbox;
mod team;
mod team_ci;

use std::path::PathBuf;
use std::sync::Arc;

use clap::{Parser, Subcommand};
use oauthdesk_core::{Desk, ErrorCode, ErrorPayload, MemorySecrets, Need};
use serde::Serialize;

use crate::error::{AppError, AppResult};
use crate::settings::Settings;
use crate::{logging, paths};

#[derive(Parser, Debug)]
#[command(
    name = "oauthdesk",
    version,
    about = "OAuth Desk: set up, test and diagnose OAuth 2.0 connections.",
    long_about = "OAuth Desk: set up, test and diagnose OAuth 2.0 connections.\n\nWith no arguments, opens the window. With a command, runs headless.",
    after_help = "Exit status: 0 on success, 2 for bad input (the message names the field), 1 for other failures."
)]
pub struct Cli {
    /// Where the store and logs live [default: the platform's data directory]
    #[arg(long, global = true, value_name = "DIR", env = paths::DATA_DIR_ENV)]
    pub data_dir: Option<PathBuf>,

    /// Print machine-readable JSON on standard output
    #[arg(long, global = true)]
    pub json: bool,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// List the templates and their fields
    Templates {
        /// Also the legacy templates (the password grant)
        #[arg(long)]
        all: bool,
    },
    /// Create a profile from a template
    Add(profiles::AddArgs),
    /// List the profiles
    List,
    /// Show one profile (secrets only as "set" or "not set")
    Show {
        /// The profile's handle
        handle: String,
    },
    /// Change a profile's label, fields or secret (the handle never changes)
    Edit(profiles::EditArgs),
    /// Remove a profile and its secret
    Remove {
        /// The profile's handle
        handle: String,
    },
    /// Write profiles as JSON, without secrets (all profiles when no handle is given)
    Export {
        /// Handles of the profiles to export
        handles: Vec<String>,
        /// Write to this file instead of standard output
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Add the profiles of an export file (all or none); `-` reads standard input
    Import {
        /// The export file
        file: PathBuf,
    },
    /// Print an access token (cached while it has time left, else a new exchange)
    Token(connect::TokenArgs),
    /// Get a token and call the profile's test (me) URL with it
    Test(connect::TestArgs),
    /// Sign in for an authorization-code profile (browser, loopback redirect, PKCE)
    Authorize(authorize::AuthorizeArgs),
    /// Revoke a profile's tokens at the provider (RFC 7009) and forget them
    Revoke {
        /// The profile's handle
        handle: String,
    },
    /// Read an issuer's metadata (.well-known) and optionally fill a profile's URLs
    Discover(authorize::DiscoverArgs),
    /// Check every stage of a profile's connection and name the cause and the fix
    Diagnose(diagnose::DiagnoseArgs),
    /// A profile's key and certificate: generate, import, show, export-cert, remove
    #[command(subcommand)]
    Key(keys::KeyCommand),
    /// A profile's extra certificate authorities: import, show, remove
    #[command(subcommand)]
    Ca(keys::CaCommand),
    /// Show the assertion a profile would send (header and claims, decoded; no signature)
    Assertion(keys::AssertionArgs),
    /// Explain a pasted error (text, JSON, an HTTP response or curl -i output) without a profile
    Explain(diagnose::ExplainArgs),
    /// Diagnose a case file again, offline: a local player on 127.0.0.1 answers as the
    /// recorded servers did (no credential needed, nothing sent to the recorded hosts)
    Replay(replay::ReplayArgs),
    /// Make a new data key and seal every stored secret and token again under it
    Rekey {
        /// When the keyring's data key for this store is gone: start over with a new key,
        /// dropping every secret, token and private key sealed under the lost one (they
        /// cannot be recovered afterwards, even if the old key's keyring item is found)
        #[arg(long)]
        discard_unreadable: bool,
    },
    /// Show a profile's recent attempts (token, introspection, test)
    History {
        /// The profile's handle
        handle: String,
        /// How many attempts to show
        #[arg(long, default_value_t = 20)]
        limit: usize,
    },
    /// List the profiles a dated provider change or a known limit will break, with the date,
    /// why and the fix; exit 0 when none, 3 when some
    Radar,
    /// Profiles as code: a team folder in Git holds one file per profile (never a secret);
    /// init, sync and export it
    #[command(subcommand)]
    Team(team::TeamCommand),
    /// Run a local OAuth 2.0 provider on 127.0.0.1 to try OAuth Desk and practise diagnosing
    /// failures; prints `ready <issuer URL>` first, then its demo clients
    Sandbox(sandbox::SandboxArgs),
    /// Run a command with profiles' tokens in its environment (only there); exits with its status
    Exec(exec::ExecArgs),
    /// A profile's token for other programs: Git's credential helper, kubectl's credential plugin
    #[command(subcommand)]
    Credential(credential::CredentialCommand),
    /// The background agent that keeps tokens fresh with the window closed and hands them to
    /// the command line: start, stop, status, install (a systemd user unit)
    #[cfg(unix)]
    #[command(subcommand)]
    Agent(agent::AgentCommand),
}

impl Command {
    /// The team folder of `test --all --team DIR`: a run that keeps nothing and uses no keyring.
    fn team_health_dir(&self) -> Option<&std::path::Path> {
        match self {
            Command::Test(a) => a.team.as_deref(),
            _ => None,
        }
    }

    /// Whether the command reads or writes the keyring (so its session is opened early).
    fn uses_secrets(&self) -> bool {
        match self {
            Command::Add(_) | Command::Edit(_) | Command::Remove { .. } => true,
            Command::Token(_) | Command::Test(_) | Command::Authorize(_) | Command::Revoke { .. } => true,
            Command::Diagnose(_) => true,
            Command::Discover(a) => a.apply,
            Command::Templates { .. } | Command::List | Command::Show { .. } | Command::Export { .. } => false,
            Command::Explain(_) | Command::Replay(_) => false,
            Command::Key(_) | Command::Assertion(_) => true,
            Command::Ca(_) => false,
            Command::Import { .. } | Command::History { .. } | Command::Radar => false,
            Command::Rekey { .. } => true,
            Command::Sandbox(a) => a.profiles,
            // An export reads each profile's own secret, so a field that repeats it is refused.
            Command::Team(cmd) => matches!(cmd, team::TeamCommand::Export(_)),
            Command::Exec(_) | Command::Credential(_) => true,
            #[cfg(unix)]
            Command::Agent(cmd) => matches!(cmd, agent::AgentCommand::Run),
        }
    }
}

/// Parses the arguments, runs the command, and returns the exit code.
pub fn run() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return e.exit_code();
        }
    };
    // Before anything is written: a bad setting changes nothing.
    let settings = match Settings::from_env() {
        Ok(settings) => settings,
        Err(e) => return report(&e, cli.json),
    };
    settings.apply();
    // A team's health check keeps nothing: its store (and its log) live in a temporary folder
    // removed when the run ends, after the log below is closed.
    let throwaway = match cli.command.team_health_dir().map(|_| tempfile::Builder::new().prefix("oauthdesk-team-").tempdir()).transpose() {
        Ok(dir) => dir,
        Err(e) => return report(&e.into(), cli.json),
    };
    let data_dir = match &throwaway {
        Some(dir) => dir.path().to_path_buf(),
        None => paths::data_dir(cli.data_dir.as_deref()),
    };
    let log = logging::init(&data_dir, logging::Mode::Cli, settings.log);
    let json = cli.json;
    let code = match dispatch(cli, &data_dir, &settings) {
        Ok(code) => code,
        Err(e) => report(&e, json),
    };
    drop(log);
    drop(throwaway);
    code
}

/// Runs the command; returns the exit code for commands whose result is a verdict.
fn dispatch(cli: Cli, data_dir: &std::path::Path, settings: &Settings) -> AppResult<i32> {
    let out = Out { json: cli.json };
    match cli.command {
        Command::Templates { all } => return profiles::templates(&out, all).map(|()| 0),
        Command::Explain(args) => return diagnose::explain(&out, args),
        Command::Replay(args) => return replay::replay(&out, args),
        Command::Sandbox(args) if !args.profiles => return sandbox::run(None, &out, args),
        _ => {}
    }
    if let (Command::Test(args), Some(dir)) = (&cli.command, cli.command.team_health_dir()) {
        // No keyring: the store's key lives in this process's memory only, and no D-Bus or
        // keyring session is ever opened.
        let desk = Desk::open(data_dir, Arc::new(MemorySecrets::default()))?;
        return team_ci::run(&desk, &out, dir, args);
    }
    let keyring = settings.keyring();
    #[cfg(unix)]
    let broker = crate::agent::client::Client::for_store(data_dir);
    #[cfg(unix)]
    if let Command::Agent(cmd) = cli.command {
        let open = move || -> AppResult<Desk> {
            keyring.prepare();
            Ok(Desk::open(data_dir, Arc::new(keyring))?)
        };
        return agent::agent(data_dir, &out, cmd, open);
    }
    // A running agent answers `token` without this process opening the keyring or the store.
    #[cfg(unix)]
    if let Command::Token(args) = &cli.command {
        use oauthdesk_core::TokenBroker as _;
        if let Some(t) = broker.token(&args.handle, None, args.force, oauthdesk_core::margin_secs(args.margin)) {
            connect::print_token(&out, &t, || t.access_token.expose().to_string());
            return Ok(0);
        }
    }
    if cli.command.uses_secrets() {
        keyring.prepare();
    }
    let desk = Desk::open(data_dir, Arc::new(keyring))?;
    // Every token handed out (`exec`, the credential helpers) is asked of the agent first.
    #[cfg(unix)]
    desk.use_broker(Arc::new(broker));
    match cli.command {
        Command::Diagnose(args) => return diagnose::diagnose(&desk, &out, args),
        Command::Sandbox(args) => return sandbox::run(Some(&desk), &out, args),
        _ => {}
    }
    let done = match cli.command {
        Command::Templates { .. } | Command::Explain(_) | Command::Replay(_) | Command::Diagnose(_) | Command::Sandbox(_) => {
            unreachable!("handled above")
        }
        #[cfg(unix)]
        Command::Agent(_) => unreachable!("handled above"),
        Command::Add(args) => profiles::add(&desk, &out, args),
        Command::List => profiles::list(&desk, &out),
        Command::Show { handle } => profiles::show(&desk, &out, &handle),
        Command::Edit(args) => profiles::edit(&desk, &out, args),
        Command::Remove { handle } => profiles::remove(&desk, &out, &handle),
        Command::Export { handles, output } => profiles::export(&desk, &handles, output),
        Command::Import { file } => profiles::import(&desk, &out, &file),
        Command::Token(args) => connect::token(&desk, &out, args),
        Command::Test(args) => return connect::test(&desk, &out, args),
        Command::Exec(args) => return exec::exec(&desk, args),
        Command::Credential(cmd) => return credential::credential(&desk, cmd),
        Command::Radar => return radar::radar(&desk, &out),
        Command::Team(cmd) => return team::team(&desk, &out, cmd),
        Command::Authorize(args) => authorize::authorize(&desk, &out, args),
        Command::Revoke { handle } => authorize::revoke(&desk, &out, &handle),
        Command::Discover(args) => authorize::discover(&desk, &out, args),
        Command::History { handle, limit } => connect::history(&desk, &out, &handle, limit),
        Command::Rekey { discard_unreadable } => profiles::rekey(&desk, &out, discard_unreadable),
        Command::Key(cmd) => keys::key(&desk, &out, cmd),
        Command::Ca(cmd) => keys::ca(&desk, &out, cmd),
        Command::Assertion(args) => keys::assertion(&desk, &out, args),
    };
    done.map(|()| 0)
}

/// Prints an error (one line on stderr; an object on stdout with `--json`) and picks the exit code.
fn report(e: &AppError, json: bool) -> i32 {
    if json {
        #[derive(Serialize)]
        struct Failure {
            ok: bool,
            #[serde(flatten)]
            error: ErrorPayload,
        }
        let failure = crate::shown::json_for_terminal(&Failure { ok: false, error: e.payload() });
        emit(&format!("{}\n", failure.and_then(|f| serde_json::to_string_pretty(&f)).unwrap_or_default()));
    }
    emit_err(&format!("oauthdesk: {e}{}\n", advice(&e.payload())));
    e.exit_code()
}

/// How to give, on the command line, what an error says is missing. The core only says
/// what is missing; the window gives its own advice for the same `need`.
fn advice(p: &ErrorPayload) -> String {
    match (p.need, p.handle.as_deref()) {
        (Some(Need::ClientSecret), Some(h)) => format!("; set it with: oauthdesk edit {h} --secret-stdin"),
        (Some(Need::SignIn), Some(h)) => format!(": sign in with `oauthdesk authorize {h}`"),
        (Some(Need::NoSignIn), Some(h)) => format!(", use `oauthdesk token {h}`"),
        (Some(Need::Key), Some(h)) => {
            format!("; make one with `oauthdesk key generate {h}` (and upload its certificate) or `oauthdesk key import {h} FILE`")
        }
        (Some(Need::DataKey), _) => "; put the keyring item back (everything opens again), or start over with a new key with \
             `oauthdesk rekey --discard-unreadable` (drops every secret, token and private key sealed under the lost one)"
            .into(),
        (Some(Need::SecretSource), Some(h)) => format!(
            "; put the source right (`oauthdesk diagnose {h}` names the cause), or point the profile elsewhere with: oauthdesk edit {h} --set {}=REF",
            p.field.as_deref().unwrap_or("secret_ref")
        ),
        (Some(Need::ConfirmOrigin), Some(h)) => {
            format!("; if you made or expected the change, confirm it with: oauthdesk edit {h} --confirm-origins (`oauthdesk show {h}` lists it)")
        }
        _ if p.code == ErrorCode::InvalidInput && p.field.as_deref() == Some("client_secret") => {
            " (on the command line, pass it on standard input with --secret-stdin)".into()
        }
        _ => String::new(),
    }
}

/// Writes to standard output, as every command's output is written: every secret the
/// process knows redacted, and no control sequence (see [`crate::shown`]). A reader that
/// went away (`oauthdesk list | head`) ends the command at once and quietly, with status 0,
/// as ripgrep and others do: there is no one left to tell.
pub(crate) fn emit(text: &str) {
    write_out(&crate::shown::for_terminal(text));
}

/// Writes the secret a command was asked for (`token`): control sequences removed, nothing
/// redacted. The one way a secret reaches standard output.
pub(crate) fn emit_secret(text: &str) {
    write_out(&crate::shown::strip_controls(text));
}

fn write_out(text: &str) {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        emit_err(&format!("oauthdesk: cannot write to standard output: {e}\n"));
    }
}

/// Writes to standard error, as [`emit`] does to standard output.
pub(crate) fn emit_err(text: &str) {
    use std::io::Write as _;
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(crate::shown::for_terminal(text).as_bytes()).and_then(|()| err.flush());
}

/// How results are printed.
pub(crate) struct Out {
    pub json: bool,
}

impl Out {
    /// Prints `value` as JSON in JSON mode, or the text `text` renders otherwise; both
    /// redacted and without control sequences.
    pub fn print<T: Serialize>(&self, value: &T, text: impl FnOnce() -> String) {
        if self.json {
            self.print_json(crate::shown::json_for_terminal(value), emit);
        } else {
            let t = text();
            if !t.is_empty() {
                emit(&format!("{}\n", t.trim_end()));
            }
        }
    }

    /// [`Out::print`] for the output that is the secret asked for (a token): nothing in it is
    /// redacted, control sequences are still removed.
    pub fn print_secret<T: Serialize>(&self, value: &T, text: impl FnOnce() -> String) {
        if self.json {
            self.print_json(crate::shown::secret_json_for_terminal(value), emit_secret);
        } else {
            let t = text();
            if !t.is_empty() {
                emit_secret(&format!("{}\n", t.trim_end()));
            }
        }
    }

    fn print_json(&self, value: serde_json::Result<serde_json::Value>, write: fn(&str)) {
        match value.and_then(|v| serde_json::to_string_pretty(&v)) {
            Ok(text) => write(&format!("{text}\n")),
            // Only a map with non-string keys fails, which no output type has.
            Err(e) => emit(&format!("{}\n", serde_json::json!({ "ok": false, "code": "internal", "message": e.to_string() }))),
        }
    }
}

/// Whether a person is at the terminal to answer a question (standard input and error are
/// both terminals).
pub(crate) fn interactive() -> bool {
    use std::io::IsTerminal;
    std::io::stdin().is_terminal() && std::io::stderr().is_terminal()
}

/// Runs a future on a small runtime of its own (the CLI does one thing at a time).
pub(crate) fn block_on<F: std::future::Future>(f: F) -> AppResult<F::Output> {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    Ok(rt.block_on(f))
}

#[cfg(test)]
mod tests {
    /// Every print of the command line goes through `emit`, `emit_err` or `emit_secret`
    /// (redacted, without control sequences): no other print in its sources.
    #[test]
    fn the_command_line_prints_only_through_its_output_functions() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/cli");
        let mut found = Vec::new();
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let whole = std::fs::read_to_string(entry.path()).unwrap_or_default();
            let text = whole.split("#[cfg(test)]").next().unwrap_or_default();
            for word in ["println!", "print!(", "eprint", "io::stdout()", "io::stderr()", "dbg!"] {
                let allowed = entry.file_name() == "mod.rs" && (word == "io::stdout()" || word == "io::stderr()");
                if text.contains(word) && !allowed {
                    found.push(format!("{} uses {word}", entry.path().display()));
                }
            }
        }
        assert!(found.is_empty(), "{found:#?}");
    }
}
