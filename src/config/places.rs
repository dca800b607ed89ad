//! Where the config file is looked for and where state lives by default.
//!
//! These depend on the process environment, which tests must not change in
//! their own process (it is global and tests run in parallel); so the rules
//! are functions of an [`Env`] snapshot, and only [`Env::current`] reads the
//! real one.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// The system-wide config file, for the system service.
pub const SYSTEM_CONFIG: &str = "/etc/mixbridge/config.yaml";

/// The system-wide state directory, for the system service.
pub const SYSTEM_STATE_DIR: &str = "/var/lib/mixbridge";

/// The environment the locations depend on.
#[derive(Debug, Clone, Default)]
pub(crate) struct Env {
    pub xdg_config_home: Option<OsString>,
    pub xdg_state_home: Option<OsString>,
    pub home: Option<OsString>,
    /// Set by systemd from the unit's `StateDirectory=` (colon-separated).
    pub state_directory: Option<OsString>,
    pub root: bool,
}

impl Env {
    pub fn current() -> Env {
        Env {
            xdg_config_home: std::env::var_os("XDG_CONFIG_HOME"),
            xdg_state_home: std::env::var_os("XDG_STATE_HOME"),
            home: std::env::var_os("HOME"),
            state_directory: std::env::var_os("STATE_DIRECTORY"),
            // SAFETY: geteuid has no preconditions and cannot fail.
            root: unsafe { libc::geteuid() } == 0,
        }
    }

    /// An XDG base directory: the variable if it holds an absolute path (the
    /// spec says relative ones are ignored), else `$HOME/<fallback>`.
    fn xdg(&self, var: &Option<OsString>, fallback: &str) -> Option<PathBuf> {
        let set = var.as_ref().map(PathBuf::from).filter(|p| p.is_absolute());
        set.or_else(|| {
            self.home
                .as_ref()
                .map(PathBuf::from)
                .filter(|h| h.is_absolute())
                .map(|h| h.join(fallback))
        })
    }
}

/// The files [`crate::config::Config::load`] tries, in order: only the
/// explicit one if given, else the user's, then the system's.
pub(crate) fn search_path(explicit: Option<&Path>, env: &Env) -> Vec<PathBuf> {
    match explicit {
        Some(p) => vec![p.to_path_buf()],
        None => env
            .xdg(&env.xdg_config_home, ".config")
            .map(|d| d.join("mixbridge").join("config.yaml"))
            .into_iter()
            .chain([PathBuf::from(SYSTEM_CONFIG)])
            .collect(),
    }
}

/// The state directory when the config names none: systemd's
/// `$STATE_DIRECTORY` when run as a unit (a `DynamicUser=` service is not
/// root and has no home), the system directory for root, else the user's
/// XDG state directory.
pub(crate) fn default_state_dir(env: &Env) -> PathBuf {
    let from_systemd = env
        .state_directory
        .as_ref()
        .and_then(|v| v.to_str())
        .and_then(|v| v.split(':').next())
        .map(PathBuf::from)
        .filter(|p| p.is_absolute());
    if let Some(dir) = from_systemd {
        return dir;
    }
    if env.root {
        return PathBuf::from(SYSTEM_STATE_DIR);
    }
    env.xdg(&env.xdg_state_home, ".local/state")
        .map(|d| d.join("mixbridge"))
        .unwrap_or_else(|| PathBuf::from(SYSTEM_STATE_DIR))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)], root: bool) -> Env {
        let get = |k: &str| {
            pairs
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| OsString::from(v))
        };
        Env {
            xdg_config_home: get("XDG_CONFIG_HOME"),
            xdg_state_home: get("XDG_STATE_HOME"),
            home: get("HOME"),
            state_directory: get("STATE_DIRECTORY"),
            root,
        }
    }

    fn paths(v: &[&str]) -> Vec<PathBuf> {
        v.iter().map(PathBuf::from).collect()
    }

    #[test]
    fn config_search_order() {
        let e = env(&[("XDG_CONFIG_HOME", "/x/cfg"), ("HOME", "/home/a")], false);
        assert_eq!(
            search_path(None, &e),
            paths(&["/x/cfg/mixbridge/config.yaml", SYSTEM_CONFIG])
        );
        let e = env(&[("HOME", "/home/a")], false);
        assert_eq!(
            search_path(None, &e),
            paths(&["/home/a/.config/mixbridge/config.yaml", SYSTEM_CONFIG])
        );
        let e = env(&[("XDG_CONFIG_HOME", "relative"), ("HOME", "/h")], false);
        assert_eq!(
            search_path(None, &e)[0],
            PathBuf::from("/h/.config/mixbridge/config.yaml")
        );
        assert_eq!(search_path(None, &env(&[], true)), paths(&[SYSTEM_CONFIG]));
        assert_eq!(
            search_path(Some(Path::new("my.yaml")), &e),
            paths(&["my.yaml"])
        );
    }

    #[test]
    fn state_dir_by_who_runs_the_daemon() {
        let user = [("HOME", "/home/a"), ("XDG_STATE_HOME", "/x/state")];
        assert_eq!(
            default_state_dir(&env(&user, false)),
            PathBuf::from("/x/state/mixbridge")
        );
        assert_eq!(
            default_state_dir(&env(&user[..1], false)),
            PathBuf::from("/home/a/.local/state/mixbridge")
        );
        assert_eq!(
            default_state_dir(&env(&user, true)),
            PathBuf::from(SYSTEM_STATE_DIR)
        );
        let unit = [(
            "STATE_DIRECTORY",
            "/var/lib/private/mixbridge:/var/lib/other",
        )];
        assert_eq!(
            default_state_dir(&env(&unit, false)),
            PathBuf::from("/var/lib/private/mixbridge")
        );
        assert_eq!(
            default_state_dir(&env(&[], false)),
            PathBuf::from(SYSTEM_STATE_DIR)
        );
    }
}
