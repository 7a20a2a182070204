//! The names of the events the Rust side emits to the window. They are declared once, here:
//! every `emit` uses these constants, and `EVENT_NAMES` is written to the UI's generated
//! contract (`ui/src/bindings/contract.ts`, see `crate::contract`), so a renamed or new
//! event cannot leave the window listening for a name nothing sends.

/// A profile's connection changed in the background (a renewal); the payload is its handle.
pub const CONNECTION_CHANGED: &str = "connection-changed";

/// Another process (the command line) changed the store; no payload (see `watch`).
pub const STORE_CHANGED: &str = "store-changed";

/// A sign-in started and waits for the redirect; the payload is
/// [`AuthorizeStarted`](crate::commands::authorize::AuthorizeStarted).
pub const AUTHORIZE_STARTED: &str = "authorize-started";

/// Test all made progress; the payload is [`TestProgress`](crate::commands::connect::TestProgress).
pub const TEST_PROGRESS: &str = "test-progress";

/// Every event, as (key in the UI's `EVENTS` object, event name).
pub const EVENT_NAMES: &[(&str, &str)] = &[
    ("connectionChanged", CONNECTION_CHANGED),
    ("storeChanged", STORE_CHANGED),
    ("authorizeStarted", AUTHORIZE_STARTED),
    ("testProgress", TEST_PROGRESS),
];

#[cfg(test)]
mod tests {
    use super::EVENT_NAMES;

    /// The UI's key is the event name in camelCase, so neither can be renamed alone.
    #[test]
    fn each_key_is_its_event_name_in_camel_case() {
        for (key, name) in EVENT_NAMES {
            let mut camel = String::new();
            let mut upper = false;
            for c in name.chars() {
                match c {
                    '-' => upper = true,
                    c if upper => {
                        camel.extend(c.to_uppercase());
                        upper = false;
                    }
                    c => camel.push(c),
                }
            }
            assert_eq!(*key, camel, "the key of event {name}");
        }
    }

    #[test]
    fn names_are_unique() {
        let mut names: Vec<&str> = EVENT_NAMES.iter().map(|(_, name)| *name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), EVENT_NAMES.len());
    }
}
