//! `exec`: runs a command with profiles' tokens in its environment, and only there: never
//! on its command line, never in OAuth Desk's output or logs (every token is known to the
//! redactor). Its exit status is the command's.
//!
//! `oauthdesk exec H [--as NAME] [H2 [--as NAME2]]... [--for URL] -- COMMAND [ARGS]...`: each
//! profile's token in `NAME` (default [`DEFAULT_NAME`]), with `NAME_TYPE`, `NAME_EXPIRES_AT`
//! (RFC 3339) and, when the token response names one, `NAME_INSTANCE_URL`. Two profiles
//! never share a name: the second needs its own `--as`. With `--for URL`, every token is
//! handed over only when the profile's token may be sent to URL.

mod child;

use clap::Args;
use oauthdesk_core::{Desk, Error, Token, DEFAULT_MARGIN};
use url::Url;

use super::{block_on, emit_err};
use crate::error::AppResult;

/// The variable a profile's token is put in when `--as` names none.
pub const DEFAULT_NAME: &str = "OAUTHDESK_TOKEN";

/// Longest variable name accepted.
const MAX_NAME: usize = 128;

#[derive(Args, Debug)]
#[command(after_help = "Example: oauthdesk exec crm --as CRM_TOKEN --for https://api.example.com -- ./sync.sh\n\n\
Exit status: the command's (128+N when signal N ended it), 127 when it cannot be found, 126 when it cannot be run; \
OAuth Desk's own (1 or 2) when a token cannot be had, and the command is not run then.")]
pub struct ExecArgs {
    /// Profiles (each optionally followed by `--as NAME`), optionally `--for URL`, then `--`
    /// and the command with its arguments
    #[arg(required = true, num_args = 1.., allow_hyphen_values = true, trailing_var_arg = true, value_name = "H [--as NAME]... [--for URL] -- COMMAND")]
    pub words: Vec<String>,
}

/// What the words ask for.
#[derive(Debug, PartialEq)]
struct Plan {
    /// Each profile and the variable its token goes in.
    profiles: Vec<(String, String)>,
    to: Option<Url>,
    command: Vec<String>,
}

fn bad(message: impl Into<String>) -> Error {
    Error::invalid("exec", message)
}

/// Reads `H [--as NAME] ... [--for URL] -- COMMAND ARGS`.
fn plan(words: &[String]) -> Result<Plan, Error> {
    let Some(split) = words.iter().position(|w| w == "--") else {
        return Err(bad("put `--` between the profiles and the command (oauthdesk exec H -- COMMAND ARGS)"));
    };
    let before = words.iter().take(split);
    let command: Vec<String> = words.iter().skip(split + 1).cloned().collect();
    if command.is_empty() {
        return Err(bad("no command after `--`"));
    }
    let mut handles: Vec<(String, Option<String>)> = Vec::new();
    let mut to: Option<Url> = None;
    let mut it = before;
    while let Some(word) = it.next() {
        let (flag, inline) = match word.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f, Some(v.to_string())),
            _ => (word.as_str(), None),
        };
        let mut value = |name: &str| inline.clone().or_else(|| it.next().cloned()).ok_or_else(|| bad(format!("{name} needs a value")));
        match flag {
            "--as" => {
                let name = value("--as")?;
                match handles.last_mut() {
                    None => return Err(bad("--as NAME follows the profile whose token it names")),
                    Some((h, Some(_))) => return Err(bad(format!("'{h}' is given two names with --as"))),
                    Some((_, slot)) => *slot = Some(name),
                }
            }
            "--for" => {
                if to.is_some() {
                    return Err(bad("--for is given twice"));
                }
                let raw = value("--for")?;
                to = Some(Url::parse(&raw).map_err(|e| Error::invalid("for", format!("'{raw}' is not a URL: {e}")))?);
            }
            w if w.starts_with('-') => {
                return Err(bad(format!("unknown option '{w}' (before `--`: profiles, --as NAME, --for URL)")));
            }
            _ => handles.push((word.clone(), None)),
        }
    }
    if handles.is_empty() {
        return Err(bad("name at least one profile before `--`"));
    }
    let profiles: Vec<(String, String)> =
        handles.into_iter().map(|(h, name)| (h, name.unwrap_or_else(|| DEFAULT_NAME.to_string()))).collect();
    check_names(&profiles)?;
    Ok(Plan { profiles, to, command })
}

/// Every name is a variable name a shell can read (letters, digits and `_`, not starting
/// with a digit), and no two profiles set the same variable (derived names included).
fn check_names(profiles: &[(String, String)]) -> Result<(), Error> {
    let mut seen: Vec<(String, &str)> = Vec::new();
    for (handle, name) in profiles {
        let shaped = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            && name.len() <= MAX_NAME;
        if !shaped {
            return Err(Error::invalid(
                "as",
                format!("--as '{name}' (for '{handle}') is not a variable name: use letters, digits and _ (not first), at most {MAX_NAME}"),
            ));
        }
        for var in variables(name) {
            if let Some((_, other)) = seen.iter().find(|(v, _)| *v == var) {
                return Err(Error::invalid(
                    "as",
                    format!("'{other}' and '{handle}' would both set {var}: give each profile its own name with --as NAME"),
                ));
            }
            seen.push((var, handle));
        }
    }
    Ok(())
}

/// The variables a profile's token sets, in the order [`environment`] gives them.
fn variables(name: &str) -> [String; 4] {
    [name.to_string(), format!("{name}_TYPE"), format!("{name}_EXPIRES_AT"), format!("{name}_INSTANCE_URL")]
}

/// The variables for `token` under `name`: those to set, and those to remove (so a value the
/// caller's environment had is not taken for this token's).
fn environment(name: &str, token: &Token) -> (Vec<(String, String)>, Vec<String>) {
    let [value, kind, expires, instance] = variables(name);
    let mut set = vec![(value, token.access_token.expose().to_string()), (kind, token.info.token_type.clone())];
    let mut unset = Vec::new();
    for (var, v) in [(expires, token.info.expires_at.map(|t| t.to_rfc3339())), (instance, token.info.instance_url.clone())] {
        match v {
            Some(v) => set.push((var, v)),
            None => unset.push(var),
        }
    }
    (set, unset)
}

/// A fresh token of `handle` for another program that sends it to `to` (when it says): the
/// way `exec` and the credential helpers get a token, through the one desk function `token`
/// also asks.
pub(crate) fn handed_token(desk: &Desk, handle: &str, to: Option<&Url>) -> AppResult<Token> {
    Ok(block_on(desk.token_for(handle, to, false, DEFAULT_MARGIN))??)
}

pub fn exec(desk: &Desk, args: ExecArgs) -> AppResult<i32> {
    let plan = plan(&args.words)?;
    let mut set = Vec::new();
    let mut unset = Vec::new();
    for (handle, name) in &plan.profiles {
        let token = handed_token(desk, handle, plan.to.as_ref())?;
        let (s, u) = environment(name, &token);
        set.extend(s);
        unset.extend(u);
    }
    let (program, rest) = plan.command.split_first().ok_or_else(|| bad("no command after `--`"))?;
    match child::run(program, rest, &set, &unset) {
        Ok(code) => Ok(code),
        Err(e) => {
            let code = match e.kind() {
                std::io::ErrorKind::NotFound => 127,
                _ => 126,
            };
            let why = if code == 127 { "no such command (not found on PATH)".to_string() } else { e.to_string() };
            emit_err(&format!("oauthdesk: exec: cannot run '{program}': {why}\n"));
            Ok(code)
        }
    }
}

#[cfg(test)]
#[path = "exec_tests.rs"]
mod tests;
