//! The knowledge base's files, built into the program: the generic RFC entries and one file
//! per provider. A new provider is one more file here and in `knowledge/`.

pub const FILES: &[(&str, &str)] = &[
    ("rfc.json", include_str!("../../knowledge/rfc.json")),
    ("salesforce.json", include_str!("../../knowledge/salesforce.json")),
    ("entra.json", include_str!("../../knowledge/entra.json")),
    ("google.json", include_str!("../../knowledge/google.json")),
    ("okta.json", include_str!("../../knowledge/okta.json")),
    ("auth0.json", include_str!("../../knowledge/auth0.json")),
    ("keycloak.json", include_str!("../../knowledge/keycloak.json")),
    ("github.json", include_str!("../../knowledge/github.json")),
    ("hubspot.json", include_str!("../../knowledge/hubspot.json")),
    ("zoom.json", include_str!("../../knowledge/zoom.json")),
    ("box.json", include_str!("../../knowledge/box.json")),
    ("slack.json", include_str!("../../knowledge/slack.json")),
    ("atlassian.json", include_str!("../../knowledge/atlassian.json")),
    ("xero.json", include_str!("../../knowledge/xero.json")),
    ("intuit.json", include_str!("../../knowledge/intuit.json")),
    ("cognito.json", include_str!("../../knowledge/cognito.json")),
    ("docusign.json", include_str!("../../knowledge/docusign.json")),
    ("zendesk.json", include_str!("../../knowledge/zendesk.json")),
    ("shopify.json", include_str!("../../knowledge/shopify.json")),
    ("servicenow.json", include_str!("../../knowledge/servicenow.json")),
    ("adobe.json", include_str!("../../knowledge/adobe.json")),
    ("ping.json", include_str!("../../knowledge/ping.json")),
    ("netsuite.json", include_str!("../../knowledge/netsuite.json")),
];
