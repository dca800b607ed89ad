//! Where a channel sits, which sets its weight in the loudness sum
//! (ITU-R BS.1770-4, Table 3).

/// The role of one input channel of a [`super::LoudnessMeter`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    /// Left, right or centre: weight 1.0.
    Front,
    /// Left or right surround: weight 1.41 (+1.5 dB).
    Surround,
    /// Low-frequency effects: left out of the sum (true peak still sees it).
    Lfe,
}

impl Channel {
    pub const MONO: &'static [Channel] = &[Channel::Front];
    pub const STEREO: &'static [Channel] = &[Channel::Front, Channel::Front];
    /// L, R, C, Ls, Rs.
    pub const SURROUND_5_0: &'static [Channel] = &[
        Channel::Front,
        Channel::Front,
        Channel::Front,
        Channel::Surround,
        Channel::Surround,
    ];
    /// L, R, C, LFE, Ls, Rs: the WAV (SMPTE) order.
    pub const SURROUND_5_1: &'static [Channel] = &[
        Channel::Front,
        Channel::Front,
        Channel::Front,
        Channel::Lfe,
        Channel::Surround,
        Channel::Surround,
    ];

    pub fn weight(self) -> f64 {
        match self {
            Channel::Front => 1.0,
            Channel::Surround => 1.41,
            Channel::Lfe => 0.0,
        }
    }

    /// The usual layout of an interleaved file with `count` channels: mono,
    /// stereo, 5.0 or 5.1. Other counts have no agreed layout.
    pub fn layout(count: usize) -> Option<&'static [Channel]> {
        match count {
            1 => Some(Self::MONO),
            2 => Some(Self::STEREO),
            5 => Some(Self::SURROUND_5_0),
            6 => Some(Self::SURROUND_5_1),
            _ => None,
        }
    }
}
