//! Where the agent listens, and who may talk to it: a Unix socket only its user can open.
//! The socket is 0600 in a 0700 directory of the user's (under `XDG_RUNTIME_DIR`, else the
//! data directory), and the process at the other end of every connection is checked to be
//! the same user (`SO_PEERCRED` on Linux, `getpeereid` on macOS and the BSDs) before a byte
//! is read from it; the client checks the agent's side the same way.
//!
//! This module is the agent's only platform code. macOS uses it as it is (it has no
//! `XDG_RUNTIME_DIR`, so the socket sits in the data directory). The Windows counterpart is a
//! named pipe `\\.\pipe\oauthdesk-<store id>` created with a security descriptor that grants
//! the user's SID alone (and `PIPE_REJECT_REMOTE_CLIENTS`), the client's user checked with
//! `GetNamedPipeClientProcessId` and its token; it is not written yet, so there the agent
//! says it is not available and every command obtains tokens itself.

use std::io;
use std::os::unix::fs::{DirBuilderExt as _, FileTypeExt as _, MetadataExt as _, PermissionsExt as _};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};

/// The per-user runtime directory (cleared at logout, never on a shared disk).
pub const RUNTIME_DIR_ENV: &str = "XDG_RUNTIME_DIR";

/// The agent's socket for the store in `data_dir`: one agent per store, found by the store's
/// instance name (as the window is).
pub fn socket_path(data_dir: &Path) -> PathBuf {
    let dir = match std::env::var_os(RUNTIME_DIR_ENV).filter(|d| !d.is_empty()) {
        Some(run) => PathBuf::from(run).join("oauthdesk"),
        None => data_dir.join("agent"),
    };
    dir.join(format!("{}.sock", crate::paths::instance_id(data_dir)))
}

/// The effective user id of this process.
pub fn my_uid() -> u32 {
    nix::unistd::Uid::effective().as_raw()
}

/// Whether a process of user `peer` may talk to the agent of user `me`: the same user only
/// (root included: another user's agent is not root's to ask either).
pub fn peer_allowed(peer: u32, me: u32) -> bool {
    peer == me
}

/// The user id of the process at the other end of `stream`, as the kernel reports it.
#[cfg(any(target_os = "linux", target_os = "android"))]
pub fn peer_uid(stream: &UnixStream) -> io::Result<u32> {
    let cred = nix::sys::socket::getsockopt(stream, nix::sys::socket::sockopt::PeerCredentials).map_err(io::Error::from)?;
    Ok(cred.uid())
}

/// The user id of the process at the other end of `stream`, as the kernel reports it.
#[cfg(not(any(target_os = "linux", target_os = "android")))]
pub fn peer_uid(stream: &UnixStream) -> io::Result<u32> {
    let (uid, _) = nix::unistd::getpeereid(stream).map_err(io::Error::from)?;
    Ok(uid.as_raw())
}

/// Whether the other end of `stream` is this user's.
pub fn same_user(stream: &UnixStream) -> bool {
    peer_uid(stream).is_ok_and(|uid| peer_allowed(uid, my_uid()))
}

/// Makes `dir` private to the user: created 0700; one that exists must be a directory of the
/// user's (it is then closed to others if it was not), never a link.
fn private_dir(dir: &Path) -> io::Result<()> {
    std::fs::DirBuilder::new().recursive(true).mode(0o700).create(dir)?;
    let meta = std::fs::symlink_metadata(dir)?;
    if !meta.is_dir() || meta.uid() != my_uid() {
        return Err(io::Error::new(
            io::ErrorKind::PermissionDenied,
            format!("{} is not a directory of this user's, so the agent's socket is not put there", dir.display()),
        ));
    }
    if meta.mode() & 0o077 != 0 {
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

/// Listens on `path` (see [`socket_path`]). A socket left there by an agent that was killed
/// is replaced; the caller has checked that no agent answers on it.
pub fn listen(path: &Path) -> io::Result<UnixListener> {
    let dir = path.parent().ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "the socket has no directory"))?;
    private_dir(dir)?;
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_socket() => std::fs::remove_file(path)?,
        Ok(_) => {
            return Err(io::Error::new(
                io::ErrorKind::AlreadyExists,
                format!("{} exists and is not a socket; it was left as it is", path.display()),
            ))
        }
        Err(_) => {}
    }
    let listener = UnixListener::bind(path)?;
    // Nobody else can reach it before this: the directory is the user's alone.
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
    Ok(listener)
}

/// Removes the socket at `path` if it is one (the agent stops).
pub fn remove(path: &Path) {
    if std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_socket()) {
        let _ = std::fs::remove_file(path);
    }
}

/// Connects to the agent at `path`, when one of this user's listens there.
pub fn connect(path: &Path) -> io::Result<UnixStream> {
    let stream = UnixStream::connect(path)?;
    if !same_user(&stream) {
        return Err(io::Error::new(io::ErrorKind::PermissionDenied, "the socket's listener is another user's"));
    }
    Ok(stream)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Only the same user passes the check, whatever the ids (root asking a user's agent,
    /// a user asking root's, neighbours).
    #[test]
    fn only_the_same_user_may_talk_to_the_agent() {
        for me in [0u32, 1, 1000, 1001, 65_534, u32::MAX] {
            for peer in [0u32, 1, 999, 1000, 1001, 65_534, u32::MAX] {
                assert_eq!(peer_allowed(peer, me), peer == me, "peer {peer}, me {me}");
            }
        }
    }

    /// The socket is 0600 in a 0700 directory, the peer seen through it is this user, and a
    /// directory open to others is closed before the socket is put in it.
    #[test]
    fn the_socket_is_the_users_alone() {
        let dir = tempfile::tempdir().unwrap();
        let sock_dir = dir.path().join("run");
        std::fs::create_dir(&sock_dir).unwrap();
        std::fs::set_permissions(&sock_dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        let path = sock_dir.join("a.sock");
        let listener = listen(&path).unwrap();
        assert_eq!(std::fs::metadata(&path).unwrap().mode() & 0o777, 0o600);
        assert_eq!(std::fs::metadata(&sock_dir).unwrap().mode() & 0o777, 0o700);
        let client = connect(&path).unwrap();
        let (server, _) = listener.accept().unwrap();
        assert_eq!(peer_uid(&server).unwrap(), my_uid());
        assert!(same_user(&client));
        drop(listener);
        // A socket nobody answers (an agent that was killed) is replaced.
        assert!(listen(&path).is_ok());
        remove(&path);
        assert!(!path.exists());
        std::fs::write(&path, "not a socket").unwrap();
        assert!(listen(&path).is_err(), "a file that is not a socket is left alone");
    }
}
