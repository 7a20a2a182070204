// No console window on Windows release builds; the CLI attaches to its parent's console.
#![cfg_attr(all(not(debug_assertions), target_os = "windows"), windows_subsystem = "windows")]

fn main() {
    std::process::exit(oauthdesk_app::main());
}
