//! `config.yaml`: how this machine is wired, as opposed to the session, which
//! says what is mixed. The same session moves between machines; the config
//! stays with the machine (its interface, its channel numbering, its
//! controllers, its network).
//!
//! Every field has a default, so a machine with no config file at all runs
//! (on the default device, or the dummy backend when there is none). A file
//! is read through [`crate::yaml`]: any mistake, structural or semantic, is
//! reported with file, line, column and what is allowed, and a file with a
//! mistake yields no config at all.
//!
//! Use from the daemon:
//! - [`Config::load`] with the `--config` argument at start and on SIGHUP
//!   (keep the old config when it fails); [`Config::search_path`] for saying
//!   where it looked.
//! - [`Config::wiring`] once the session is loaded: the session's own
//!   wiring (track sources, aux `output:`) with this machine's
//!   [`Routing`] laid over it, by track and bus name, checked against the
//!   session.
//! - [`OscConfig::allows`] for each OSC packet's sender.
//!
//! Relative paths in the file (session, state directory, a test-signal
//! file) are relative to the folder of the config file; `~/` is `$HOME`.

mod check;
mod cidr;
mod file;
pub mod monitor;
mod places;
mod wiring;

pub use crate::audio::{Backend, TestSignal};
pub use cidr::Cidr;
pub use monitor::MonitorConfig;
pub use places::{SYSTEM_CONFIG, SYSTEM_STATE_DIR};
pub use wiring::{OutputPair, Wiring};

use crate::yaml::{self, Errors, Located, Origin};
use places::Env;
use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Sample rates the daemon runs at.
pub const SAMPLE_RATES: [u32; 4] = crate::engine::SAMPLE_RATES;

/// Buffer sizes, in frames, that may be requested from the interface.
pub const BUFFER_FRAMES: std::ops::RangeInclusive<u32> = 16..=4096;

/// The highest interface channel number a config or session may name (the
/// engine reads this many inputs).
pub const MAX_CHANNEL: u16 = crate::engine::MAX_INPUTS as u16;

/// The OSC port when the config names none.
pub const OSC_PORT: u16 = 9000;

/// The complete configuration of this machine.
#[derive(Debug, Clone)]
pub struct Config {
    /// The file it was read from; `None` for the built-in defaults.
    pub file: Option<PathBuf>,
    pub audio: AudioConfig,
    /// The session folder; `<state_dir>/session` by default.
    pub session: PathBuf,
    /// The config names `session`, so it must exist; otherwise a first
    /// start creates the default session at [`Config::session`].
    pub session_given: bool,
    /// Where the mix state is kept.
    pub state_dir: PathBuf,
    pub log_level: log::LevelFilter,
    pub routing: Routing,
    pub osc: OscConfig,
    pub surfaces: Vec<SurfaceConfig>,
    /// Touch release, glide back and thinning of automation.
    pub automation: crate::automation::Settings,
    /// The control room's monitor section, if this machine has one.
    pub monitor: Option<MonitorConfig>,
    /// Where each value was written, for problems found later (against a
    /// session); `None` for the built-in defaults.
    pub origin: Option<Origin>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AudioConfig {
    pub backend: Backend,
    /// A device name pattern (`*` any run of characters, `?` one); `None`
    /// for the backend's default device.
    pub device: Option<String>,
    /// One of [`SAMPLE_RATES`]; 48000 by default.
    pub sample_rate: u32,
    /// Requested from the interface, in [`BUFFER_FRAMES`]; 128 by default.
    pub buffer_frames: u32,
    /// What the dummy backend plays into every input.
    pub test_signal: TestSignal,
    /// The interface's output channels, if the config says: every output
    /// named (routing, monitor) must be one of them.
    pub outputs: Option<u16>,
}

/// This machine's channel numbering, laid over the session's by name.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Routing {
    /// Track name → 1-based interface inputs, one per track channel (empty:
    /// the track gets no input on this machine).
    pub inputs: BTreeMap<String, Vec<u16>>,
    /// `master` or an aux bus name → 1-based interface outputs: a pair, one
    /// output (it carries the left side), or none.
    pub outputs: BTreeMap<String, Vec<u16>>,
}

/// The name of the master in [`Routing::outputs`].
pub const MASTER: &str = "master";

/// The master's outputs when neither config nor session names them.
pub const MASTER_OUTPUTS: [u16; 2] = [1, 2];

#[derive(Debug, Clone, PartialEq)]
pub struct OscConfig {
    /// UDP address to listen on; 0.0.0.0:9000 by default.
    pub listen: SocketAddr,
    /// Senders accepted; loopback, private and link-local ranges by default.
    pub allow: Vec<Cidr>,
    /// Fixed feedback targets: they are sent every change without having
    /// to send anything first.
    pub clients: Vec<OscClient>,
    /// How long a `/subscribe` lasts without renewal; 10 s by default.
    pub subscription_timeout: Duration,
    /// The X32-protocol server beside the native one (`osc.x32`); off
    /// unless the config asks for it.
    pub x32: Option<X32Config>,
}

/// `osc.x32`: where the X32-protocol server listens and which console
/// family it answers as. It shares the native server's allow-list.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct X32Config {
    /// UDP address; by default every interface on the flavour's port.
    pub listen: SocketAddr,
    pub flavour: X32Flavour,
}

/// Which console family the X32-protocol server answers as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum X32Flavour {
    /// X32 / M32: port 10023, `/ch/01`..`/ch/32`, `/bus/01`..`/bus/16`, `/main/st`.
    #[default]
    X32,
    /// X-Air / MR: port 10024, `/ch/01`..`/ch/16`, `/bus/1`..`/bus/6`, `/lr`.
    XAir,
}

impl X32Flavour {
    pub const NAMES: [&'static str; 2] = ["x32", "xair"];

    /// The port the console family listens on, and apps look for.
    pub fn port(self) -> u16 {
        match self {
            X32Flavour::X32 => 10023,
            X32Flavour::XAir => 10024,
        }
    }

    pub fn from_name(name: &str) -> Option<X32Flavour> {
        match name.to_ascii_lowercase().as_str() {
            "x32" | "m32" => Some(X32Flavour::X32),
            "xair" | "x-air" | "mr" => Some(X32Flavour::XAir),
            _ => None,
        }
    }
}

/// `automation.release_after_ms` and `automation.glide_ms` a config may set.
pub const AUTOMATION_MS: std::ops::RangeInclusive<f64> = 0.0..=10_000.0;
/// `automation.tolerance` a config may set (a fraction of a control's travel).
pub const AUTOMATION_TOLERANCE: std::ops::RangeInclusive<f64> = 0.0..=0.05;

/// Subscription timeouts a config may set, in seconds.
pub const SUBSCRIPTION_TIMEOUTS: std::ops::RangeInclusive<f64> = 1.0..=3600.0;

#[derive(Debug, Clone, PartialEq)]
pub struct OscClient {
    pub address: SocketAddr,
    pub form: OscForm,
    /// Who uses it ("Producer"): the author of the notes it sends.
    pub name: Option<String>,
}

impl OscConfig {
    /// Who a datagram from `from` comes from, for review notes: the name
    /// of the configured client on that host, else the host's address (a
    /// tablet sends from ports that change; its address stays).
    pub fn author_of(&self, from: SocketAddr) -> String {
        self.clients
            .iter()
            .find(|c| c.address.ip() == from.ip())
            .and_then(|c| c.name.clone())
            .unwrap_or_else(|| from.ip().to_string())
    }
}

/// How a client wants levels: the normalized console fader position or dB.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OscForm {
    #[default]
    Fader,
    Db,
}

impl OscForm {
    pub const NAMES: [&'static str; 2] = ["fader", "db"];
}

/// A controller the daemon expects. The mapping is loaded and checked
/// when surfaces are opened.
#[derive(Debug, Clone, PartialEq)]
pub struct SurfaceConfig {
    /// A mapping name (a file in `mappings/`) or a path.
    pub mapping: String,
    /// MIDI input port name pattern.
    pub input: Option<String>,
    /// MIDI output port name pattern.
    pub output: Option<String>,
    /// Instead of finding ports: create a virtual input and output of this
    /// name, for software clients.
    pub virtual_port: Option<String>,
    /// Mackie extender units, in strip order after the main unit.
    pub extenders: Vec<PortPatterns>,
}

/// The port name patterns of one unit.
#[derive(Debug, Clone, PartialEq)]
pub struct PortPatterns {
    pub input: Option<String>,
    pub output: Option<String>,
}

impl OscConfig {
    /// Loopback, the private ranges (RFC 1918, RFC 4193) and link-local,
    /// IPv4 and IPv6: the networks a stage tablet is on.
    pub fn default_allow() -> Vec<Cidr> {
        [
            "127.0.0.0/8",
            "10.0.0.0/8",
            "172.16.0.0/12",
            "192.168.0.0/16",
            "169.254.0.0/16",
            "::1/128",
            "fc00::/7",
            "fe80::/10",
        ]
        .iter()
        .map(|s| s.parse().expect("built-in range"))
        .collect()
    }

    /// Whether a packet from `ip` is accepted.
    pub fn allows(&self, ip: IpAddr) -> bool {
        self.allow.iter().any(|c| c.contains(ip))
    }
}

impl Default for OscConfig {
    fn default() -> OscConfig {
        OscConfig {
            listen: SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), OSC_PORT),
            allow: OscConfig::default_allow(),
            clients: Vec::new(),
            subscription_timeout: Duration::from_secs(10),
            x32: None,
        }
    }
}

impl Default for AudioConfig {
    fn default() -> AudioConfig {
        AudioConfig {
            backend: Backend::Auto,
            device: None,
            sample_rate: 48_000,
            buffer_frames: 128,
            test_signal: TestSignal::default(),
            outputs: None,
        }
    }
}

impl Config {
    /// The configuration when there is no file: every default.
    pub fn defaults() -> Config {
        Config::defaults_in(&Env::current())
    }

    fn defaults_in(env: &Env) -> Config {
        let state_dir = places::default_state_dir(env);
        Config {
            file: None,
            audio: AudioConfig::default(),
            session: state_dir.join("session"),
            session_given: false,
            state_dir,
            log_level: log::LevelFilter::Info,
            routing: Routing::default(),
            osc: OscConfig::default(),
            surfaces: Vec::new(),
            automation: crate::automation::Settings::default(),
            monitor: None,
            origin: None,
        }
    }

    /// The files [`Config::load`] looks at, in order: `explicit` alone if
    /// given, else `$XDG_CONFIG_HOME/mixbridge/config.yaml` (or
    /// `~/.config/...`), then [`SYSTEM_CONFIG`].
    pub fn search_path(explicit: Option<&Path>) -> Vec<PathBuf> {
        places::search_path(explicit, &Env::current())
    }

    /// The configuration from `explicit` (`--config`; it must exist), else
    /// from the first file of [`Config::search_path`] that exists, else the
    /// built-in defaults.
    pub fn load(explicit: Option<&Path>) -> Result<Config, Errors> {
        Config::load_in(explicit, &Env::current())
    }

    fn load_in(explicit: Option<&Path>, env: &Env) -> Result<Config, Errors> {
        if let Some(path) = explicit {
            return Config::read_in(path, env);
        }
        for path in places::search_path(None, env) {
            match std::fs::metadata(&path) {
                Ok(_) => return Config::read_in(&path, env),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => return Err(Located::whole(&path, format!("cannot read: {e}")).into()),
            }
        }
        Ok(Config::defaults_in(env))
    }

    /// The configuration in one file.
    pub fn read(path: &Path) -> Result<Config, Errors> {
        Config::read_in(path, &Env::current())
    }

    fn read_in(path: &Path, env: &Env) -> Result<Config, Errors> {
        let file = std::path::absolute(path)
            .map_err(|e| Located::whole(path, format!("cannot resolve the path: {e}")))?;
        let (f, src) = yaml::read::<file::ConfigFile>(&file)?;
        check::build(f, src, env)
    }

    /// Interface inputs and outputs of a session on this machine: the
    /// session's wiring with [`Config::routing`] laid over it. Every name the
    /// routing uses must exist in the session, and no two outputs may share
    /// an interface channel; problems are located in the config file (or in
    /// the session file when the clash is the session's own).
    pub fn wiring(&self, session: &crate::session::Session) -> Result<Wiring, Errors> {
        wiring::resolve(self, session)
    }
}
