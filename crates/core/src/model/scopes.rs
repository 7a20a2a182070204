//! Which scopes asked for a token were not granted, as people should be told. A scope that
//! only asks for a refresh token (OpenID Connect's `offline_access`, and the spellings some
//! providers use for it) is granted when a refresh token came, whether or not the answer's
//! `scope` repeats it: many providers leave it out, and naming it "not granted" beside
//! "Refresh token: issued" is a false alarm.

/// Scopes whose only effect is a refresh token (OpenID Connect Core §11; Salesforce's
/// `refresh_token`, whose synonym is `offline_access`; Google-style `offline`).
pub const REFRESH_SCOPES: &[&str] = &["offline_access", "refresh_token", "offline"];

/// The scopes of `asked` the token lacks: those `granted` does not name, except a
/// refresh-token scope when a refresh token was issued. Nothing is said when the answer
/// named no scopes (`granted` is `None`): the token then has what was asked for.
pub fn not_granted(asked: Option<&str>, granted: Option<&str>, refresh_token: bool) -> Vec<String> {
    let (Some(asked), Some(granted)) = (asked, granted) else { return Vec::new() };
    let has: Vec<&str> = granted.split_whitespace().collect();
    asked
        .split_whitespace()
        .filter(|s| !has.contains(s))
        .filter(|s| !(refresh_token && REFRESH_SCOPES.iter().any(|r| r.eq_ignore_ascii_case(s))))
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every refresh-token scope, asked alone or among others, with and without a refresh
    /// token issued, granted in the answer or left out of it.
    #[test]
    fn a_refresh_scope_is_granted_by_the_refresh_token_itself() {
        for scope in REFRESH_SCOPES.iter().copied().chain(["OFFLINE_ACCESS"]) {
            for others in ["", "api", "openid profile"] {
                let asked = format!("{others} {scope}");
                for refresh in [true, false] {
                    for granted in [others.to_string(), format!("{others} {scope}")] {
                        let missing = not_granted(Some(&asked), Some(&granted), refresh);
                        let left_out = !granted.split_whitespace().any(|g| g == scope);
                        let expected: Vec<String> = if left_out && !refresh { vec![scope.to_string()] } else { vec![] };
                        assert_eq!(missing, expected, "asked {asked:?}, granted {granted:?}, refresh {refresh}");
                    }
                }
            }
        }
    }

    #[test]
    fn other_scopes_are_named_when_not_granted_and_nothing_without_an_answer() {
        assert_eq!(not_granted(Some("api web offline_access"), Some("api"), true), vec!["web"]);
        assert_eq!(not_granted(Some("api web"), Some("api"), true), vec!["web"]);
        assert!(not_granted(Some("api web"), None, false).is_empty());
        assert!(not_granted(None, Some("api"), false).is_empty());
    }
}
