//! MIDI 1.0 messages, byte for byte.
//!
//! midir hands over one whole message at a time (running status already
//! expanded), so decoding works on one message's bytes and refuses anything
//! that is not exactly one well-formed message: devices send junk, and a
//! surface must count and drop it rather than guess.

use std::fmt;

/// One MIDI message. Channels are 0-based (0..=15) here, as on the wire;
/// mapping files and logs show them 1-based.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Message<'a> {
    /// Also what a note-on with velocity 0 decodes to.
    NoteOff {
        channel: u8,
        note: u8,
        velocity: u8,
    },
    /// Velocity 1..=127 when decoded; encoding writes any velocity as given
    /// (Mackie LEDs are switched off with a note-on of velocity 0).
    NoteOn {
        channel: u8,
        note: u8,
        velocity: u8,
    },
    PolyPressure {
        channel: u8,
        note: u8,
        pressure: u8,
    },
    ControlChange {
        channel: u8,
        controller: u8,
        value: u8,
    },
    ProgramChange {
        channel: u8,
        program: u8,
    },
    ChannelPressure {
        channel: u8,
        pressure: u8,
    },
    /// 14-bit, 0..=16383, centre 8192.
    PitchBend {
        channel: u8,
        value: u16,
    },
    /// The bytes between `F0` and `F7`, exclusive.
    SysEx(&'a [u8]),
    /// MIDI time code quarter frame (`F1`).
    TimeCode(u8),
    SongPosition(u16),
    SongSelect(u8),
    TuneRequest,
    /// Clock, start, continue, stop, active sensing, reset (`F8`..`FF`).
    RealTime(u8),
}

/// Why bytes are not one MIDI message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("empty message")]
    Empty,
    #[error("starts with data byte {0:#04x}, not a status byte")]
    NoStatus(u8),
    #[error("status {status:#04x} needs {needed} data bytes, got {got}")]
    Length {
        status: u8,
        needed: usize,
        got: usize,
    },
    #[error("data byte {0:#04x} has its top bit set")]
    BadData(u8),
    #[error("system exclusive message without its closing F7")]
    Unterminated,
    #[error("undefined status byte {0:#04x}")]
    Undefined(u8),
}

impl<'a> Message<'a> {
    /// Decode exactly one message.
    pub fn decode(bytes: &'a [u8]) -> Result<Message<'a>, DecodeError> {
        let (&status, data) = bytes.split_first().ok_or(DecodeError::Empty)?;
        if status < 0x80 {
            return Err(DecodeError::NoStatus(status));
        }
        if status == 0xF0 {
            let (&last, body) = data.split_last().ok_or(DecodeError::Unterminated)?;
            if last != 0xF7 {
                return Err(DecodeError::Unterminated);
            }
            if let Some(&b) = body.iter().find(|&&b| b >= 0x80) {
                return Err(DecodeError::BadData(b));
            }
            return Ok(Message::SysEx(body));
        }
        let needed = data_len(status).ok_or(DecodeError::Undefined(status))?;
        if data.len() != needed {
            return Err(DecodeError::Length {
                status,
                needed,
                got: data.len(),
            });
        }
        if let Some(&b) = data.iter().find(|&&b| b >= 0x80) {
            return Err(DecodeError::BadData(b));
        }
        let channel = status & 0x0F;
        let d0 = data.first().copied().unwrap_or(0);
        let d1 = data.get(1).copied().unwrap_or(0);
        Ok(match status & 0xF0 {
            0x80 => Message::NoteOff {
                channel,
                note: d0,
                velocity: d1,
            },
            0x90 if d1 == 0 => Message::NoteOff {
                channel,
                note: d0,
                velocity: 0,
            },
            0x90 => Message::NoteOn {
                channel,
                note: d0,
                velocity: d1,
            },
            0xA0 => Message::PolyPressure {
                channel,
                note: d0,
                pressure: d1,
            },
            0xB0 => Message::ControlChange {
                channel,
                controller: d0,
                value: d1,
            },
            0xC0 => Message::ProgramChange {
                channel,
                program: d0,
            },
            0xD0 => Message::ChannelPressure {
                channel,
                pressure: d0,
            },
            0xE0 => Message::PitchBend {
                channel,
                value: join14(d1, d0),
            },
            _ => match status {
                0xF1 => Message::TimeCode(d0),
                0xF2 => Message::SongPosition(join14(d1, d0)),
                0xF3 => Message::SongSelect(d0),
                0xF6 => Message::TuneRequest,
                _ => Message::RealTime(status),
            },
        })
    }

    /// Append this message's bytes to `out`. Out-of-range fields are masked
    /// to their width (channel to 4 bits, data to 7, pitch bend to 14).
    pub fn encode(&self, out: &mut Vec<u8>) {
        let ch = |base: u8, channel: u8| base | (channel & 0x0F);
        match *self {
            Message::NoteOff {
                channel,
                note,
                velocity,
            } => out.extend([ch(0x80, channel), note & 0x7F, velocity & 0x7F]),
            Message::NoteOn {
                channel,
                note,
                velocity,
            } => out.extend([ch(0x90, channel), note & 0x7F, velocity & 0x7F]),
            Message::PolyPressure {
                channel,
                note,
                pressure,
            } => out.extend([ch(0xA0, channel), note & 0x7F, pressure & 0x7F]),
            Message::ControlChange {
                channel,
                controller,
                value,
            } => out.extend([ch(0xB0, channel), controller & 0x7F, value & 0x7F]),
            Message::ProgramChange { channel, program } => {
                out.extend([ch(0xC0, channel), program & 0x7F])
            }
            Message::ChannelPressure { channel, pressure } => {
                out.extend([ch(0xD0, channel), pressure & 0x7F])
            }
            Message::PitchBend { channel, value } => {
                let (msb, lsb) = split14(value);
                out.extend([ch(0xE0, channel), lsb, msb])
            }
            Message::SysEx(body) => {
                out.push(0xF0);
                out.extend(body.iter().map(|b| b & 0x7F));
                out.push(0xF7);
            }
            Message::TimeCode(v) => out.extend([0xF1, v & 0x7F]),
            Message::SongPosition(v) => {
                let (msb, lsb) = split14(v);
                out.extend([0xF2, lsb, msb])
            }
            Message::SongSelect(v) => out.extend([0xF3, v & 0x7F]),
            Message::TuneRequest => out.push(0xF6),
            Message::RealTime(s) => out.push(s | 0xF8),
        }
    }

    /// This message's bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(3);
        self.encode(&mut out);
        out
    }

    /// The channel of a channel message.
    pub fn channel(&self) -> Option<u8> {
        match *self {
            Message::NoteOff { channel, .. }
            | Message::NoteOn { channel, .. }
            | Message::PolyPressure { channel, .. }
            | Message::ControlChange { channel, .. }
            | Message::ProgramChange { channel, .. }
            | Message::ChannelPressure { channel, .. }
            | Message::PitchBend { channel, .. } => Some(channel),
            _ => None,
        }
    }
}

impl fmt::Display for Message<'_> {
    /// As a person reads it, channels 1-based.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = |channel: u8| channel + 1;
        match *self {
            Message::NoteOff { channel, note, .. } => {
                write!(f, "note off {note} ch {}", c(channel))
            }
            Message::NoteOn {
                channel,
                note,
                velocity,
            } => write!(f, "note on {note} vel {velocity} ch {}", c(channel)),
            Message::PolyPressure { channel, note, .. } => {
                write!(f, "poly pressure {note} ch {}", c(channel))
            }
            Message::ControlChange {
                channel,
                controller,
                value,
            } => write!(f, "cc {controller} = {value} ch {}", c(channel)),
            Message::ProgramChange { channel, program } => {
                write!(f, "program {program} ch {}", c(channel))
            }
            Message::ChannelPressure { channel, pressure } => {
                write!(f, "channel pressure {pressure} ch {}", c(channel))
            }
            Message::PitchBend { channel, value } => {
                write!(f, "pitch bend {value} ch {}", c(channel))
            }
            Message::SysEx(body) => write!(f, "sysex ({} bytes)", body.len()),
            Message::TimeCode(v) => write!(f, "time code quarter frame {v:#04x}"),
            Message::SongPosition(v) => write!(f, "song position {v}"),
            Message::SongSelect(v) => write!(f, "song select {v}"),
            Message::TuneRequest => write!(f, "tune request"),
            Message::RealTime(s) => write!(f, "real-time {s:#04x}"),
        }
    }
}

/// Data bytes after a status byte (other than `F0`); `None` if undefined.
fn data_len(status: u8) -> Option<usize> {
    match status {
        0x80..=0xBF | 0xE0..=0xEF | 0xF2 => Some(2),
        0xC0..=0xDF | 0xF1 | 0xF3 => Some(1),
        0xF6 | 0xF8 | 0xFA..=0xFC | 0xFE | 0xFF => Some(0),
        _ => None,
    }
}

/// A 14-bit value from its 7-bit halves.
pub fn join14(msb: u8, lsb: u8) -> u16 {
    (u16::from(msb & 0x7F) << 7) | u16::from(lsb & 0x7F)
}

/// A 14-bit value's (MSB, LSB) halves; bits above 14 are dropped.
pub fn split14(v: u16) -> (u8, u8) {
    (((v >> 7) & 0x7F) as u8, (v & 0x7F) as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (bytes, message): decoding gives the message, encoding gives the bytes back.
    fn round_trips() -> Vec<(Vec<u8>, Message<'static>)> {
        vec![
            (
                vec![0x80, 60, 64],
                Message::NoteOff {
                    channel: 0,
                    note: 60,
                    velocity: 64,
                },
            ),
            (
                vec![0x93, 0x68, 0x7F],
                Message::NoteOn {
                    channel: 3,
                    note: 0x68,
                    velocity: 127,
                },
            ),
            (
                vec![0xAF, 1, 2],
                Message::PolyPressure {
                    channel: 15,
                    note: 1,
                    pressure: 2,
                },
            ),
            (
                vec![0xB0, 0x10, 0x41],
                Message::ControlChange {
                    channel: 0,
                    controller: 0x10,
                    value: 0x41,
                },
            ),
            (
                vec![0xC2, 5],
                Message::ProgramChange {
                    channel: 2,
                    program: 5,
                },
            ),
            (
                vec![0xD0, 0x3C],
                Message::ChannelPressure {
                    channel: 0,
                    pressure: 0x3C,
                },
            ),
            (
                vec![0xE8, 0x7F, 0x7F],
                Message::PitchBend {
                    channel: 8,
                    value: 16383,
                },
            ),
            (
                vec![0xE0, 0x00, 0x40],
                Message::PitchBend {
                    channel: 0,
                    value: 8192,
                },
            ),
            (
                vec![0xF0, 0x00, 0x00, 0x66, 0x14, 0x00, 0xF7],
                Message::SysEx(&[0x00, 0x00, 0x66, 0x14, 0x00]),
            ),
            (vec![0xF0, 0xF7], Message::SysEx(&[])),
            (vec![0xF1, 0x23], Message::TimeCode(0x23)),
            (vec![0xF2, 0x01, 0x02], Message::SongPosition(0x101)),
            (vec![0xF3, 9], Message::SongSelect(9)),
            (vec![0xF6], Message::TuneRequest),
            (vec![0xF8], Message::RealTime(0xF8)),
            (vec![0xFA], Message::RealTime(0xFA)),
        ]
    }

    #[test]
    fn every_kind_round_trips_byte_for_byte() {
        for (bytes, message) in round_trips() {
            assert_eq!(Message::decode(&bytes), Ok(message), "{bytes:02x?}");
            assert_eq!(message.to_bytes(), bytes, "{message}");
        }
    }

    #[test]
    fn note_on_with_velocity_zero_is_a_note_off() {
        assert_eq!(
            Message::decode(&[0x91, 0x10, 0]),
            Ok(Message::NoteOff {
                channel: 1,
                note: 0x10,
                velocity: 0
            })
        );
        // Encoding is literal: a note-on of velocity 0 stays one.
        let off = Message::NoteOn {
            channel: 0,
            note: 0x10,
            velocity: 0,
        };
        assert_eq!(off.to_bytes(), [0x90, 0x10, 0x00]);
    }

    #[test]
    fn malformed_bytes_are_refused_with_the_reason() {
        use DecodeError::*;
        let cases: &[(&[u8], DecodeError)] = &[
            (&[], Empty),
            (&[0x40, 1, 2], NoStatus(0x40)),
            (
                &[0x90, 1],
                Length {
                    status: 0x90,
                    needed: 2,
                    got: 1,
                },
            ),
            (
                &[0xB0, 1, 2, 3],
                Length {
                    status: 0xB0,
                    needed: 2,
                    got: 3,
                },
            ),
            (&[0x90, 0x80, 1], BadData(0x80)),
            (&[0xF0, 1, 2], Unterminated),
            (&[0xF0], Unterminated),
            (&[0xF0, 1, 0x90, 0xF7], BadData(0x90)),
            (&[0xF4], Undefined(0xF4)),
            (&[0xF9], Undefined(0xF9)),
            (&[0xFD], Undefined(0xFD)),
            (&[0xF7], Undefined(0xF7)),
        ];
        for (bytes, e) in cases {
            assert_eq!(Message::decode(bytes), Err(*e), "{bytes:02x?}");
        }
    }

    #[test]
    fn encoding_masks_fields_to_their_width() {
        let m = Message::ControlChange {
            channel: 17,
            controller: 0x80 | 7,
            value: 0xFF,
        };
        assert_eq!(m.to_bytes(), [0xB1, 7, 0x7F]);
        assert_eq!(
            Message::PitchBend {
                channel: 0,
                value: 0xFFFF
            }
            .to_bytes(),
            [0xE0, 0x7F, 0x7F]
        );
    }

    #[test]
    fn fourteen_bit_halves() {
        for v in [0u16, 1, 127, 128, 8192, 12700, 16383] {
            let (msb, lsb) = split14(v);
            assert_eq!(join14(msb, lsb), v);
        }
        assert_eq!(split14(8192), (0x40, 0));
    }

    #[test]
    fn display_is_one_based() {
        let m = Message::decode(&[0xB0, 7, 100]).unwrap();
        assert_eq!(m.to_string(), "cc 7 = 100 ch 1");
        assert_eq!(m.channel(), Some(0));
    }
}
