//! The X32 address space as data: which strips exist at which paths, the
//! leaves of each strip with their law, default and what they are bound to
//! in the console's own address space.
//!
//! One table serves every use: parsing an address, answering a query,
//! applying a set, rendering and parsing node text, and finding the X32
//! addresses a change of the mix shows on (for `/xremote` feedback). A leaf
//! the console has no feature for is bound to nothing and answers its
//! default; so does every leaf of a strip the session lacks (channels past
//! its tracks, aux inputs, matrices, DCAs).

use super::laws::{Law, Text, Value, EQ_GAIN, EQ_Q, FREQ, HPF, ON_OFF, PAN};
use crate::config::X32Flavour;
use crate::control::model::{Change, Key, Mix, Origin};
use crate::params::{CompField, EqField, EqType, GateField, Owner, Param, ParamId, SendField};
use crate::session::Colour;
use crate::units::SILENCE_DB;

/// The kinds of strip of an X32 or X-Air.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    Channel,
    Bus,
    /// `main/st` (X32) or `lr` (X-Air).
    Main,
    Mono,
    AuxIn,
    FxReturn,
    Matrix,
    Dca,
    HeadAmp,
    /// Console-wide addresses (`-stat`, `-show`, `config/mute`).
    Global,
}

/// One strip of the X32 view; `index` counts from 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Strip {
    pub kind: Kind,
    pub index: u16,
}

/// One leaf of one strip: `num` is the number in the leaf's numbered
/// segment (a send, an EQ band), 0 when it has none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Addr {
    pub strip: Strip,
    pub leaf: u16,
    pub num: u16,
}

/// Where a kind of strip sits: `path/NN` with `count` strips numbered from
/// `first` in `width` digits (0: a single strip, no number).
struct Prefix {
    path: &'static str,
    kind: Kind,
    count: u16,
    width: usize,
    first: u16,
}

const fn prefix(path: &'static str, kind: Kind, count: u16, width: usize, first: u16) -> Prefix {
    Prefix {
        path,
        kind,
        count,
        width,
        first,
    }
}

const X32_STRIPS: &[Prefix] = &[
    prefix("ch", Kind::Channel, 32, 2, 1),
    prefix("bus", Kind::Bus, 16, 2, 1),
    prefix("main/st", Kind::Main, 1, 0, 0),
    prefix("main/m", Kind::Mono, 1, 0, 0),
    prefix("auxin", Kind::AuxIn, 8, 2, 1),
    prefix("fxrtn", Kind::FxReturn, 8, 2, 1),
    prefix("mtx", Kind::Matrix, 6, 2, 1),
    prefix("dca", Kind::Dca, 8, 1, 1),
    prefix("headamp", Kind::HeadAmp, 128, 3, 0),
];

const XAIR_STRIPS: &[Prefix] = &[
    prefix("ch", Kind::Channel, 16, 2, 1),
    prefix("bus", Kind::Bus, 6, 1, 1),
    prefix("lr", Kind::Main, 1, 0, 0),
    prefix("rtn/aux", Kind::AuxIn, 1, 0, 0),
    prefix("rtn", Kind::FxReturn, 4, 1, 1),
    prefix("fxsend", Kind::Matrix, 4, 1, 1),
    prefix("dca", Kind::Dca, 4, 1, 1),
    prefix("headamp", Kind::HeadAmp, 16, 2, 1),
];

/// What a leaf shows of the console.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Bind {
    /// Nothing: the leaf answers its default and ignores sets.
    None,
    /// A parameter of the strip's owner, in the law's unit.
    Param(Param),
    /// The pan, -100..+100 for the console's -1..+1.
    Pan,
    /// `mix/on`: 1 is not muted.
    On,
    Name,
    Colour,
    /// A field of EQ band `num`.
    Eq(EqField),
    /// `eq/on`: on if any band is; setting it sets every band.
    EqOn,
    /// A field of the send to bus `num`.
    Send(SendField),
    /// The send's tap (`IN/LC` .. `GRP`): the console's pre or post fader.
    SendType,
    /// The compressor ratio, one of [`RATIOS`].
    Ratio,
    /// `-stat/solosw/NN`: the solo of track NN.
    Solo,
    /// `config/source`: the channel's own number.
    Source,
}

/// What the numbered segment (`#`) of a leaf counts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Num {
    None,
    /// EQ bands: 4 on channels, 6 on buses and mains.
    Band,
    /// Sends to buses (channels) or to matrices (buses, mains), two digits.
    Send,
    /// A fixed count in a fixed width.
    Fixed(u16, usize),
}

/// One leaf: its path under the strip (`#` is the numbered segment), law,
/// default (in the law's unit; text leaves default to ""), binding, and
/// whether it exists only on odd sends (pan and type belong to a pair).
#[derive(Debug, Clone, Copy)]
pub struct Leaf {
    pub path: &'static str,
    pub law: Law,
    pub default: f32,
    pub bind: Bind,
    pub num: Num,
    pub odd_only: bool,
    /// Only in this flavour.
    pub only: Option<X32Flavour>,
}

const fn leaf(path: &'static str, law: Law, default: f32, bind: Bind) -> Leaf {
    Leaf {
        path,
        law,
        default,
        bind,
        num: Num::None,
        odd_only: false,
        only: None,
    }
}

const fn numbered(path: &'static str, law: Law, default: f32, bind: Bind, num: Num) -> Leaf {
    Leaf {
        num,
        ..leaf(path, law, default, bind)
    }
}

const fn odd(l: Leaf) -> Leaf {
    Leaf {
        odd_only: true,
        ..l
    }
}

const fn only(flavour: X32Flavour, l: Leaf) -> Leaf {
    Leaf {
        only: Some(flavour),
        ..l
    }
}

const fn lin(min: f32, max: f32, text: Text) -> Law {
    Law::Lin { min, max, text }
}
const fn log(min: f32, max: f32, text: Text) -> Law {
    Law::Log { min, max, text }
}

const ONOFF: Law = Law::Enum(ON_OFF);
const STR: Law = Law::Str;
const INT: Law = Law::Int;
const ATTACK: Law = lin(0.0, 120.0, Text::Fixed(0));
const HOLD: Law = log(0.02, 2000.0, Text::Fixed(2));
const RELEASE: Law = log(5.0, 4000.0, Text::Fixed(0));

/// The palette of `config/color`: our colours are its first eight; the
/// inverted ones (`i`) are shown in their plain colour on other surfaces.
pub const COLOURS: &[&str] = &[
    "OFF", "RD", "GN", "YE", "BL", "MG", "CY", "WH", "OFFi", "RDi", "GNi", "YEi", "BLi", "MGi",
    "CYi", "WHi",
];
const EQ_TYPES: &[&str] = &["LCut", "LShv", "PEQ", "VEQ", "HShv", "HCut"];
const EQ_TYPES_BUS: &[&str] = &[
    "LCut", "LShv", "PEQ", "VEQ", "HShv", "HCut", "BU6", "BU12", "BS12", "LR12", "BU18", "BU24",
    "BS24", "LR24",
];
const SEND_TYPES: &[&str] = &["IN/LC", "<-EQ", "EQ->", "PRE", "POST", "GRP"];
/// The X32's compressor ratios (`dyn/ratio` is an index into these).
pub const RATIOS: [f32; 12] = [
    1.1, 1.3, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 7.0, 10.0, 20.0, 100.0,
];
const RATIO_NAMES: &[&str] = &[
    "1.1", "1.3", "1.5", "2.0", "2.5", "3.0", "4.0", "5.0", "7.0", "10", "20", "100",
];

const CONFIG: [Leaf; 3] = [
    leaf("config/name", STR, 0.0, Bind::Name),
    leaf("config/icon", INT, 1.0, Bind::None),
    leaf("config/color", Law::Enum(COLOURS), 0.0, Bind::Colour),
];

const GRP: [Leaf; 2] = [
    leaf("grp/dca", Law::Bits(8), 0.0, Bind::None),
    leaf("grp/mute", Law::Bits(6), 0.0, Bind::None),
];

const INSERT: [Leaf; 3] = [
    leaf("insert/on", ONOFF, 0.0, Bind::None),
    leaf("insert/pos", Law::Enum(&["PRE", "POST"]), 0.0, Bind::None),
    leaf("insert/sel", INT, 0.0, Bind::None),
];

const DYN: [Leaf; 18] = [
    leaf(
        "dyn/on",
        ONOFF,
        0.0,
        Bind::Param(Param::Comp(CompField::On)),
    ),
    leaf("dyn/mode", Law::Enum(&["COMP", "EXP"]), 0.0, Bind::None),
    leaf("dyn/det", Law::Enum(&["PEAK", "RMS"]), 0.0, Bind::None),
    leaf("dyn/env", Law::Enum(&["LIN", "LOG"]), 1.0, Bind::None),
    leaf(
        "dyn/thr",
        lin(-60.0, 0.0, Text::Fixed(1)),
        0.0,
        Bind::Param(Param::Comp(CompField::Threshold)),
    ),
    leaf("dyn/ratio", Law::Enum(RATIO_NAMES), 5.0, Bind::Ratio),
    leaf(
        "dyn/knee",
        lin(0.0, 5.0, Text::Fixed(0)),
        0.0,
        Bind::Param(Param::Comp(CompField::Knee)),
    ),
    leaf(
        "dyn/mgain",
        lin(0.0, 24.0, Text::Fixed(1)),
        0.0,
        Bind::Param(Param::Comp(CompField::Makeup)),
    ),
    leaf(
        "dyn/attack",
        ATTACK,
        10.0,
        Bind::Param(Param::Comp(CompField::Attack)),
    ),
    leaf("dyn/hold", HOLD, 0.02, Bind::None),
    leaf(
        "dyn/release",
        RELEASE,
        151.0,
        Bind::Param(Param::Comp(CompField::Release)),
    ),
    leaf("dyn/pos", Law::Enum(&["PRE", "POST"]), 0.0, Bind::None),
    leaf("dyn/keysrc", INT, 0.0, Bind::None),
    leaf(
        "dyn/mix",
        lin(0.0, 100.0, Text::Fixed(0)),
        100.0,
        Bind::None,
    ),
    leaf("dyn/auto", ONOFF, 0.0, Bind::None),
    leaf("dyn/filter/on", ONOFF, 0.0, Bind::None),
    leaf("dyn/filter/type", INT, 4.0, Bind::None),
    leaf("dyn/filter/f", FREQ, 632.5, Bind::None),
];

const fn eq_band(types: &'static [&'static str]) -> [Leaf; 4] {
    [
        numbered(
            "eq/#/type",
            Law::Enum(types),
            2.0,
            Bind::Eq(EqField::Type),
            Num::Band,
        ),
        numbered("eq/#/f", FREQ, 1000.0, Bind::Eq(EqField::Freq), Num::Band),
        numbered("eq/#/g", EQ_GAIN, 0.0, Bind::Eq(EqField::Gain), Num::Band),
        numbered("eq/#/q", EQ_Q, 2.0, Bind::Eq(EqField::Q), Num::Band),
    ]
}

const MIX_ON: Leaf = leaf("mix/on", ONOFF, 1.0, Bind::On);
const MIX_FADER: Leaf = leaf(
    "mix/fader",
    Law::Level,
    SILENCE_DB,
    Bind::Param(Param::Gain),
);
const MIX_PAN: Leaf = leaf("mix/pan", PAN, 0.0, Bind::Pan);

/// The `mix` node of channels and buses (the mains have no stereo and
/// mono switches).
const STRIP_MIX: [Leaf; 7] = [
    MIX_ON,
    MIX_FADER,
    only(X32Flavour::X32, leaf("mix/st", ONOFF, 1.0, Bind::None)),
    only(X32Flavour::XAir, leaf("mix/lr", ONOFF, 1.0, Bind::None)),
    MIX_PAN,
    only(X32Flavour::X32, leaf("mix/mono", ONOFF, 0.0, Bind::None)),
    only(
        X32Flavour::X32,
        leaf("mix/mlevel", Law::Level, SILENCE_DB, Bind::None),
    ),
];

/// A send's leaves: to buses from a channel, to matrices from a bus.
const fn sends(bind: bool) -> [Leaf; 5] {
    const fn b_(bind: bool, x: Bind) -> Bind {
        if bind {
            x
        } else {
            Bind::None
        }
    }
    [
        numbered(
            "mix/#/on",
            ONOFF,
            1.0,
            b_(bind, Bind::Send(SendField::On)),
            Num::Send,
        ),
        numbered(
            "mix/#/level",
            Law::Level,
            SILENCE_DB,
            b_(bind, Bind::Send(SendField::Level)),
            Num::Send,
        ),
        odd(numbered("mix/#/pan", PAN, 0.0, Bind::None, Num::Send)),
        odd(numbered(
            "mix/#/type",
            Law::Enum(SEND_TYPES),
            4.0,
            b_(bind, Bind::SendType),
            Num::Send,
        )),
        odd(numbered("mix/#/panFollow", INT, 0.0, Bind::None, Num::Send)),
    ]
}

macro_rules! concat_leaves {
    ($($part:expr),* $(,)?) => {{
        const PARTS: &[&[Leaf]] = &[$(&$part),*];
        const LEN: usize = { let mut n = 0; let mut i = 0; while i < PARTS.len() { n += PARTS[i].len(); i += 1; } n };
        const OUT: [Leaf; LEN] = {
            let mut out = [PARTS[0][0]; LEN];
            let (mut k, mut i) = (0, 0);
            while i < PARTS.len() {
                let mut j = 0;
                while j < PARTS[i].len() { out[k] = PARTS[i][j]; k += 1; j += 1; }
                i += 1;
            }
            out
        };
        &OUT
    }};
}

const CHANNEL: &[Leaf] = concat_leaves!(
    CONFIG,
    [leaf("config/source", INT, 0.0, Bind::Source)],
    GRP,
    [
        leaf(
            "preamp/trim",
            lin(-18.0, 18.0, Text::Signed(1)),
            0.0,
            Bind::Param(Param::Trim)
        ),
        leaf("preamp/invert", ONOFF, 0.0, Bind::Param(Param::Polarity)),
        leaf("preamp/hpon", ONOFF, 0.0, Bind::Param(Param::HpfOn)),
        leaf(
            "preamp/hpslope",
            Law::Enum(&["12", "18", "24"]),
            0.0,
            Bind::None
        ),
        leaf("preamp/hpf", HPF, 80.0, Bind::Param(Param::HpfFreq)),
        leaf("delay/on", ONOFF, 0.0, Bind::None),
        leaf(
            "delay/time",
            lin(0.3, 500.0, Text::Fixed(1)),
            0.3,
            Bind::None
        ),
    ],
    INSERT,
    [
        leaf(
            "gate/on",
            ONOFF,
            0.0,
            Bind::Param(Param::Gate(GateField::On))
        ),
        leaf(
            "gate/mode",
            Law::Enum(&["EXP2", "EXP3", "EXP4", "GATE", "DUCK"]),
            3.0,
            Bind::None
        ),
        leaf(
            "gate/thr",
            lin(-80.0, 0.0, Text::Fixed(1)),
            -80.0,
            Bind::Param(Param::Gate(GateField::Threshold))
        ),
        leaf(
            "gate/range",
            lin(3.0, 60.0, Text::Fixed(1)),
            60.0,
            Bind::Param(Param::Gate(GateField::Range))
        ),
        leaf(
            "gate/attack",
            ATTACK,
            0.0,
            Bind::Param(Param::Gate(GateField::Attack))
        ),
        leaf(
            "gate/hold",
            HOLD,
            50.0,
            Bind::Param(Param::Gate(GateField::Hold))
        ),
        leaf(
            "gate/release",
            RELEASE,
            199.0,
            Bind::Param(Param::Gate(GateField::Release))
        ),
        leaf("gate/keysrc", INT, 0.0, Bind::None),
        leaf("gate/filter/on", ONOFF, 0.0, Bind::None),
        leaf("gate/filter/type", INT, 4.0, Bind::None),
        leaf("gate/filter/f", FREQ, 632.5, Bind::None),
    ],
    DYN,
    [leaf("eq/on", ONOFF, 1.0, Bind::EqOn)],
    eq_band(EQ_TYPES),
    STRIP_MIX,
    sends(true),
    [
        leaf(
            "automix/group",
            Law::Enum(&["OFF", "X", "Y"]),
            0.0,
            Bind::None
        ),
        leaf(
            "automix/weight",
            lin(-12.0, 12.0, Text::Signed(1)),
            0.0,
            Bind::None
        ),
    ],
);

const BUS: &[Leaf] = concat_leaves!(
    CONFIG,
    DYN,
    INSERT,
    [leaf("eq/on", ONOFF, 1.0, Bind::EqOn)],
    eq_band(EQ_TYPES_BUS),
    STRIP_MIX,
    sends(false),
    GRP,
);

const MAIN: &[Leaf] = concat_leaves!(
    CONFIG,
    DYN,
    INSERT,
    [leaf("eq/on", ONOFF, 1.0, Bind::EqOn)],
    eq_band(EQ_TYPES_BUS),
    [MIX_ON, MIX_FADER, MIX_PAN],
    sends(false),
    GRP,
);

const DCA: &[Leaf] = concat_leaves!(
    [
        leaf("on", ONOFF, 1.0, Bind::None),
        leaf("fader", Law::Level, 0.0, Bind::None),
    ],
    CONFIG,
);

const HEADAMP: &[Leaf] = &[
    leaf("gain", lin(-12.0, 60.0, Text::Signed(1)), 0.0, Bind::None),
    leaf("phantom", ONOFF, 0.0, Bind::None),
];

const GLOBAL: &[Leaf] = &[
    numbered("-stat/solosw/#", ONOFF, 0.0, Bind::Solo, Num::Fixed(80, 2)),
    numbered("config/mute/#", ONOFF, 0.0, Bind::None, Num::Fixed(6, 1)),
    leaf("-stat/selidx", INT, 0.0, Bind::None),
    leaf("-stat/tape/state", INT, 0.0, Bind::None),
    leaf("-stat/tape/file", STR, 0.0, Bind::None),
    leaf("-stat/usbmounted", INT, 0.0, Bind::None),
    leaf("-show/prepos/current", INT, -1.0, Bind::None),
    leaf("-show/showfile/show/name", STR, 0.0, Bind::None),
    leaf("-prefs/card/USBmode", INT, 0.0, Bind::None),
    leaf("-snap/index", INT, 0.0, Bind::None),
];

/// The leaves of a kind of strip.
pub fn leaves(kind: Kind) -> &'static [Leaf] {
    match kind {
        Kind::Channel | Kind::AuxIn | Kind::FxReturn => CHANNEL,
        Kind::Bus | Kind::Matrix => BUS,
        Kind::Main | Kind::Mono => MAIN,
        Kind::Dca => DCA,
        Kind::HeadAmp => HEADAMP,
        Kind::Global => GLOBAL,
    }
}

/// What a path names: one leaf, or a node (the leaves under it, in order).
#[derive(Debug, Clone, PartialEq)]
pub enum Found {
    Leaf(Addr),
    Node(Vec<Addr>),
}

/// The address table of one flavour.
#[derive(Debug, Clone, Copy)]
pub struct Table {
    pub flavour: X32Flavour,
}

impl Table {
    pub fn new(flavour: X32Flavour) -> Table {
        Table { flavour }
    }

    fn strips(&self) -> &'static [Prefix] {
        match self.flavour {
            X32Flavour::X32 => X32_STRIPS,
            X32Flavour::XAir => XAIR_STRIPS,
        }
    }

    fn prefix(&self, kind: Kind) -> Option<&'static Prefix> {
        self.strips().iter().find(|p| p.kind == kind)
    }

    /// How many strips of a kind the flavour has.
    pub fn count(&self, kind: Kind) -> u16 {
        match kind {
            Kind::Global => 1,
            k => self.prefix(k).map_or(0, |p| p.count),
        }
    }

    /// (count, digits) of a leaf's numbered segment on a kind of strip.
    fn numbering(&self, kind: Kind, num: Num) -> (u16, usize) {
        match num {
            Num::None => (0, 0),
            Num::Fixed(n, w) => (n, w),
            Num::Band => match kind {
                Kind::Channel | Kind::AuxIn | Kind::FxReturn => (4, 1),
                _ => (6, 1),
            },
            Num::Send => match (self.flavour, kind) {
                (X32Flavour::X32, Kind::Channel | Kind::AuxIn | Kind::FxReturn) => (16, 2),
                (X32Flavour::X32, _) => (6, 2),
                (X32Flavour::XAir, Kind::Channel | Kind::AuxIn | Kind::FxReturn) => (10, 2),
                (X32Flavour::XAir, _) => (0, 2),
            },
        }
    }

    /// The leaf an address points at.
    pub fn leaf(&self, a: Addr) -> &'static Leaf {
        &leaves(a.strip.kind)[a.leaf as usize]
    }

    fn exists(&self, kind: Kind, l: &Leaf, num: u16) -> bool {
        if l.only.is_some_and(|f| f != self.flavour) || (l.odd_only && num.is_multiple_of(2)) {
            return false;
        }
        let (count, _) = self.numbering(kind, l.num);
        l.num == Num::None || (1..=count).contains(&num)
    }

    /// The path of an address, without the leading slash.
    pub fn path(&self, a: Addr) -> String {
        let l = self.leaf(a);
        let (_, width) = self.numbering(a.strip.kind, l.num);
        let tail = l.path.replace('#', &format!("{:0width$}", a.num));
        match self.prefix(a.strip.kind) {
            None => tail,
            Some(p) if p.width == 0 => format!("{}/{tail}", p.path),
            Some(p) => format!(
                "{}/{:0w$}/{tail}",
                p.path,
                a.strip.index + p.first,
                w = p.width
            ),
        }
    }

    /// What `path` (with or without its leading slash) names, if anything.
    pub fn find(&self, path: &str) -> Option<Found> {
        let path = path.strip_prefix('/').unwrap_or(path);
        let segs: Vec<&str> = path.split('/').collect();
        for p in self.strips() {
            let head: Vec<&str> = p.path.split('/').collect();
            if segs.len() < head.len() || segs[..head.len()] != head[..] {
                continue;
            }
            let mut rest = &segs[head.len()..];
            let index = if p.width == 0 {
                0
            } else {
                let n = number(rest.first()?, p.width)?;
                if !(p.first..p.first + p.count).contains(&n) {
                    return None;
                }
                rest = &rest[1..];
                n - p.first
            };
            if let Some(found) = self.find_in(
                Strip {
                    kind: p.kind,
                    index,
                },
                rest,
            ) {
                return Some(found);
            }
        }
        self.find_in(
            Strip {
                kind: Kind::Global,
                index: 0,
            },
            &segs,
        )
    }

    fn find_in(&self, strip: Strip, rest: &[&str]) -> Option<Found> {
        let all = leaves(strip.kind);
        let addr = |i: usize, num| Addr {
            strip,
            leaf: i as u16,
            num,
        };
        // The leaf itself, if `rest` names one.
        for (i, l) in all.iter().enumerate() {
            if let Some(num) = self.fit(strip.kind, l, rest, false) {
                return Some(Found::Leaf(addr(i, num)));
            }
        }
        // Else the leaves of the first node at or under `rest` (the console
        // answers a strip or a node of nodes with its first node).
        let mut node: Vec<Addr> = Vec::new();
        let mut parent_of_node = None;
        for (i, l) in all.iter().enumerate() {
            let Some(num) = self.fit(strip.kind, l, rest, true) else {
                continue;
            };
            let parent = l.path.rsplit_once('/').map_or("", |(p, _)| p);
            match parent_of_node {
                None => parent_of_node = Some((parent, num)),
                Some(p) if p != (parent, num) => continue,
                Some(_) => {}
            }
            node.push(addr(i, num));
        }
        (!node.is_empty()).then_some(Found::Node(node))
    }

    /// Whether leaf `l` is at `rest` (or, with `under`, in a node at or
    /// under it); the number of its numbered segment (the first one when
    /// `rest` stops above it).
    fn fit(&self, kind: Kind, l: &Leaf, rest: &[&str], under: bool) -> Option<u16> {
        let pat: Vec<&str> = l.path.split('/').collect();
        let fits_len = if under {
            pat.len() > rest.len()
        } else {
            pat.len() == rest.len()
        };
        if !fits_len {
            return None;
        }
        let (_, width) = self.numbering(kind, l.num);
        let mut num = u16::from(l.num != Num::None);
        for (p, s) in pat.iter().zip(rest) {
            if *p == "#" {
                num = number(s, width)?;
            } else if p != s {
                return None;
            }
        }
        self.exists(kind, l, num).then_some(num)
    }

    /// The node path (without the leading slash) that holds an address's leaf.
    pub fn node_path(&self, a: Addr) -> String {
        let p = self.path(a);
        p.rsplit_once('/').map_or(p.clone(), |(n, _)| n.to_string())
    }

    /// The console strip behind an X32 strip, if the session has it.
    pub fn owner(&self, mix: &Mix, strip: Strip) -> Option<Owner> {
        let layout = mix.registry().layout();
        let i = strip.index;
        match strip.kind {
            Kind::Channel if usize::from(i) < layout.tracks => Some(Owner::Track(i)),
            Kind::Bus if usize::from(i) < layout.buses.len() => Some(Owner::Bus(i)),
            Kind::Main => Some(Owner::Master),
            _ => None,
        }
    }

    /// The parameter behind a leaf on `owner`, if the session has it.
    fn param(&self, mix: &Mix, owner: Owner, bind: Bind, num: u16) -> Option<ParamId> {
        let id = param_of(owner, bind, num)?;
        mix.registry().check(id, "").is_ok().then_some(id)
    }

    /// The value at an address, in its law's unit.
    pub fn get(&self, mix: &Mix, a: Addr) -> Value {
        let l = self.leaf(a);
        self.bound(mix, a, l).unwrap_or_else(|| default(l, a))
    }

    fn bound(&self, mix: &Mix, a: Addr, l: &Leaf) -> Option<Value> {
        let owner = match l.bind {
            Bind::Solo => Owner::Track(a.num.checked_sub(1)?),
            _ => self.owner(mix, a.strip)?,
        };
        let num = |b| Some(Value::Num(b));
        match l.bind {
            Bind::None | Bind::Source => None,
            Bind::Name => Some(Value::Text(
                mix.name(owner)?.chars().take(NAME_CHARS).collect(),
            )),
            Bind::Colour => {
                mix.name(owner)?;
                num(mix.colour(owner) as usize as f32)
            }
            Bind::EqOn => {
                let any = (0..crate::params::EQ_BANDS as u8).any(|band| {
                    let on = ParamId::new(
                        owner,
                        Param::Eq {
                            band,
                            field: EqField::On,
                        },
                    );
                    mix.get(on).is_some_and(|v| v >= 0.5)
                });
                num(f32::from(u8::from(any)))
            }
            bind => {
                let id = self.param(mix, owner, bind, a.num)?;
                let v = mix.get(id)?;
                num(match bind {
                    Bind::Pan => v * 100.0,
                    Bind::On => 1.0 - v,
                    Bind::Ratio => nearest_ratio(v) as f32,
                    Bind::SendType => {
                        if v >= 0.5 {
                            3.0
                        } else {
                            4.0
                        }
                    }
                    Bind::Eq(EqField::Type) => x32_eq_type(EqType::from_index(v)) as f32,
                    _ => v,
                })
            }
        }
    }

    /// Apply a value from `origin` to an address: the changes it made to
    /// the mix (none for a leaf bound to nothing, or a strip the session
    /// lacks).
    pub fn set(&self, mix: &mut Mix, a: Addr, v: &Value, origin: Origin) -> Vec<Change> {
        let l = self.leaf(a);
        let owner = match l.bind {
            Bind::Solo => a.num.checked_sub(1).map(Owner::Track),
            _ => self.owner(mix, a.strip),
        };
        let (Some(owner), v) = (owner, v) else {
            return Vec::new();
        };
        let change = |key| Change { key, origin };
        match (l.bind, v) {
            (Bind::Name, Value::Text(s)) if mix.set_name(owner, s) => {
                return vec![change(Key::Name(owner))];
            }
            // The inverted colours (8..15) are their plain colour here.
            (Bind::Colour, Value::Num(n))
                if mix.set_colour(owner, Colour::ALL[(*n as usize) % 8]) =>
            {
                return vec![change(Key::Colour(owner))];
            }
            (Bind::EqOn, Value::Num(n)) => {
                return (0..crate::params::EQ_BANDS as u8)
                    .map(|band| {
                        ParamId::new(
                            owner,
                            Param::Eq {
                                band,
                                field: EqField::On,
                            },
                        )
                    })
                    .filter(|id| mix.set(*id, *n).is_some())
                    .map(|id| change(Key::Param(id)))
                    .collect();
            }
            (bind, Value::Num(n)) => {
                let Some(id) = self.param(mix, owner, bind, a.num) else {
                    return Vec::new();
                };
                let plain = match bind {
                    Bind::Pan => n / 100.0,
                    Bind::On => 1.0 - n,
                    Bind::Ratio => RATIOS[(*n as usize).min(RATIOS.len() - 1)],
                    Bind::SendType => f32::from(u8::from(*n <= 3.0)),
                    Bind::Eq(EqField::Type) => our_eq_type(*n as usize) as usize as f32,
                    _ => *n,
                };
                if mix.set(id, plain).is_some() {
                    return vec![change(Key::Param(id))];
                }
            }
            _ => {}
        }
        Vec::new()
    }

    /// Every X32 address that shows `key`.
    pub fn addresses_of(&self, key: Key) -> Vec<Addr> {
        let owner = match key {
            Key::Param(id) => id.owner,
            Key::Name(o) | Key::Colour(o) => o,
        };
        let strip = match owner {
            Owner::Track(i) => Strip {
                kind: Kind::Channel,
                index: i,
            },
            Owner::Bus(i) => Strip {
                kind: Kind::Bus,
                index: i,
            },
            Owner::Master => Strip {
                kind: Kind::Main,
                index: 0,
            },
            // The X32's monitor section is not mapped onto ours.
            Owner::Transport | Owner::Monitor => return Vec::new(),
        };
        let mut out = Vec::new();
        if let (Key::Param(id), Owner::Track(t)) = (key, owner) {
            if id.param == Param::Solo {
                let global = Strip {
                    kind: Kind::Global,
                    index: 0,
                };
                let solo = leaves(Kind::Global)
                    .iter()
                    .position(|l| l.bind == Bind::Solo)
                    .expect("the solo switches are in the table");
                let a = Addr {
                    strip: global,
                    leaf: solo as u16,
                    num: t + 1,
                };
                if self.exists(Kind::Global, self.leaf(a), a.num) {
                    out.push(a);
                }
            }
        }
        if strip.index >= self.count(strip.kind) {
            return out;
        }
        for (i, l) in leaves(strip.kind).iter().enumerate() {
            let (count, _) = self.numbering(strip.kind, l.num);
            let nums = if l.num == Num::None { 0..=0 } else { 1..=count };
            for num in nums {
                let a = Addr {
                    strip,
                    leaf: i as u16,
                    num,
                };
                if self.exists(strip.kind, l, num) && shows(a, l, owner, key) {
                    out.push(a);
                }
            }
        }
        out
    }
}

/// Whether leaf `l` at `a` (on the strip of `owner`) shows `key`.
fn shows(a: Addr, l: &Leaf, owner: Owner, key: Key) -> bool {
    match (key, l.bind) {
        (Key::Name(_), Bind::Name) | (Key::Colour(_), Bind::Colour) => true,
        (Key::Param(id), Bind::EqOn) => matches!(
            id.param,
            Param::Eq {
                field: EqField::On,
                ..
            }
        ),
        (Key::Param(id), bind) => param_of(owner, bind, a.num) == Some(id),
        _ => false,
    }
}

/// The parameter a binding names on `owner` (whether the session has it
/// is for the registry to say).
fn param_of(owner: Owner, bind: Bind, num: u16) -> Option<ParamId> {
    let param = match bind {
        Bind::Param(p) => p,
        Bind::Pan => Param::Pan,
        Bind::On => Param::Mute,
        Bind::Ratio => Param::Comp(CompField::Ratio),
        Bind::Eq(field) => Param::Eq {
            band: u8::try_from(num.checked_sub(1)?).ok()?,
            field,
        },
        Bind::Send(field) => Param::Send {
            bus: num.checked_sub(1)?,
            field,
        },
        Bind::SendType => Param::Send {
            bus: num.checked_sub(1)?,
            field: SendField::Pre,
        },
        Bind::Solo => Param::Solo,
        _ => return None,
    };
    Some(ParamId::new(owner, param))
}

/// The longest name the console keeps (`config/name` is 12 characters);
/// longer names of the session are cut in the X32 view only.
pub const NAME_CHARS: usize = 12;

fn default(l: &Leaf, a: Addr) -> Value {
    match (l.law, l.bind) {
        (Law::Str, _) => Value::Text(String::new()),
        (_, Bind::Source) => Value::Num(f32::from(a.strip.index + 1)),
        _ => Value::Num(l.default),
    }
}

/// `n` in exactly `width` digits (the console zero-pads its numbers).
fn number(s: &str, width: usize) -> Option<u16> {
    (s.len() == width && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

/// The X32 ratio index nearest (in ratio) to a ratio.
fn nearest_ratio(r: f32) -> usize {
    let dist = |x: f32| (x.ln() - r.max(1.0).ln()).abs();
    (0..RATIOS.len())
        .min_by(|&a, &b| dist(RATIOS[a]).total_cmp(&dist(RATIOS[b])))
        .unwrap_or(0)
}

/// The console's filter shape of an X32 EQ type (the vintage EQ is a peak,
/// the bus crossovers are low cuts... of their side).
fn our_eq_type(x32: usize) -> EqType {
    match x32 {
        0 => EqType::HighPass,
        1 => EqType::LowShelf,
        2 | 3 => EqType::Peak,
        4 => EqType::HighShelf,
        _ => EqType::LowPass,
    }
}

fn x32_eq_type(t: EqType) -> usize {
    match t {
        EqType::HighPass => 0,
        EqType::LowShelf => 1,
        EqType::Peak => 2,
        EqType::HighShelf => 4,
        EqType::LowPass => 5,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use super::super::testing::mix;

    fn leaf(t: &Table, path: &str) -> Addr {
        match t.find(path) {
            Some(Found::Leaf(a)) => a,
            other => panic!("{path}: {other:?}"),
        }
    }

    #[test]
    fn every_address_reads_back_its_own_path() {
        for flavour in [X32Flavour::X32, X32Flavour::XAir] {
            let t = Table::new(flavour);
            let mut n = 0;
            for p in t
                .strips()
                .iter()
                .chain([&prefix("", Kind::Global, 1, 0, 0)])
            {
                for index in 0..p.count {
                    let strip = Strip {
                        kind: p.kind,
                        index,
                    };
                    for (i, l) in leaves(p.kind).iter().enumerate() {
                        let (count, _) = t.numbering(p.kind, l.num);
                        let nums = if l.num == Num::None { 0..=0 } else { 1..=count };
                        for num in nums.filter(|num| t.exists(p.kind, l, *num)) {
                            let a = Addr {
                                strip,
                                leaf: i as u16,
                                num,
                            };
                            assert_eq!(t.find(&t.path(a)), Some(Found::Leaf(a)), "{}", t.path(a));
                            n += 1;
                        }
                    }
                }
            }
            assert!(n > 2500, "{flavour:?}: {n} addresses");
        }
    }

    #[test]
    fn paths_are_the_consoles() {
        let x = Table::new(X32Flavour::X32);
        let a = Table::new(X32Flavour::XAir);
        for p in [
            "/ch/01/mix/fader",
            "/ch/32/mix/16/level",
            "/ch/05/mix/03/type",
            "/bus/16/config/name",
            "/main/st/mix/on",
            "/main/m/mix/fader",
            "/main/st/grp/dca",
            "/dca/8/fader",
            "/headamp/127/gain",
            "/mtx/06/mix/fader",
            "/auxin/08/mix/on",
            "/-stat/solosw/01",
            "/config/mute/6",
            "/ch/01/eq/4/q",
            "/bus/01/eq/6/type",
        ] {
            assert!(matches!(x.find(p), Some(Found::Leaf(_))), "{p}");
        }
        for p in [
            "/ch/1/mix/fader",
            "/ch/33/mix/fader",
            "/ch/01/mix/02/type",
            "/ch/01/mix/17/level",
            "/ch/01/eq/5/f",
            "/lr/mix/fader",
            "/ch/01/mix/lr",
            "/ch/01/mix/fader/x",
            "/",
            "",
            "/ch//mix",
        ] {
            assert!(!matches!(x.find(p), Some(Found::Leaf(_))), "{p}");
        }
        for p in [
            "/lr/mix/fader",
            "/bus/6/mix/on",
            "/ch/16/mix/10/level",
            "/ch/01/mix/lr",
        ] {
            assert!(matches!(a.find(p), Some(Found::Leaf(_))), "{p}");
        }
        assert!(a.find("/bus/06/mix/on").is_none());
        assert!(a.find("/ch/17/mix/on").is_none());
    }

    /// Each law through a real parameter: what a client sets, the console
    /// stores in its own unit and reports back.
    #[test]
    fn values_reach_the_console_in_its_units() {
        let t = Table::new(X32Flavour::X32);
        let mut m = mix();
        let o = Origin::Session;
        let set = |m: &mut Mix, p: &str, x: f32| {
            let a = leaf(&t, p);
            let v = t.leaf(a).law.from_arg(&rosc::OscType::Float(x)).unwrap();
            t.set(m, a, &v, o)
        };
        let get = |m: &Mix, id: ParamId| m.get(id).unwrap();
        set(&mut m, "ch/01/mix/fader", 0.75);
        assert_eq!(get(&m, ParamId::track(0, Param::Gain)), 0.0);
        set(&mut m, "ch/01/mix/fader", 0.0625);
        assert!((get(&m, ParamId::track(0, Param::Gain)) + 60.0).abs() < 1e-4);
        set(&mut m, "ch/01/mix/on", 0.0);
        assert_eq!(get(&m, ParamId::track(0, Param::Mute)), 1.0);
        set(&mut m, "ch/01/mix/pan", 0.25);
        assert_eq!(get(&m, ParamId::track(0, Param::Pan)), -0.5);
        set(&mut m, "ch/02/eq/3/f", 0.5);
        let band = |field| ParamId::track(1, Param::Eq { band: 2, field });
        assert!((get(&m, band(EqField::Freq)) - 632.456).abs() < 0.01);
        set(&mut m, "ch/02/eq/3/g", 0.75);
        assert_eq!(get(&m, band(EqField::Gain)), 7.5);
        set(&mut m, "ch/02/eq/3/q", 0.4648);
        assert!((get(&m, band(EqField::Q)) - 2.0).abs() < 0.05);
        set(&mut m, "ch/02/eq/3/type", 0.0);
        assert_eq!(
            get(&m, band(EqField::Type)),
            EqType::HighPass as usize as f32
        );
        set(&mut m, "ch/03/preamp/hpf", 0.5);
        assert!((get(&m, ParamId::track(2, Param::HpfFreq)) - 89.44).abs() < 0.01);
        set(&mut m, "ch/03/preamp/trim", 0.75);
        assert_eq!(get(&m, ParamId::track(2, Param::Trim)), 9.0);
        set(&mut m, "ch/03/dyn/ratio", 6.0);
        assert_eq!(
            get(&m, ParamId::track(2, Param::Comp(CompField::Ratio))),
            4.0
        );
        set(&mut m, "ch/03/gate/thr", 0.5);
        assert_eq!(
            get(&m, ParamId::track(2, Param::Gate(GateField::Threshold))),
            -40.0
        );
        set(&mut m, "ch/03/gate/release", 0.0);
        assert_eq!(
            get(&m, ParamId::track(2, Param::Gate(GateField::Release))),
            5.0
        );
        set(&mut m, "ch/04/mix/02/level", 0.5);
        let send = |field| ParamId::track(3, Param::Send { bus: 1, field });
        assert!((get(&m, send(SendField::Level)) + 10.0).abs() < 1e-4);
        set(&mut m, "ch/04/mix/01/type", 3.0);
        assert_eq!(
            get(
                &m,
                ParamId::track(
                    3,
                    Param::Send {
                        bus: 0,
                        field: SendField::Pre
                    }
                )
            ),
            1.0
        );
        set(&mut m, "bus/02/mix/fader", 0.5);
        assert!((get(&m, ParamId::bus(1, Param::Gain)) + 10.0).abs() < 1e-4);
        set(&mut m, "main/st/mix/on", 0.0);
        assert_eq!(get(&m, ParamId::master(Param::Mute)), 1.0);
        set(&mut m, "-stat/solosw/02", 1.0);
        assert_eq!(get(&m, ParamId::track(1, Param::Solo)), 1.0);
        set(&mut m, "ch/01/eq/on", 0.0);
        for band in 0..4 {
            let on = ParamId::track(
                0,
                Param::Eq {
                    band,
                    field: EqField::On,
                },
            );
            assert_eq!(get(&m, on), 0.0);
        }
        // Reads come back in the law of the address.
        let read = |m: &Mix, p: &str| t.leaf(leaf(&t, p)).law.wire(&t.get(m, leaf(&t, p)));
        assert_eq!(read(&m, "ch/01/mix/on"), Wire::Int(0));
        assert_eq!(read(&m, "ch/01/mix/pan"), Wire::Float(0.25));
        assert_eq!(read(&m, "ch/03/dyn/ratio"), Wire::Int(6));
        assert_eq!(read(&m, "ch/04/mix/01/type"), Wire::Int(3));
        assert_eq!(read(&m, "ch/01/config/name"), Wire::Str("Track 1".into()));
        // Strips the session lacks: defaults, and sets change nothing.
        assert_eq!(read(&m, "ch/20/mix/fader"), Wire::Float(0.0));
        assert_eq!(read(&m, "ch/20/config/name"), Wire::Str(String::new()));
        assert!(set(&mut m, "ch/20/mix/fader", 0.5).is_empty());
        assert!(
            set(&mut m, "ch/01/mix/05/level", 0.5).is_empty(),
            "no bus 5"
        );
        assert!(set(&mut m, "mtx/01/mix/fader", 0.5).is_empty());
    }

    use super::super::laws::Wire;

    #[test]
    fn changes_show_on_their_addresses() {
        let t = Table::new(X32Flavour::X32);
        let paths =
            |key| -> Vec<String> { t.addresses_of(key).into_iter().map(|a| t.path(a)).collect() };
        assert_eq!(
            paths(Key::Param(ParamId::track(0, Param::Gain))),
            ["ch/01/mix/fader"]
        );
        assert_eq!(
            paths(Key::Param(ParamId::track(2, Param::Mute))),
            ["ch/03/mix/on"]
        );
        assert_eq!(
            paths(Key::Param(ParamId::track(1, Param::Solo))),
            ["-stat/solosw/02"]
        );
        assert_eq!(paths(Key::Name(Owner::Bus(1))), ["bus/02/config/name"]);
        assert_eq!(paths(Key::Colour(Owner::Track(0))), ["ch/01/config/color"]);
        let eq_on = Key::Param(ParamId::track(
            0,
            Param::Eq {
                band: 1,
                field: EqField::On,
            },
        ));
        assert_eq!(paths(eq_on), ["ch/01/eq/on"]);
        let pre = Key::Param(ParamId::track(
            0,
            Param::Send {
                bus: 1,
                field: SendField::Pre,
            },
        ));
        assert!(paths(pre).is_empty(), "even sends have no type");
        let pre = Key::Param(ParamId::track(
            0,
            Param::Send {
                bus: 2,
                field: SendField::Pre,
            },
        ));
        assert_eq!(paths(pre), ["ch/01/mix/03/type"]);
        assert_eq!(
            paths(Key::Param(ParamId::master(Param::Gain))),
            ["main/st/mix/fader"]
        );
        assert!(paths(Key::Param(ParamId::track(40, Param::Gain))).is_empty());
        let xair = Table::new(X32Flavour::XAir);
        let a = xair.addresses_of(Key::Param(ParamId::master(Param::Gain)));
        assert_eq!(xair.path(a[0]), "lr/mix/fader");
    }
}
