//! The audio-interface vocabulary the config file speaks: which backend and
//! which test signal the dummy backend plays.
//!
//! The audio backends take these very values (the daemon copies them into
//! its request to open the interface); the names are parsed here, where a
//! wrong one can be reported with its line.

use std::fmt;
use std::path::PathBuf;

/// Which audio system to open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Backend {
    /// The configured or default device; the dummy, with a warning, if none opens.
    #[default]
    Auto,
    Alsa,
    Jack,
    PipeWire,
    /// No hardware: real-time pace on a timer, test signals as inputs.
    Dummy,
}

impl Backend {
    pub const ALL: [Backend; 5] = [
        Backend::Auto,
        Backend::Alsa,
        Backend::Jack,
        Backend::PipeWire,
        Backend::Dummy,
    ];

    /// The name used in config.yaml.
    pub fn name(self) -> &'static str {
        match self {
            Backend::Auto => "auto",
            Backend::Alsa => "alsa",
            Backend::Jack => "jack",
            Backend::PipeWire => "pipewire",
            Backend::Dummy => "dummy",
        }
    }

    /// The backend of a config name (exact, lower case).
    pub fn from_name(name: &str) -> Option<Backend> {
        Backend::ALL.into_iter().find(|b| b.name() == name)
    }
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What the dummy backend feeds every engine input.
#[derive(Debug, Clone, PartialEq)]
pub enum TestSignal {
    Sine {
        freq_hz: f32,
        level_db: f32,
    },
    PinkNoise {
        level_db: f32,
    },
    Silence,
    /// A WAV file played in a loop (absolute path).
    File(PathBuf),
}

impl TestSignal {
    /// The names used in config.yaml, in the order they are listed to users.
    pub const NAMES: [&'static str; 4] = ["sine", "pink_noise", "silence", "file"];
    pub const SINE_FREQ_HZ: f32 = 1000.0;
    pub const LEVEL_DB: f32 = -20.0;
}

impl Default for TestSignal {
    /// A 1 kHz sine at -20 dBFS, the usual line-up tone.
    fn default() -> TestSignal {
        TestSignal::Sine {
            freq_hz: TestSignal::SINE_FREQ_HZ,
            level_db: TestSignal::LEVEL_DB,
        }
    }
}
