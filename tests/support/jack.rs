//! A real JACK server (dummy driver) and an independent JACK client for
//! tests: the server under a unique name, killed or stopped on demand; the
//! client plays into a cpal client's input and captures its outputs.
#![allow(dead_code)]

use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

const SR: f32 = 48_000.0;

/// JACK_DEFAULT_SERVER is process-wide: one test at a time.
pub static SERIAL: Mutex<()> = Mutex::new(());

/// Equal-power pan law at centre: cos(pi/4), in dB.
pub const CENTRE_DB: f32 = -3.0103;

pub fn jackd_installed() -> bool {
    match Command::new("jackd")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
    {
        Ok(_) => true,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            eprintln!("SKIPPED: jackd is not installed (apt-get install jackd2)");
            false
        }
        Err(e) => panic!("cannot run jackd: {e}"),
    }
}

/// A running `jackd -d dummy`; killed on drop.
pub struct Server {
    pub name: String,
    period: u32,
    child: Option<Child>,
}

impl Server {
    pub fn start(period: u32) -> Server {
        // One name for every test server: JACK's server registry has few
        // slots, and a server that dies uncleanly keeps its slot until a
        // server of the same name starts. `cargo test` runs one test binary
        // at a time and each holds SERIAL while its server runs, so one
        // name serves them all and at most one slot is ever left behind.
        // Two checkouts tested at once on one machine each set their own
        // name in MIXBRIDGE_TEST_JACK_SERVER.
        let name = std::env::var("MIXBRIDGE_TEST_JACK_SERVER")
            .unwrap_or_else(|_| "mixbridge-test".to_string());
        let mut s = Server {
            name,
            period,
            child: None,
        };
        s.restart();
        s
    }

    /// Start (again) under the same name and wait until clients can connect.
    pub fn restart(&mut self) {
        assert!(self.child.is_none());
        // Tests hold SERIAL, so nothing else reads the environment meanwhile.
        std::env::set_var("JACK_DEFAULT_SERVER", &self.name);
        let child = Command::new("jackd")
            .args(["-n", &self.name, "-r", "-d", "dummy", "-r", "48000", "-p"])
            .arg(self.period.to_string())
            .env("JACK_NO_AUDIO_RESERVATION", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("jackd starts");
        self.child = Some(child);
        let t = Instant::now();
        loop {
            if jack::Client::new("mixbridge-probe", jack::ClientOptions::NO_START_SERVER).is_ok() {
                return;
            }
            assert!(
                t.elapsed() < Duration::from_secs(10),
                "jackd {} did not come up",
                self.name
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Kill the server outright, as a crash would.
    pub fn crash(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Stop the server the orderly way, so it leaves JACK's server registry
    /// (a killed one keeps its entry until a server of the same name starts,
    /// and the registry holds only a few).
    pub fn stop(&mut self) {
        let Some(mut c) = self.child.take() else {
            return;
        };
        // SAFETY: kill(2) on our own child's pid; no memory is involved.
        unsafe { libc::kill(c.id() as libc::pid_t, libc::SIGTERM) };
        let t = Instant::now();
        while t.elapsed() < Duration::from_secs(15) {
            if let Ok(Some(_)) = c.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = c.kill();
        let _ = c.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

/// What the test client sends to the backend's input.
#[derive(Clone, Copy)]
pub enum Source {
    Tone {
        freq: f32,
        amp: f32,
    },
    /// A single-sample pulse of `amp` every `every` frames.
    Pulses {
        every: usize,
        amp: f32,
    },
}

pub type Process = Box<dyn FnMut(&jack::Client, &jack::ProcessScope) -> jack::Control + Send>;
pub type Handler = jack::contrib::ClosureProcessHandler<(), Process>;

/// Connect two ports, retrying for up to ten seconds: a port may not exist
/// yet (a daemon's virtual ports appear one client at a time), and a
/// client's ports can be seen before it is active, when a connection is
/// refused. Each pair is retried on its own: retrying a pair that already
/// connected would fail for good.
pub fn connect_ports(c: &jack::Client, from: &str, to: &str) {
    let t = Instant::now();
    loop {
        match c.connect_ports_by_name(from, to) {
            Ok(()) => return,
            Err(e) if t.elapsed() > Duration::from_secs(10) => {
                panic!("cannot connect {from} to {to}: {e}")
            }
            Err(_) => std::thread::sleep(Duration::from_millis(50)),
        }
    }
}

/// Wait until `client` sees a port matching each of `patterns` (a daemon's
/// ports appear once its audio has started).
pub fn wait_for_ports(client: &jack::Client, patterns: &[String], within: Duration) {
    let t = Instant::now();
    while patterns.iter().any(|p| {
        client
            .ports(Some(p), None, jack::PortFlags::empty())
            .is_empty()
    }) {
        assert!(
            t.elapsed() < within,
            "the daemon's JACK ports did not appear"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The test's own JACK client: one output into the backend's input 0, two
/// inputs from the backend's outputs 0 and 1, captured frame by frame.
pub struct Tester {
    pub client: Option<jack::AsyncClient<(), Handler>>,
    /// (tester frame, left, right): frames count from the tester's first cycle.
    captured: rtrb::Consumer<(usize, f32, f32)>,
}

impl Tester {
    /// Connect to the JACK ports of the cpal client of process `pid`.
    pub fn connect(source: Source, pid: u32) -> Tester {
        let (client, _) =
            jack::Client::new("mixbridge-tester", jack::ClientOptions::NO_START_SERVER)
                .expect("the tester connects");
        let rate = client.sample_rate() as f32;
        let mut out = client
            .register_port("send", jack::AudioOut::default())
            .unwrap();
        let left = client
            .register_port("left", jack::AudioIn::default())
            .unwrap();
        let right = client
            .register_port("right", jack::AudioIn::default())
            .unwrap();
        let names = [
            out.name().unwrap(),
            left.name().unwrap(),
            right.name().unwrap(),
        ];
        let (mut tx, rx) = rtrb::RingBuffer::new(48_000 * 20);
        let mut frame = 0usize;
        let process: Process = Box::new(move |_, ps| {
            let o = out.as_mut_slice(ps);
            let first = frame;
            for v in o.iter_mut() {
                *v = match source {
                    Source::Tone { freq, amp } => {
                        amp * (2.0 * std::f32::consts::PI * freq * (frame % 48_000) as f32 / rate)
                            .sin()
                    }
                    Source::Pulses { every, amp } => {
                        if frame.is_multiple_of(every) {
                            amp
                        } else {
                            0.0
                        }
                    }
                };
                frame += 1;
            }
            for (k, (&l, &r)) in left.as_slice(ps).iter().zip(right.as_slice(ps)).enumerate() {
                let _ = tx.push((first + k, l, r));
            }
            jack::Control::Continue
        });
        let active = client
            .activate_async((), jack::contrib::ClosureProcessHandler::new(process))
            .expect("the tester activates");
        let c = active.as_client();
        let find = |pattern: &str| {
            let ports = c.ports(Some(pattern), None, jack::PortFlags::empty());
            assert_eq!(ports.len(), 1, "one port matches {pattern}: {ports:?}");
            ports[0].clone()
        };
        let daemon_in = find(&format!("^cpal_client_{pid}_in:in_0$"));
        let daemon_out = [0, 1].map(|k| find(&format!("^cpal_client_{pid}_out:out_{k}$")));
        connect_ports(c, &names[0], &daemon_in);
        connect_ports(c, &daemon_out[0], &names[1]);
        connect_ports(c, &daemon_out[1], &names[2]);
        Tester {
            client: Some(active),
            captured: rx,
        }
    }

    /// Drop what was captured so far, capture `seconds` more; returns the
    /// tester frame of the first sample, and L and R.
    pub fn capture(&mut self, seconds: f32) -> (usize, [Vec<f32>; 2]) {
        while self.captured.pop().is_ok() {}
        let want = (seconds * SR) as usize;
        let mut lr = [Vec::with_capacity(want), Vec::with_capacity(want)];
        let mut start = None;
        let t = Instant::now();
        while lr[0].len() < want {
            match self.captured.pop() {
                Ok((frame, l, r)) => {
                    start.get_or_insert(frame);
                    lr[0].push(l);
                    lr[1].push(r);
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
        (start.unwrap_or(0), lr)
    }
}

impl Drop for Tester {
    fn drop(&mut self) {
        if let Some(c) = self.client.take() {
            let _ = c.deactivate();
        }
    }
}
