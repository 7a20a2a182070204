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
        eprintln!("oauthdesk: the window ({WINDOW_EXE}) is not installed beside oauthdesk; run `oauthdesk --help` for the command line");
        return 1;
    };
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        let err = std::process::Command::new(&exe).exec();
        eprintln!("oauthdesk: cannot start {}: {err}", exe.display());
        1
    }
    #[cfg(not(unix))]
    {
        match std::process::Command::new(&exe).status() {
            Ok(s) => s.code().unwrap_or(1),
            Err(err) => {
                eprintln!("oauthdesk: cannot start {}: {err}", exe.display());
                1
            }
        }
    }
}
