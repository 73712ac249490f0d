//! Private files, written atomically.
//!
//! Everything agentcred writes that could matter to an attacker (config, file store, rescue
//! files, sandbox state) goes through [`write_private`]: a temp file in the same directory,
//! mode 0600 from creation (never briefly world-readable), fsync, then rename over the target,
//! so a reader sees the old or the new file and never half of one. Directories are created
//! 0700. A lock file is held with [`FileLock`] for read-modify-write cycles across processes;
//! it is opened without following a symlink and must be a regular file of the user's own.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Create `dir` (and parents) with mode 0700 where we create it.
pub fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}

/// Atomically replace `path` with `contents`, mode 0600, and make it durable (fsync) before
/// the rename: for the config and the secrets, which must survive a crash.
pub fn write_private(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    replace_private(path, contents, true)
}

/// [`write_private`] without the fsync: still atomic (readers see the old or the new file,
/// never half of one), but a crash may lose the last write. For state that is cheap to lose
/// and written on every request (the emulator's), where an fsync per request would serialize
/// concurrent clients on the disk.
pub fn write_private_volatile(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    replace_private(path, contents, false)
}

fn replace_private(path: &Path, contents: &[u8], durable: bool) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    create_private_dir(dir)?;
    // tempfile creates the file 0600 on unix.
    let mut tmp = tempfile::Builder::new()
        .prefix(".agentcred-")
        .suffix(".tmp")
        .tempfile_in(dir)?;
    tmp.write_all(contents)?;
    if durable {
        tmp.as_file().sync_all()?;
    }
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Read a whole file that must be a regular one. Anything else where a file is expected (a
/// named pipe, a device, a socket, a directory) is refused at once with `InvalidInput`:
/// reading a FIFO would block until some other process writes to it, that is, for ever.
pub fn read_regular(path: &Path) -> std::io::Result<Vec<u8>> {
    let meta = fs::metadata(path)?;
    if !meta.is_file() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("it is {}, not a regular file", file_type_name(&meta)),
        ));
    }
    fs::read(path)
}

/// What a non-regular file is, for messages ("a named pipe (FIFO)").
pub fn file_type_name(meta: &fs::Metadata) -> &'static str {
    let kind = meta.file_type();
    if kind.is_dir() {
        return "a directory";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return "a named pipe (FIFO)";
        }
        if kind.is_socket() {
            return "a socket";
        }
        if kind.is_block_device() || kind.is_char_device() {
            return "a device";
        }
    }
    if kind.is_file() {
        "a regular file"
    } else {
        "a special file"
    }
}

/// Whether the file's mode lets group or others read or write it (always false off unix).
pub fn is_loose(path: &Path) -> std::io::Result<bool> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(path)?.permissions().mode();
        Ok(mode & 0o077 != 0)
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        Ok(false)
    }
}

/// What was opened is a regular file of this user's (not a device, a FIFO, or a file another
/// user planted).
fn check_own_regular_file(file: &File) -> std::io::Result<()> {
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::PermissionDenied,
            "it is not a regular file; remove it",
        ));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let me = rustix::process::geteuid().as_raw();
        if meta.uid() != me {
            return Err(std::io::Error::new(
                std::io::ErrorKind::PermissionDenied,
                format!(
                    "it belongs to uid {}, not to you (uid {me}); remove it",
                    meta.uid()
                ),
            ));
        }
    }
    Ok(())
}

/// An exclusive advisory lock on a file, released on drop.
#[derive(Debug)]
pub struct FileLock {
    file: File,
    path: PathBuf,
}

impl FileLock {
    /// Block until the lock on `path` is ours, or `timeout` passes.
    pub fn acquire(path: &Path, timeout: Duration) -> std::io::Result<FileLock> {
        if let Some(dir) = path.parent() {
            create_private_dir(dir)?;
        }
        let mut options = OpenOptions::new();
        options.create(true).truncate(false).read(true).write(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            // A symlink planted at the lock's name would make us create or lock another file.
            options
                .mode(0o600)
                .custom_flags(rustix::fs::OFlags::NOFOLLOW.bits() as i32);
        }
        let file = options.open(path).map_err(|e| {
            if e.raw_os_error() == Some(rustix::io::Errno::LOOP.raw_os_error()) {
                std::io::Error::new(
                    std::io::ErrorKind::PermissionDenied,
                    "it is a symbolic link, which a lock file never is; remove it",
                )
            } else {
                e
            }
        })?;
        check_own_regular_file(&file)?;
        let deadline = Instant::now() + timeout;
        let mut pause = Duration::from_millis(2);
        loop {
            match file.try_lock() {
                Ok(()) => {
                    return Ok(FileLock {
                        file,
                        path: path.to_path_buf(),
                    });
                }
                Err(std::fs::TryLockError::WouldBlock) => {}
                Err(std::fs::TryLockError::Error(e)) => return Err(e),
            }
            if Instant::now() >= deadline {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::TimedOut,
                    format!("timed out waiting for the lock {}", path.display()),
                ));
            }
            std::thread::sleep(pause);
            pause = (pause * 2).min(Duration::from_millis(50));
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for FileLock {
    fn drop(&mut self) {
        let _ = self.file.unlock();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_private_is_0600_and_replaces() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/file.json");
        write_private(&path, b"one").unwrap();
        write_private(&path, b"two").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"two");
        assert!(!is_loose(&path).unwrap());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(path.parent().unwrap())
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o700);
        }
    }

    #[test]
    fn lock_times_out_while_held() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.lock");
        let _held = FileLock::acquire(&path, Duration::from_secs(1)).unwrap();
        let second = FileLock::acquire(&path, Duration::from_millis(50));
        assert!(second.is_err());
    }
}
