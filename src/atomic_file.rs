//! Files that are either wholly old or wholly new, whenever the process dies.
//!
//! The new contents go to a temporary file in the same folder, which is
//! flushed to disk and then renamed over the target; the folder itself is
//! flushed so that the rename survives a power cut. A kill at any moment
//! leaves the old file or the new one, never a mixture (a stray temporary
//! may remain; it is overwritten by the next write).

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::Path;

/// Replace `path` with `bytes` atomically, creating its folder if needed.
pub fn write(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    fs::create_dir_all(dir)?;
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::other(format!("{}: not a file path", path.display())))?;
    let mut temporary_name = std::ffi::OsString::from(".");
    temporary_name.push(name);
    temporary_name.push(".tmp");
    let temporary = dir.join(temporary_name);
    let mut f = File::create(&temporary)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    drop(f);
    fs::rename(&temporary, path)?;
    sync_dir(dir)
}

/// Remove `path` (if it exists) and make the removal durable.
pub fn remove(path: &Path) -> io::Result<()> {
    match fs::remove_file(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
        _ => {}
    }
    match path.parent().filter(|d| !d.as_os_str().is_empty()) {
        Some(dir) if dir.exists() => sync_dir(dir),
        _ => Ok(()),
    }
}

/// Flush a folder's entries (renames, removals) to disk.
pub fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_whole_and_leaves_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("sub/lane.yaml");
        write(&p, b"first").unwrap();
        write(&p, b"second, longer").unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"second, longer");
        let names: Vec<_> = fs::read_dir(p.parent().unwrap()).unwrap().collect();
        assert_eq!(names.len(), 1);
        remove(&p).unwrap();
        remove(&p).unwrap();
        assert!(!p.exists());
    }
}
