//! The export file: profiles as JSON without secrets, for a team to share setups. The format
//! is versioned so a later OAuth Desk can still read what an earlier one wrote.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, Result};
use crate::model::Fields;

pub const FORMAT: &str = "oauthdesk-profiles";
pub const VERSION: u32 = 1;

/// The JSON document written by `export` and read by `import`.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ExportFile {
    pub format: String,
    pub version: u32,
    pub exported_at: DateTime<Utc>,
    pub profiles: Vec<ExportedProfile>,
}

/// One profile in an export: everything but its secret.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ExportedProfile {
    pub handle: String,
    pub label: String,
    pub template: String,
    pub fields: Fields,
}

impl ExportFile {
    pub fn new(profiles: Vec<ExportedProfile>) -> Self {
        ExportFile { format: FORMAT.into(), version: VERSION, exported_at: Utc::now(), profiles }
    }

    /// The file's text, as every export writes it: pretty JSON ending in a newline, every
    /// string through the redactor (a field can hold no secret the process knows).
    pub fn to_json(&self) -> Result<String> {
        let fail = |e: serde_json::Error| Error::Internal(format!("the export does not serialize: {e}"));
        let mut value = serde_json::to_value(self).map_err(fail)?;
        crate::secret::redact::json(&mut value);
        serde_json::to_string_pretty(&value).map(|s| s + "\n").map_err(fail)
    }

    /// Reads an export, refusing other JSON and newer format versions.
    pub fn parse(json: &str) -> Result<Self> {
        // Editors on some systems save JSON with a byte-order mark; it is not part of the text.
        let json = json.strip_prefix('\u{feff}').unwrap_or(json);
        let file: ExportFile = serde_json::from_str(json).map_err(|e| Error::Import(format!("not an OAuth Desk profile export ({e})")))?;
        if file.format != FORMAT {
            return Err(Error::Import(format!("format is '{}', expected '{FORMAT}'", file.format)));
        }
        if file.version > VERSION {
            return Err(Error::Import(format!(
                "the file is format version {}, this OAuth Desk reads up to {VERSION}; update OAuth Desk",
                file.version
            )));
        }
        Ok(file)
    }
}

/// Writes a file for the user (an export, a support report): readable by the user alone
/// (0600 on Unix), and an error that names the path.
pub fn write_file(path: &std::path::Path, contents: &str) -> Result<()> {
    use std::io::Write as _;
    let named = |e: std::io::Error| Error::Io(std::io::Error::new(e.kind(), format!("cannot write {}: {e}", path.display())));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path).map_err(named)?;
    file.write_all(contents.as_bytes()).map_err(named)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_refuses_foreign_json() {
        let f = ExportFile::new(vec![ExportedProfile {
            handle: "a".into(),
            label: "A".into(),
            template: "client-credentials".into(),
            fields: Fields::new(),
        }]);
        let back = ExportFile::parse(&serde_json::to_string(&f).unwrap()).unwrap();
        assert_eq!(back.profiles[0].handle, "a");
        assert!(ExportFile::parse("{}").unwrap_err().to_string().contains("not an OAuth Desk profile export"));
        let newer = serde_json::to_string(&ExportFile { version: 9, ..f }).unwrap();
        assert!(ExportFile::parse(&newer).unwrap_err().to_string().contains("update OAuth Desk"));
    }
}
