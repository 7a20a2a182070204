//! The error codes as the front ends and scripts read them.

use super::*;

#[test]
fn codes_serialize_as_their_names() {
    let all = [
        ErrorCode::InvalidInput,
        ErrorCode::NotFound,
        ErrorCode::DuplicateHandle,
        ErrorCode::UnknownTemplate,
        ErrorCode::KeyringUnavailable,
        ErrorCode::Keyring,
        ErrorCode::KeyMissing,
        ErrorCode::StoreTooNew,
        ErrorCode::Store,
        ErrorCode::Import,
        ErrorCode::Io,
        ErrorCode::NotReady,
        ErrorCode::Internal,
        ErrorCode::Cancelled,
        ErrorCode::AccessDenied,
        ErrorCode::OauthError,
        ErrorCode::Timeout,
        ErrorCode::Network,
        ErrorCode::BadResponse,
        ErrorCode::HostNotAllowed,
    ];
    for c in all {
        assert_eq!(serde_json::to_value(c).ok(), Some(serde_json::json!(c.as_str())));
    }
    assert_eq!(ErrorCode::NotReady.exit_code(), 2);
    assert_eq!(ErrorCode::OauthError.exit_code(), 1);
}
