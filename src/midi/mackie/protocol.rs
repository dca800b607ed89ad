//! Mackie Control bytes: note numbers, SysEx messages and the small
//! encodings of the protocol (V-Pot ticks, LED rings, meters, seven-segment
//! characters). Facts from `shared/reference/mackie-control.md`.

use crate::session::Colour;

/// Strips per unit.
pub const STRIPS: usize = 8;
/// Characters per scribble-strip line of one unit (7 per strip).
pub const LINE: usize = 56;
/// Characters per scribble-strip cell; the 7th of each is a spacer.
pub const CELL: usize = 7;

/// Strip buttons: note = base + strip.
pub const REC: u8 = 0x00;
pub const SOLO: u8 = 0x08;
pub const MUTE: u8 = 0x10;
pub const SELECT: u8 = 0x18;
pub const VPOT_PUSH: u8 = 0x20;
pub const FADER_TOUCH: u8 = 0x68;
pub const MASTER_TOUCH: u8 = 0x70;

/// Global buttons (main unit).
pub const ASSIGN_SEND: u8 = 0x29;
pub const ASSIGN_PAN: u8 = 0x2A;
pub const ASSIGN_PLUGIN: u8 = 0x2B;
pub const BANK_LEFT: u8 = 0x2E;
pub const BANK_RIGHT: u8 = 0x2F;
pub const CHANNEL_LEFT: u8 = 0x30;
pub const CHANNEL_RIGHT: u8 = 0x31;
pub const READ: u8 = 0x4A;
pub const WRITE: u8 = 0x4B;
pub const TRIM: u8 = 0x4C;
pub const TOUCH: u8 = 0x4D;
pub const LATCH: u8 = 0x4E;
pub const SMPTE_BEATS: u8 = 0x35;
/// The SMPTE and BEATS LEDs beside the timecode display.
pub const SMPTE_LED: u8 = 0x71;
pub const BEATS_LED: u8 = 0x72;
pub const MARKER: u8 = 0x54;
pub const CYCLE: u8 = 0x56;
pub const REWIND: u8 = 0x5B;
pub const FAST_FORWARD: u8 = 0x5C;
pub const STOP: u8 = 0x5D;
pub const PLAY: u8 = 0x5E;
pub const RECORD: u8 = 0x5F;

/// V-Pot rotation: `B0 10+n`; LED ring: `B0 30+n`.
pub const VPOT_ROTATE: u8 = 0x10;
pub const VPOT_RING: u8 = 0x30;
/// The two-character assignment display: `B0 4A` (left), `B0 4B`.
pub const ASSIGNMENT: [u8; 2] = [0x4A, 0x4B];
/// Timecode digits, rightmost first: `B0 40` is the rightmost of ten.
pub const TIMECODE: u8 = 0x40;
pub const TIMECODE_DIGITS: usize = 10;

/// The SysEx header of a device id: `F0 00 00 66 dd`.
fn sysex(device: u8, body: &[u8]) -> Vec<u8> {
    let mut m = vec![0xF0, 0x00, 0x00, 0x66, device];
    m.extend(body.iter().map(|b| b & 0x7F));
    m.push(0xF7);
    m
}

/// The host's wake-up / device query.
pub fn device_query(device: u8) -> Vec<u8> {
    sysex(device, &[0x00])
}

/// Whether a SysEx body (between `F0` and `F7`) is a device's answer to
/// the query: `00 00 66 dd 01 <serial> <challenge>`.
pub fn is_device_reply(body: &[u8]) -> bool {
    body.len() >= 5 && body[..3] == [0x00, 0x00, 0x66] && body[4] == 0x01
}

/// Scribble-strip text at `offset` (0..0x37 upper line, 0x38..0x6F lower).
pub fn lcd(device: u8, offset: u8, text: &[u8]) -> Vec<u8> {
    let mut body = vec![0x12, offset];
    body.extend_from_slice(text);
    sysex(device, &body)
}

/// X-Touch scribble-strip colours, one per strip.
pub fn colours(device: u8, c: [u8; STRIPS]) -> Vec<u8> {
    let mut body = vec![0x72];
    body.extend_from_slice(&c);
    sysex(device, &body)
}

/// The X-Touch's code of a strip colour (0 is off).
pub fn colour_code(c: Colour) -> u8 {
    match c {
        Colour::Off => 0,
        Colour::Red => 1,
        Colour::Green => 2,
        Colour::Yellow => 3,
        Colour::Blue => 4,
        Colour::Magenta => 5,
        Colour::Cyan => 6,
        Colour::White => 7,
    }
}

/// Channel meter mode of strip `n`: signal LED, peak hold and LCD meter on.
pub fn meter_mode(device: u8, n: u8) -> Vec<u8> {
    sysex(device, &[0x20, n, 0x07])
}

/// V-Pot ticks from a rotation byte: bit 6 = counter-clockwise, bits 0..5
/// the count (0 meaning 1, as some devices send).
pub fn vpot_ticks(v: u8) -> i32 {
    let n = i32::from(v & 0x3F).max(1);
    if v & 0x40 != 0 {
        -n
    } else {
        n
    }
}

/// LED ring display modes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RingMode {
    Dot = 0,
    BoostCut = 1,
    Wrap = 2,
    Spread = 3,
}

/// The ring byte: `position` 0..=11 (0 all off), centre LED separately.
pub fn ring(mode: RingMode, position: u8, centre: bool) -> u8 {
    ((centre as u8) << 6) | ((mode as u8) << 4) | position.min(11)
}

/// Meter segment (0..=0xC) lit by a peak in dBFS: 0xC at 0 dBFS, then one
/// segment per step of this table down to -60 dB; silence lights nothing.
pub fn meter_level(peak_db: f32) -> u8 {
    const LIT_FROM: [f32; 12] = [
        -60.0, -50.0, -40.0, -30.0, -24.0, -18.0, -14.0, -10.0, -6.0, -4.0, -2.0, 0.0,
    ];
    LIT_FROM.iter().take_while(|&&t| peak_db >= t).count() as u8
}

/// A seven-segment display character: letters and `@[\]^_` as 0x00..0x1F,
/// space, digits and punctuation as themselves; +0x40 lights the dot.
/// Characters the display cannot show become a space.
pub fn seven_segment(c: char, dot: bool) -> u8 {
    let c = c.to_ascii_uppercase();
    let code = match c as u32 {
        0x40..=0x5F => c as u8 - 0x40,
        0x20..=0x3F => c as u8,
        _ => b' ',
    };
    code | if dot { 0x40 } else { 0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sysex_messages_byte_for_byte() {
        assert_eq!(device_query(0x14), [0xF0, 0, 0, 0x66, 0x14, 0x00, 0xF7]);
        assert_eq!(device_query(0x15), [0xF0, 0, 0, 0x66, 0x15, 0x00, 0xF7]);
        assert_eq!(
            lcd(0x14, 0x38, b"Hi"),
            [0xF0, 0, 0, 0x66, 0x14, 0x12, 0x38, b'H', b'i', 0xF7]
        );
        assert_eq!(
            colours(0x14, [1, 2, 3, 4, 5, 6, 7, 0]),
            [0xF0, 0, 0, 0x66, 0x14, 0x72, 1, 2, 3, 4, 5, 6, 7, 0, 0xF7]
        );
        assert_eq!(
            meter_mode(0x14, 3),
            [0xF0, 0, 0, 0x66, 0x14, 0x20, 3, 7, 0xF7]
        );
        assert!(is_device_reply(&[0, 0, 0x66, 0x14, 0x01, 1, 2, 3]));
        assert!(!is_device_reply(&[0, 0, 0x66, 0x14, 0x12, 1]));
        assert!(!is_device_reply(&[0, 0, 0x66]));
    }

    #[test]
    fn vpot_ticks_table() {
        for (byte, ticks) in [
            (0x01, 1),
            (0x05, 5),
            (0x41, -1),
            (0x4F, -15),
            (0x00, 1),
            (0x40, -1),
            (0x3F, 63),
        ] {
            assert_eq!(vpot_ticks(byte), ticks, "{byte:#04x}");
        }
    }

    #[test]
    fn ring_bytes() {
        assert_eq!(ring(RingMode::Dot, 6, true), 0x46);
        assert_eq!(ring(RingMode::BoostCut, 1, false), 0x11);
        assert_eq!(ring(RingMode::Wrap, 11, false), 0x2B);
        assert_eq!(ring(RingMode::Spread, 20, false), 0x3B);
        assert_eq!(ring(RingMode::Wrap, 0, false), 0x20);
    }

    #[test]
    fn meter_levels() {
        for (db, lvl) in [
            (-200.0, 0),
            (-61.0, 0),
            (-60.0, 1),
            (-35.0, 3),
            (-10.0, 8),
            (-0.1, 11),
            (0.0, 12),
            (6.0, 12),
        ] {
            assert_eq!(meter_level(db), lvl, "{db} dB");
        }
    }

    #[test]
    fn seven_segment_characters() {
        assert_eq!(seven_segment('A', false), 0x01);
        assert_eq!(seven_segment('a', false), 0x01);
        assert_eq!(seven_segment('0', false), 0x30);
        assert_eq!(seven_segment('9', true), 0x79);
        assert_eq!(seven_segment(' ', false), 0x20);
        assert_eq!(seven_segment('-', false), 0x2D);
        assert_eq!(seven_segment('é', false), 0x20);
    }
}
