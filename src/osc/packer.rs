//! Messages into datagrams: as few as possible, none larger than a safe UDP
//! payload, so that feedback to a tablet on Wi-Fi is never fragmented.

use rosc::{OscMessage, OscPacket};

/// Largest datagram sent: an Ethernet MTU minus IPv6 and UDP headers, with
/// room to spare for tunnels.
pub const MAX_PAYLOAD: usize = 1400;

/// The OSC time tag meaning "immediately".
const IMMEDIATELY: [u8; 8] = [0, 0, 0, 0, 0, 0, 0, 1];
/// `#bundle\0` and the time tag.
const BUNDLE_HEADER: usize = 16;

/// Collects encoded messages and cuts them into datagrams: a lone message is
/// sent as itself, several are wrapped in a bundle.
#[derive(Debug, Default)]
pub struct Packer {
    pending: Vec<Vec<u8>>,
    /// Bundle size of `pending`, header included.
    size: usize,
    done: Vec<Vec<u8>>,
}

impl Packer {
    pub fn new() -> Packer {
        Packer::default()
    }

    /// Add one message; `false` if rosc cannot encode it (it is skipped).
    pub fn push(&mut self, msg: OscMessage) -> bool {
        let Ok(bytes) = rosc::encoder::encode(&OscPacket::Message(msg)) else {
            return false;
        };
        let cost = 4 + bytes.len();
        if !self.pending.is_empty() && self.size + cost > MAX_PAYLOAD {
            self.cut();
        }
        if self.pending.is_empty() {
            self.size = BUNDLE_HEADER;
        }
        self.size += cost;
        self.pending.push(bytes);
        true
    }

    /// Datagrams finished so far (not counting the one being filled).
    pub fn full(&self) -> usize {
        self.done.len()
    }

    fn cut(&mut self) {
        let datagram = match self.pending.len() {
            0 => return,
            1 => self.pending.pop().expect("one message"),
            _ => {
                let mut b = Vec::with_capacity(self.size);
                b.extend_from_slice(b"#bundle\0");
                b.extend_from_slice(&IMMEDIATELY);
                for m in self.pending.drain(..) {
                    b.extend_from_slice(&(m.len() as u32).to_be_bytes());
                    b.extend_from_slice(&m);
                }
                b
            }
        };
        self.done.push(datagram);
    }

    /// Every datagram, the last one included.
    pub fn finish(mut self) -> Vec<Vec<u8>> {
        self.cut();
        self.done
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rosc::OscType;

    fn msg(i: usize) -> OscMessage {
        OscMessage {
            addr: format!("/track/{i}/fader"),
            args: vec![OscType::Float(i as f32 / 100.0)],
        }
    }

    fn messages(datagram: &[u8]) -> Vec<OscMessage> {
        match rosc::decoder::decode_udp(datagram).unwrap().1 {
            OscPacket::Message(m) => vec![m],
            OscPacket::Bundle(b) => b
                .content
                .into_iter()
                .map(|p| match p {
                    OscPacket::Message(m) => m,
                    OscPacket::Bundle(_) => panic!("nested"),
                })
                .collect(),
        }
    }

    #[test]
    fn one_message_goes_alone() {
        let mut p = Packer::new();
        p.push(msg(1));
        let d = p.finish();
        assert_eq!(d.len(), 1);
        assert_eq!(messages(&d[0]), vec![msg(1)]);
        assert!(!d[0].starts_with(b"#bundle"));
    }

    #[test]
    fn many_messages_fill_bundles_in_order_and_never_overflow() {
        let mut p = Packer::new();
        for i in 0..500 {
            p.push(msg(i));
        }
        let d = p.finish();
        assert!(d.len() > 1);
        assert!(d.iter().all(|x| x.len() <= MAX_PAYLOAD));
        assert!(
            d[..d.len() - 1].iter().all(|x| x.len() > MAX_PAYLOAD - 40),
            "bundles are filled"
        );
        let back: Vec<OscMessage> = d.iter().flat_map(|x| messages(x)).collect();
        assert_eq!(back, (0..500).map(msg).collect::<Vec<_>>());
    }
}
