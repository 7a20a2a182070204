//! The device authorization grant (RFC 8628): the client asks for a device code and a user
//! code, the user approves on another device at the verification URI, and the client polls
//! the token endpoint as the provider asks (`interval`, `slow_down`) until the user is done.
//! This module makes the first request and reads its answer; the polling goes through the
//! grant pipeline like every other token request.

use std::time::Duration;

use serde::Serialize;
use serde_json::Value;
use ts_rs::TS;

use super::config::{BodyFormat, FlowConfig};
use super::exchange;
use super::record::Recorder;
use crate::error::{AnswerKind, Error, Result};
use crate::model::Stage;
use crate::secret::{ClientSecret, DeviceCode};

/// What the user needs to approve: where, and the code to type.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct DeviceStart {
    pub verification_uri: String,
    /// The URI with the code in it, when the provider gives one (for a QR code).
    pub verification_uri_complete: Option<String>,
    pub user_code: String,
    /// Seconds until the codes expire.
    #[ts(type = "number")]
    pub expires_in: u64,
    /// Seconds between polls.
    #[ts(type = "number")]
    pub interval: u64,
}

/// How long a device sign-in may take at most, whatever the provider says.
pub const MAX_WAIT: Duration = Duration::from_secs(30 * 60);

fn text<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str).filter(|s| !s.is_empty())
}

fn seconds(v: &Value, key: &str) -> Option<u64> {
    v.get(key).and_then(|n| n.as_u64().or_else(|| n.as_str().and_then(|s| s.parse().ok())))
}

/// Reads the device authorization response (RFC 8628 §3.2). Google names the URI
/// `verification_url`; numbers may come as strings. Times are bounded.
pub fn read(v: &Value) -> Result<(DeviceCode, DeviceStart)> {
    let missing = |what: &str| Error::BadResponse {
        stage: Stage::Authorize,
        status: Some(200),
        kind: AnswerKind::Unusable,
        message: format!("the device authorization response has no {what}"),
    };
    let device_code = text(v, "device_code").ok_or_else(|| missing("device_code"))?;
    let user_code = text(v, "user_code").ok_or_else(|| missing("user_code"))?;
    let uri = text(v, "verification_uri").or_else(|| text(v, "verification_url")).ok_or_else(|| missing("verification_uri"))?;
    let start = DeviceStart {
        verification_uri: uri.to_string(),
        verification_uri_complete: text(v, "verification_uri_complete").map(str::to_string),
        user_code: user_code.chars().take(64).collect(),
        expires_in: seconds(v, "expires_in").unwrap_or(600).clamp(1, MAX_WAIT.as_secs()),
        interval: seconds(v, "interval").unwrap_or(5).clamp(1, 60),
    };
    Ok((DeviceCode::new(device_code), start))
}

/// Asks the device authorization endpoint for the codes.
pub async fn start(cfg: &FlowConfig, secret: Option<&ClientSecret>, log: &mut Recorder) -> Result<(DeviceCode, DeviceStart)> {
    let url = cfg
        .device_authorization_url
        .as_ref()
        .ok_or_else(|| Error::invalid("device_authorization_url", "is required for the device flow"))?;
    let mut params = vec![("client_id".to_string(), cfg.client_id.clone())];
    if let Some(scope) = &cfg.scopes {
        params.push(("scope".to_string(), scope.clone()));
    }
    let json =
        exchange::post(cfg, super::gate::Endpoint::DeviceAuthorization, Stage::Authorize, url, params, BodyFormat::Form, secret, log)
            .await?;
    read(&json)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_answer_is_read_with_its_variants_and_bounded() {
        let (code, s) = read(&json!({"device_code": "dc", "user_code": "WDJB-MJHT", "verification_uri": "https://example.com/device",
            "verification_uri_complete": "https://example.com/device?user_code=WDJB-MJHT", "expires_in": 1800, "interval": 5}))
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((code.expose(), s.user_code.as_str(), s.interval), ("dc", "WDJB-MJHT", 5));
        // Google's spelling, numbers as strings, absurd times.
        let (_, g) = read(&json!({"device_code": "d", "user_code": "U", "verification_url": "https://www.google.com/device", "expires_in": "99999999", "interval": 0}))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((g.verification_uri.as_str(), g.expires_in, g.interval), ("https://www.google.com/device", 1800, 1));
        assert!(read(&json!({"user_code": "U", "verification_uri": "x"})).is_err());
    }
}
