//! The log file, kept to a size: `oauthdesk.log` is never larger than its bound, and when a
//! line would take it past the bound it becomes `oauthdesk.log.1` (`.1` becomes `.2`, and so
//! on; the oldest beyond the count kept is removed) and a new file is started.
//!
//! The window and any number of command lines append to the same file at once, so the size
//! is read from the file itself before every line (not counted in memory), and the check,
//! the rotation and the line are done under a lock on the file. A writer whose file another
//! process rotated away finds the name now belongs to another file and follows it.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// How much log is kept: the current file and `files` older ones, each at most `max_bytes`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rotation {
    pub max_bytes: u64,
    pub files: u32,
}

impl Rotation {
    /// 5 MiB a file and 3 older files: 20 MiB at most, months of ordinary use (a command
    /// logs a few lines).
    pub const DEFAULT: Rotation = Rotation { max_bytes: 5 * 1024 * 1024, files: 3 };
    /// The most older files that are ever looked for (to remove those a larger setting left).
    pub const MOST_FILES: u32 = 100;
}

/// How long a line waits for another process's line to be written before it is written
/// without the lock (a process stopped while it held the lock must not stop everyone's log).
const LOCK_WAIT: Duration = Duration::from_millis(500);

/// An appending writer of `path` that rotates it as [`Rotation`] says.
pub struct RotatingFile {
    path: PathBuf,
    limit: Rotation,
    file: File,
}

impl RotatingFile {
    /// Opens (or creates) the log at `path`; a file already past the bound (a larger setting
    /// before, or an older version) is rotated at once.
    pub fn open(path: &Path, limit: Rotation) -> io::Result<RotatingFile> {
        let limit = Rotation { max_bytes: limit.max_bytes.max(1), files: limit.files.clamp(1, Rotation::MOST_FILES) };
        let mut log = RotatingFile { path: path.to_path_buf(), limit, file: create(path)? };
        if log.file.metadata()?.len() > limit.max_bytes {
            log.locked(|log| {
                if log.file.metadata()?.len() > log.limit.max_bytes {
                    log.rotate()?;
                }
                Ok(())
            })?;
        }
        Ok(log)
    }

    /// Runs `f` holding the lock on the current file (after following a rotation another
    /// process made), or without it when it stays held past [`LOCK_WAIT`].
    fn locked<T>(&mut self, f: impl FnOnce(&mut RotatingFile) -> io::Result<T>) -> io::Result<T> {
        let start = Instant::now();
        let held = loop {
            match self.file.try_lock() {
                Ok(()) if self.is_current() => break true,
                Ok(()) => {
                    let _ = self.file.unlock();
                    self.file = create(&self.path)?;
                }
                Err(std::fs::TryLockError::WouldBlock) if start.elapsed() < LOCK_WAIT => std::thread::sleep(Duration::from_millis(1)),
                Err(_) => {
                    if !self.is_current() {
                        self.file = create(&self.path)?;
                    }
                    break false;
                }
            }
        };
        let result = f(self);
        if held {
            let _ = self.file.unlock();
        }
        result
    }

    /// Whether the log's name still names the file this writer has open.
    #[cfg(unix)]
    fn is_current(&self) -> bool {
        use std::os::unix::fs::MetadataExt;
        match (self.file.metadata(), std::fs::metadata(&self.path)) {
            (Ok(mine), Ok(named)) => mine.dev() == named.dev() && mine.ino() == named.ino(),
            _ => false,
        }
    }

    /// Elsewhere an open file cannot be compared with a name cheaply: the name is trusted.
    #[cfg(not(unix))]
    fn is_current(&self) -> bool {
        self.path.exists()
    }

    /// The name of the `n`th older file.
    fn older(&self, n: u32) -> PathBuf {
        let mut name = self.path.clone().into_os_string();
        name.push(format!(".{n}"));
        PathBuf::from(name)
    }

    /// Moves the current file to `.1` (each older one up by one, the last dropped) and starts
    /// a new one.
    fn rotate(&mut self) -> io::Result<()> {
        for n in (self.limit.files..=Rotation::MOST_FILES).rev() {
            let _ = std::fs::remove_file(self.older(n));
        }
        for n in (1..self.limit.files).rev() {
            let from = self.older(n);
            if from.exists() {
                self.shift(&from, &self.older(n + 1))?;
            }
        }
        self.shift(&self.path, &self.older(1))?;
        let _ = self.file.unlock();
        self.file = create(&self.path)?;
        Ok(())
    }

    /// Renames `from` to `to`; a file past the bound (a larger setting before, or an older
    /// version) keeps only its last `max_bytes`.
    fn shift(&self, from: &Path, to: &Path) -> io::Result<()> {
        let len = std::fs::metadata(from)?.len();
        if len <= self.limit.max_bytes {
            return std::fs::rename(from, to);
        }
        let mut tail = create(to)?;
        tail.set_len(0)?;
        let mut old = File::open(from)?;
        old.seek(SeekFrom::Start(len - self.limit.max_bytes))?;
        io::copy(&mut old.take(self.limit.max_bytes), &mut tail)?;
        std::fs::remove_file(from)
    }
}

impl Write for RotatingFile {
    /// Writes `buf` (one line) whole into one file, rotating first when it would not fit; a
    /// line longer than the bound is cut to it.
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let max = usize::try_from(self.limit.max_bytes).unwrap_or(usize::MAX);
        let line = buf.get(..max).unwrap_or(buf);
        let len = u64::try_from(line.len()).unwrap_or(u64::MAX);
        // After a rotation the line is written under the new file's lock, once its size is
        // read again (another process may have written there first); the last try writes
        // right after rotating.
        for last in [false, false, true] {
            let written = self.locked(|log| {
                let size = log.file.metadata()?.len();
                if size > 0 && size.saturating_add(len) > log.limit.max_bytes {
                    log.rotate()?;
                    if !last {
                        return Ok(false);
                    }
                }
                log.file.write_all(line)?;
                Ok(true)
            })?;
            if written {
                break;
            }
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

/// Opens `path` to append, creating it for the user alone (0600 on Unix).
fn create(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small deterministic generator of line lengths and contents.
    struct Lcg(u64);

    impl Lcg {
        fn below(&mut self, n: u64) -> u64 {
            self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (self.0 >> 33) % n.max(1)
        }
    }

    /// Every log file: its name and size; with its mode on Unix checked to be 0600.
    fn files(dir: &Path) -> Vec<(String, u64)> {
        let mut out = Vec::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let entry = entry.unwrap();
            let meta = entry.metadata().unwrap();
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                assert_eq!(meta.permissions().mode() & 0o777, 0o600, "{:?}", entry.path());
            }
            out.push((entry.file_name().to_string_lossy().into_owned(), meta.len()));
        }
        out.sort();
        out
    }

    fn check(dir: &Path, limit: Rotation, context: &str) {
        let files = files(dir);
        assert!(files.len() <= limit.files as usize + 1, "{context}: {} files with {} kept: {files:?}", files.len(), limit.files);
        for (name, len) in &files {
            assert!(*len <= limit.max_bytes, "{context}: {name} has {len} bytes, above {}", limit.max_bytes);
            assert!(name == "l.log" || (1..=limit.files).any(|n| *name == format!("l.log.{n}")), "{context}: unexpected {name}");
        }
    }

    /// Lines of every length (empty, short, multi-byte, near, at and far past the bound)
    /// through one writer and through several at once, as the window and command lines
    /// write: no file ever passes the bound and no more files than kept remain.
    #[test]
    fn the_log_never_passes_its_bound() {
        let mut rng = Lcg(7);
        for limit in [Rotation { max_bytes: 300, files: 1 }, Rotation { max_bytes: 1000, files: 3 }, Rotation { max_bytes: 4096, files: 5 }]
        {
            for writers in [1usize, 3] {
                let dir = tempfile::tempdir().unwrap();
                let path = dir.path().join("l.log");
                let mut logs: Vec<RotatingFile> = (0..writers).map(|_| RotatingFile::open(&path, limit).unwrap()).collect();
                let mut written = 0u64;
                let mut i = 0usize;
                while written < limit.max_bytes * 40 {
                    let len = match rng.below(10) {
                        0 => limit.max_bytes + rng.below(3 * limit.max_bytes),
                        1 => limit.max_bytes - 1 + rng.below(3),
                        _ => rng.below(limit.max_bytes / 3),
                    };
                    let line: String = (0..len).map(|k| if k % 7 == 3 { 'é' } else { 'x' }).collect::<String>() + "\n";
                    let w = usize::try_from(rng.below(writers as u64)).unwrap();
                    assert_eq!(logs[w].write(line.as_bytes()).unwrap(), line.len());
                    written += line.len() as u64;
                    i += 1;
                    check(dir.path(), limit, &format!("{limit:?}, {writers} writers, after line {i}"));
                }
                for log in &mut logs {
                    log.flush().unwrap();
                }
                assert_eq!(files(dir.path()).len(), limit.files as usize + 1, "every kept file is used after {written} bytes");
            }
        }
    }

    /// A writer whose file another process rotated away writes its next line to the current
    /// file, not into the rotated one.
    #[test]
    fn a_writer_follows_a_rotation_another_made() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("l.log");
        let limit = Rotation { max_bytes: 100, files: 2 };
        let (mut a, mut b) = (RotatingFile::open(&path, limit).unwrap(), RotatingFile::open(&path, limit).unwrap());
        for round in 0..5 {
            a.write_all(&[b'a'; 99]).unwrap();
            a.write_all(b"rotates\n").unwrap();
            let line = format!("b{round}\n");
            b.write_all(line.as_bytes()).unwrap();
            assert!(std::fs::read_to_string(&path).unwrap().ends_with(&line), "round {round}");
            check(dir.path(), limit, &format!("round {round}"));
        }
    }

    /// A log left larger than the bound (a larger setting, an older version), and older
    /// files beyond the count kept, are brought within the bound when the log is opened.
    #[test]
    fn a_log_past_its_bound_is_trimmed_when_opened() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("l.log");
        let big: String = (0..5000).map(|i| format!("line {i}\n")).collect();
        std::fs::write(&path, &big).unwrap();
        for n in 1..=7 {
            std::fs::write(dir.path().join(format!("l.log.{n}")), "old\n").unwrap();
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(dir.path().join(format!("l.log.{n}")), std::fs::Permissions::from_mode(0o600)).unwrap();
                std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
            }
        }
        let limit = Rotation { max_bytes: 1024, files: 2 };
        let mut log = RotatingFile::open(&path, limit).unwrap();
        check(dir.path(), limit, "after opening");
        let kept = std::fs::read_to_string(dir.path().join("l.log.1")).unwrap();
        assert!(big.ends_with(&kept), "the newest lines are kept");
        log.write_all(b"new\n").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new\n");
    }
}
