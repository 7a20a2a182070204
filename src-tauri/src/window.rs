//! Starting the window from `oauthdesk`. The window is its own executable so that the
//! command line never loads GTK and WebKit (see `src/bin/oauthdesk-window.rs`); on Unix it
//! replaces this process, so the window has the same process id and environment.

use std::path::PathBuf;

pub const WINDOW_EXE: &str = "oauthdesk-window";

fn window_exe() -> Option<PathBuf> {
    let me = std::env::current_exe().ok()?;
    let exe = me.with_file_name(format!("{WINDOW_EXE}{}", std::env::consts::EXE_SUFFIX));
    exe.exists().then_some(exe)
}

pub fn launch() -> i32 {
    let Some(exe) = window_exe() else {
        crate::cli::emit_err(&format!(
            "oauthdesk: the window ({WINDOW_EXE}) is not installed beside oauthdesk; run `oauthdesk --help` for the command line\n"
        ));
        return 1;
    };
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        let err = std::process::Command::new(&exe).exec();
        crate::cli::emit_err(&format!("oauthdesk: cannot start {}: {err}\n", exe.display()));
        1
    }
    #[cfg(not(unix))]
    {
        match std::process::Command::new(&exe).status() {
            Ok(s) => s.code().unwrap_or(1),
            Err(err) => {
                crate::cli::emit_err(&format!("oauthdesk: cannot start {}: {err}\n", exe.display()));
                1
            }
        }
    }
}

/// Counts the window's own restarts (see [`relaunch`]), so they end.
const RELAUNCH_ENV: &str = "OAUTHDESK_WINDOW_RELAUNCH";
const RELAUNCH_TRIES: u32 = 20;
const RELAUNCH_WAIT: std::time::Duration = std::time::Duration::from_millis(250);

/// Starts the window again in this process's place, a quarter of a second later, at most 20
/// times in a row (5 s): for a launch that met the previous window of its store on its way
/// out. Returns the exit code when it cannot.
pub fn relaunch() -> i32 {
    let tries = std::env::var(RELAUNCH_ENV).ok().and_then(|n| n.parse::<u32>().ok()).unwrap_or(0);
    let exe = std::env::current_exe();
    match exe {
        Ok(exe) if tries < RELAUNCH_TRIES => {
            std::thread::sleep(RELAUNCH_WAIT);
            let mut command = std::process::Command::new(&exe);
            command.env(RELAUNCH_ENV, (tries + 1).to_string());
            #[cfg(unix)]
            {
                use std::os::unix::process::CommandExt;
                let err = command.exec();
                crate::cli::emit_err(&format!("oauthdesk: cannot start {}: {err}\n", exe.display()));
                1
            }
            #[cfg(not(unix))]
            {
                command.status().ok().and_then(|s| s.code()).unwrap_or(1)
            }
        }
        _ => {
            crate::cli::emit_err("oauthdesk: the window of this store did not close; try again in a moment\n");
            1
        }
    }
}
