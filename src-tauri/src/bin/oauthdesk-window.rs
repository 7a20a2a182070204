//! The window. `oauthdesk` with no arguments starts this executable (it lives beside it):
//! keeping GTK and WebKit out of `oauthdesk` itself lets the command line start in a few
//! milliseconds instead of the tens that loading the web view's libraries takes.

fn main() {
    std::process::exit(oauthdesk_app::run());
}
