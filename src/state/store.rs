//! The state directory: the current generation, the previous one, and
//! whatever was set aside.
//!
//! ```text
//! state.yaml              the current generation
//! state.yaml.prev         the one before it
//! state.yaml.tmp          a save in progress (never read)
//! state.yaml.prev.tmp     the previous generation on its way (never read)
//! state.yaml.bad-<time>   a file that failed to load, kept for inspection
//! ```
//!
//! A save writes the temporary file and fsyncs it, links the current
//! generation in as the previous one (rename over it), renames the temporary
//! file over the current one and fsyncs the directory. Renames replace their
//! target atomically, so a kill at any point leaves a complete current
//! generation: the old one or the new one. (On a filesystem without hard
//! links the current file is renamed instead, and a kill between the two
//! renames leaves only the previous generation, which is loaded.) The
//! current file only becomes the previous one if it checks out, so a
//! damaged file can never push the last good generation out; it is set
//! aside instead.

use super::format;
use super::{LoadOutcome, MixState, SetAside};
use crate::atomic_file::sync_dir;
use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

const CURRENT: &str = "state.yaml";
const PREVIOUS: &str = "state.yaml.prev";
const TEMPORARY: &str = "state.yaml.tmp";
const PREVIOUS_TEMPORARY: &str = "state.yaml.prev.tmp";

/// A state file larger than this is not a mix state.
const MAX_BYTES: u64 = 16 << 20;

/// The mix state kept in one directory.
#[derive(Debug, Clone)]
pub struct StateStore {
    dir: PathBuf,
}

/// Why a file gave no state.
enum Unusable {
    Missing,
    Bad(String),
}

impl StateStore {
    /// The store in `dir`, which is created on the first save.
    pub fn new(dir: &Path) -> StateStore {
        StateStore {
            dir: dir.to_path_buf(),
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The current generation's file.
    pub fn current_path(&self) -> PathBuf {
        self.dir.join(CURRENT)
    }

    /// The previous generation's file.
    pub fn previous_path(&self) -> PathBuf {
        self.dir.join(PREVIOUS)
    }

    /// Save `state` as the current generation, keeping the current one as
    /// the previous. Blocks for two fsyncs.
    pub fn save(&self, state: &MixState) -> io::Result<()> {
        fs::create_dir_all(&self.dir)?;
        let temporary = self.dir.join(TEMPORARY);
        let mut f = File::create(&temporary)?;
        f.write_all(&format::encode(state))?;
        f.sync_all()?;
        drop(f);
        let current = self.current_path();
        match read(&current) {
            Ok(_) => self.keep_as_previous(&current)?,
            Err(Unusable::Missing) => {}
            Err(Unusable::Bad(why)) => {
                let moved = self.set_aside(&current, why);
                if moved.moved_to.is_none() {
                    return Err(io::Error::other(moved.why));
                }
            }
        }
        fs::rename(&temporary, &current)?;
        sync_dir(&self.dir)
    }

    /// Make the current file the previous generation while it stays the
    /// current one too (a second link), so that there is a current file at
    /// every moment of a save. Where hard links are not supported it is
    /// renamed, and between that and the next rename only the previous
    /// generation exists.
    fn keep_as_previous(&self, current: &Path) -> io::Result<()> {
        let link = self.dir.join(PREVIOUS_TEMPORARY);
        match fs::remove_file(&link) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
        match fs::hard_link(current, &link) {
            Ok(()) => fs::rename(&link, self.previous_path()),
            Err(_) => fs::rename(current, self.previous_path()),
        }
    }

    /// The newest state that loads. Files that do not load are set aside
    /// (renamed, never deleted) with a warning logged; nothing here fails.
    pub fn load(&self) -> LoadOutcome {
        let mut set_aside = Vec::new();
        for (path, from_previous) in [(self.current_path(), false), (self.previous_path(), true)] {
            match read(&path) {
                Ok(state) => {
                    return LoadOutcome::Loaded {
                        state,
                        from_previous,
                        set_aside,
                    }
                }
                Err(Unusable::Missing) => {}
                Err(Unusable::Bad(why)) => set_aside.push(self.set_aside(&path, why)),
            }
        }
        LoadOutcome::Fresh { set_aside }
    }

    /// Rename a file that does not load to `<name>.bad-<unix time>` and log it.
    fn set_aside(&self, path: &Path, why: String) -> SetAside {
        let stamp = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        let free = (1..)
            .map(|n| {
                let suffix = if n == 1 {
                    String::new()
                } else {
                    format!("-{n}")
                };
                self.dir.join(format!("{name}.bad-{stamp}{suffix}"))
            })
            .find(|p| fs::symlink_metadata(p).is_err())
            .expect("an unused name");
        let moved = fs::rename(path, &free).and_then(|()| sync_dir(&self.dir));
        match moved {
            Ok(()) => {
                log::warn!("{}: {why}; set aside as {}", path.display(), free.display());
                SetAside {
                    file: path.to_path_buf(),
                    moved_to: Some(free),
                    why,
                }
            }
            Err(e) => {
                let why = format!("{why}; could not set it aside as {}: {e}", free.display());
                log::warn!("{}: {why}", path.display());
                SetAside {
                    file: path.to_path_buf(),
                    moved_to: None,
                    why,
                }
            }
        }
    }
}

fn read(path: &Path) -> Result<MixState, Unusable> {
    let f = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Err(Unusable::Missing),
        Err(e) => return Err(Unusable::Bad(format!("cannot read it: {e}"))),
    };
    let mut bytes = Vec::new();
    f.take(MAX_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Unusable::Bad(format!("cannot read it: {e}")))?;
    if bytes.len() as u64 > MAX_BYTES {
        return Err(Unusable::Bad(format!(
            "it is larger than {MAX_BYTES} bytes, too large for a mix state"
        )));
    }
    format::decode(&bytes).map_err(Unusable::Bad)
}
