//! A JACK test client with as many sends and captures as a test needs: it
//! plays one signal into each of the daemon's first inputs and captures
//! its first outputs, frame by frame (the monitor section's speaker sets,
//! sub and phones are outputs past the master's).
#![allow(dead_code)]

use super::jack_harness::{connect_ports, wait_for_ports, Handler, Process};
use std::time::{Duration, Instant};

/// A signal as a function of the tester's frame (at 48 kHz).
pub type Signal = Box<dyn Fn(usize) -> f32 + Send>;

/// A sine of `amp` at `freq` Hz (whole hertz). Its phase is worked out
/// exactly, in cycles, from the frame modulo 48 000 (a whole number of its
/// periods): no drift, and no phase noise to hide a deep stop band.
pub fn sine(freq: f32, amp: f32) -> Signal {
    let freq = f64::from(freq);
    Box::new(move |frame| {
        let cycles = (frame % 48_000) as f64 * freq / 48_000.0;
        amp * (std::f64::consts::TAU * cycles.fract()).sin() as f32
    })
}

/// The sum of sines of `amp` at each of `freqs`.
pub fn tones(freqs: &[f32], amp: f32) -> Signal {
    let parts: Vec<Signal> = freqs.iter().map(|f| sine(*f, amp)).collect();
    Box::new(move |frame| parts.iter().map(|p| p(frame)).sum())
}

/// The most outputs one tester captures.
pub const MAX_CAPTURES: usize = 16;

pub struct Multi {
    client: Option<jack::AsyncClient<(), Handler>>,
    captures: usize,
    /// Captured frames, one item each (so a frame is never split).
    captured: rtrb::Consumer<[f32; MAX_CAPTURES]>,
}

impl Multi {
    /// Connect `sends` to the inputs `in_0..` and capture `captures`
    /// outputs `out_0..` of the cpal client of process `pid`, once its
    /// ports exist (within `within`). No sends: a daemon reading no inputs.
    pub fn connect(pid: u32, sends: Vec<Signal>, captures: usize, within: Duration) -> Multi {
        assert!((1..=MAX_CAPTURES).contains(&captures));
        let (client, _) =
            jack::Client::new("mixbridge-multi", jack::ClientOptions::NO_START_SERVER)
                .expect("the tester connects");
        let mut want = vec![format!("^cpal_client_{pid}_out:out_{}$", captures - 1)];
        if let Some(last) = sends.len().checked_sub(1) {
            want.push(format!("^cpal_client_{pid}_in:in_{last}$"));
        }
        wait_for_ports(&client, &want, within);
        let mut outs: Vec<jack::Port<jack::AudioOut>> = (0..sends.len())
            .map(|k| {
                client
                    .register_port(&format!("send_{k}"), jack::AudioOut::default())
                    .unwrap()
            })
            .collect();
        let ins: Vec<jack::Port<jack::AudioIn>> = (0..captures)
            .map(|k| {
                client
                    .register_port(&format!("capture_{k}"), jack::AudioIn::default())
                    .unwrap()
            })
            .collect();
        let out_names: Vec<String> = outs.iter().map(|p| p.name().unwrap()).collect();
        let in_names: Vec<String> = ins.iter().map(|p| p.name().unwrap()).collect();
        let (mut tx, rx) = rtrb::RingBuffer::new(48_000 * 20);
        let mut frame = 0usize;
        let process: Process = Box::new(move |_, ps| {
            let n = ps.n_frames() as usize;
            for (port, signal) in outs.iter_mut().zip(&sends) {
                for (k, v) in port.as_mut_slice(ps).iter_mut().enumerate() {
                    *v = signal(frame + k);
                }
            }
            let mut slices: [&[f32]; MAX_CAPTURES] = [&[]; MAX_CAPTURES];
            for (s, p) in slices.iter_mut().zip(&ins) {
                *s = p.as_slice(ps);
            }
            for k in 0..n {
                let _ = tx.push(std::array::from_fn(|c| {
                    slices[c].get(k).copied().unwrap_or(0.0)
                }));
            }
            frame += n;
            jack::Control::Continue
        });
        let active = client
            .activate_async((), jack::contrib::ClosureProcessHandler::new(process))
            .expect("the tester activates");
        let c = active.as_client();
        for (k, name) in out_names.iter().enumerate() {
            connect_ports(c, name, &format!("cpal_client_{pid}_in:in_{k}"));
        }
        for (k, name) in in_names.iter().enumerate() {
            connect_ports(c, &format!("cpal_client_{pid}_out:out_{k}"), name);
        }
        Multi {
            client: Some(active),
            captures,
            captured: rx,
        }
    }

    /// Drop what was captured so far, capture `seconds` more: one Vec per
    /// output.
    pub fn capture(&mut self, seconds: f32) -> Vec<Vec<f32>> {
        while self.captured.pop().is_ok() {}
        let want = (seconds * 48_000.0) as usize;
        let mut out = vec![Vec::with_capacity(want); self.captures];
        let t = Instant::now();
        while out[0].len() < want {
            match self.captured.pop() {
                Ok(frame) => {
                    for (o, v) in out.iter_mut().zip(frame) {
                        o.push(v);
                    }
                }
                Err(_) => {
                    assert!(
                        t.elapsed().as_secs_f32() < 3.0 * seconds + 2.0,
                        "capture stalled"
                    );
                    std::thread::sleep(Duration::from_millis(10));
                }
            }
        }
        out
    }
}

impl Drop for Multi {
    fn drop(&mut self) {
        if let Some(c) = self.client.take() {
            let _ = c.deactivate();
        }
    }
}
