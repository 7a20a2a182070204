//! The date a profile's client secret stops working, where the provider gives secrets an end
//! (an Entra secret's "Expires"): a field of every template with a client secret, read by the
//! radar.

use super::{FieldKind, FieldSpec, Flow, Place};
use crate::model::warnings::SECRET_WARNING_DAYS;

/// The field's name.
pub const FIELD: &str = "secret_expires";

fn field() -> FieldSpec {
    FieldSpec {
        name: FIELD.into(),
        label: "Client secret expires".into(),
        help: format!(
            "The date the client secret stops working, as the provider's console shows it (Microsoft Entra ID: App registrations → your app → Certificates & secrets → Client secrets → Expires). Optional; the radar lists the profile from {SECRET_WARNING_DAYS} days before."
        ),
        kind: FieldKind::Date,
        required: false,
        default: None,
        placeholder: Some("2027-06-30".into()),
        place: Place::Advanced,
    }
}

/// Adds the field beside the client secret of a template's `fields`. The password grant's
/// secret is a user's password, which has no date the profile could know.
pub(super) fn add(fields: &mut Vec<FieldSpec>, flow: Flow) {
    if let Some(at) = fields.iter().position(|f| f.kind == FieldKind::Secret).filter(|_| flow != Flow::Password) {
        fields.insert(at + 1, field());
    }
}
