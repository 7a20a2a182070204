//! Logging: a non-blocking log file in the data directory plus stderr. `OAUTHDESK_LOG`
//! (tracing's filter syntax) overrides the levels. Nothing secret is ever logged: secrets are
//! `Secret` values that print `[redacted]`, instrumented functions skip them, and every line
//! passes the redactor on its way out, without control sequences ([`crate::shown`]), so an
//! error that repeats what a server said cannot carry a secret or an escape into either.
//! The file is kept to a size ([`crate::rotating`]; `OAUTHDESK_LOG_MAX_BYTES` and
//! `OAUTHDESK_LOG_FILES`, read in [`crate::settings`]).

use std::io::Write;
use std::path::Path;

use tracing_appender::non_blocking::{NonBlockingBuilder, WorkerGuard};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::{fmt, layer::SubscriberExt, util::SubscriberInitExt, EnvFilter, Layer};

use crate::paths;
use crate::rotating::{RotatingFile, Rotation};

pub const LOG_ENV: &str = "OAUTHDESK_LOG";
pub const LOG_FILE: &str = "oauthdesk.log";
/// Lines waiting for the log writer; when full, logging waits rather than drops lines.
const QUEUE_LINES: usize = 4096;

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// The window: informational messages on stderr too.
    Gui,
    /// The command line: stderr shows warnings only, so output stays clean for scripts.
    Cli,
}

/// The log file, appended to and rotated as `rotation` says; `None` when it cannot be opened
/// (logging then goes to stderr only). Every log file is the user's alone (0600 on Unix), and
/// so are the folders made for them (a folder that already existed keeps its mode).
fn open_log(dir: &Path, rotation: Rotation) -> Option<RotatingFile> {
    let made: Vec<&Path> = dir.ancestors().take(2).filter(|d| !d.exists()).collect();
    std::fs::create_dir_all(dir).ok()?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for d in made {
            let _ = std::fs::set_permissions(d, std::fs::Permissions::from_mode(0o700));
        }
    }
    #[cfg(not(unix))]
    let _ = made;
    RotatingFile::open(&dir.join(LOG_FILE), rotation).ok()
}

/// A writer factory whose writers pass every line through [`crate::shown::for_terminal`].
struct Scrubbed<M>(M);

impl<'a, M: MakeWriter<'a>> MakeWriter<'a> for Scrubbed<M> {
    type Writer = ScrubWriter<M::Writer>;
    fn make_writer(&'a self) -> Self::Writer {
        ScrubWriter(self.0.make_writer())
    }
}

/// Writes each write (the formatter writes one whole line per event) scrubbed.
struct ScrubWriter<W>(W);

impl<W: Write> Write for ScrubWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.write_all(crate::shown::for_terminal(&String::from_utf8_lossy(buf)).as_bytes())?;
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

/// Starts logging, the file kept to `rotation`; keep the returned guard alive until exit so
/// the file is flushed.
pub fn init(data_dir: &Path, mode: Mode, rotation: Rotation) -> Option<WorkerGuard> {
    let stderr_default = if mode == Mode::Gui { "info" } else { "warn" };
    let filter = |default: &str| EnvFilter::try_from_env(LOG_ENV).unwrap_or_else(|_| EnvFilter::new(default));
    // No colours: the scrubbing removes every escape sequence.
    let stderr =
        fmt::layer().with_writer(Scrubbed(std::io::stderr)).with_ansi(false).with_target(false).with_filter(filter(stderr_default));
    let dir = paths::log_dir(data_dir);
    let file = open_log(&dir, rotation).map(|f| {
        // The default queue holds 128,000 lines, allocated and touched up front: 3 ms of
        // every command's start. OAuth Desk logs a few lines per operation.
        let (writer, guard) = NonBlockingBuilder::default().buffered_lines_limit(QUEUE_LINES).lossy(false).finish(f);
        (fmt::layer().with_writer(Scrubbed(writer)).with_ansi(false).with_filter(filter("info")), guard)
    });
    let (file_layer, guard) = match file {
        Some((layer, guard)) => (Some(layer), Some(guard)),
        None => (None, None),
    };
    // A second init (tests) keeps the first subscriber; that is fine.
    let _ = tracing_subscriber::registry().with(stderr).with(file_layer).try_init();
    guard
}
