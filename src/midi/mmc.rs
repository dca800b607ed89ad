//! MIDI Machine Control: the transport commands a DAW or a recorder sends
//! as universal real-time SysEx, `F0 7F <device> 06 <command> … F7`.
//!
//! Any surface's input may carry them. Device 0x7F is "all devices";
//! every device ID is accepted, as this console is the only machine on its
//! ports. Commands that mean nothing here (eject, chase, pause's variants)
//! are left to the surface, which counts them as unmapped.

use super::TransportAction;

/// The transport action an MMC message asks for, if `bytes` is one this
/// console carries out.
pub fn decode(bytes: &[u8]) -> Option<TransportAction> {
    let [0xF0, 0x7F, _device, 0x06, command, rest @ ..] = bytes else {
        return None;
    };
    let (&end, body) = rest.split_last()?;
    if end != 0xF7 {
        return None;
    }
    Some(match (*command, body) {
        (0x01, []) | (0x09, []) => TransportAction::Stop,
        (0x02, []) | (0x03, []) => TransportAction::Play,
        (0x04, []) => TransportAction::FastForward,
        (0x05, []) => TransportAction::Rewind,
        (0x06, []) => TransportAction::Record,
        // Locate to a target: 44 06 01 hr mn sc fr ff.
        (0x44, [0x06, 0x01, hr, mn, sc, fr, ff]) => {
            if [*hr, *mn, *sc, *fr, *ff].iter().any(|b| *b > 0x7F) {
                return None;
            }
            let fps: f64 = match (hr >> 5) & 0x03 {
                0 => 24.0,
                1 => 25.0,
                2 => 29.97,
                _ => 30.0,
            };
            let (h, m, s, f) = (hr & 0x1F, *mn, *sc, fr & 0x1F);
            if h > 23 || m > 59 || s > 59 || f64::from(f) >= fps.ceil() || *ff > 99 {
                return None;
            }
            let seconds = f64::from(h) * 3600.0
                + f64::from(m) * 60.0
                + f64::from(s)
                + (f64::from(f) + f64::from(*ff) / 100.0) / fps;
            TransportAction::Locate(seconds)
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_and_locate() {
        assert_eq!(
            decode(&[0xF0, 0x7F, 0x7F, 0x06, 0x02, 0xF7]),
            Some(TransportAction::Play)
        );
        assert_eq!(
            decode(&[0xF0, 0x7F, 0x01, 0x06, 0x01, 0xF7]),
            Some(TransportAction::Stop)
        );
        assert_eq!(
            decode(&[0xF0, 0x7F, 0x7F, 0x06, 0x06, 0xF7]),
            Some(TransportAction::Record)
        );
        // 01:02:03, frame 12 at 25 fps (rate bits 01).
        let locate = [
            0xF0, 0x7F, 0x7F, 0x06, 0x44, 0x06, 0x01, 0x21, 0x02, 0x03, 0x0C, 0x00, 0xF7,
        ];
        assert_eq!(
            decode(&locate),
            Some(TransportAction::Locate(3723.0 + 12.0 / 25.0))
        );
        for junk in [
            &[0xF0, 0x7F, 0x7F, 0x06, 0x02][..],
            &[0xF0, 0x7E, 0x7F, 0x06, 0x02, 0xF7],
            &[
                0xF0, 0x7F, 0x7F, 0x06, 0x44, 0x06, 0x01, 0x3F, 0x00, 0x00, 0x00, 0x00, 0xF7,
            ],
            &[0xF0, 0x7F, 0x7F, 0x06, 0x02, 0x00, 0xF7],
            &[],
        ] {
            assert_eq!(decode(junk), None, "{junk:x?}");
        }
    }
}
