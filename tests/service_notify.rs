//! sd_notify messages as systemd receives them, on a real unix datagram
//! socket, and the watchdog policy as a table.

use mixbridge::service::{Notifier, Watchdog};
use std::collections::HashMap;
use std::ffi::OsString;
use std::io::ErrorKind;
use std::os::linux::net::SocketAddrExt;
use std::os::unix::net::{SocketAddr, UnixDatagram};
use std::path::Path;
use std::time::{Duration, Instant};

/// A socket standing in for systemd's notify socket.
fn listener(path: &Path) -> UnixDatagram {
    let socket = UnixDatagram::bind(path).expect("bind notify socket");
    socket
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    socket
}

fn notifier(vars: &[(&str, &str)]) -> Notifier {
    let vars: HashMap<String, OsString> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), OsString::from(v)))
        .collect();
    Notifier::from_vars(|name| vars.get(name).cloned())
}

fn receive(socket: &UnixDatagram) -> String {
    let mut buf = [0u8; 4096];
    let n = socket.recv(&mut buf).expect("a datagram");
    String::from_utf8(buf[..n].to_vec()).expect("UTF-8 message")
}

fn assert_nothing_more(socket: &UnixDatagram) {
    socket.set_nonblocking(true).unwrap();
    let mut buf = [0u8; 4096];
    match socket.recv(&mut buf) {
        Err(e) if e.kind() == ErrorKind::WouldBlock => {}
        other => panic!("unexpected datagram: {other:?}"),
    }
}

fn clock_monotonic_usec() -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: a valid timespec to write to.
    assert_eq!(
        unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) },
        0
    );
    ts.tv_sec as u64 * 1_000_000 + ts.tv_nsec as u64 / 1_000
}

#[test]
fn each_call_sends_its_exact_message() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notify");
    let socket = listener(&path);
    let n = notifier(&[("NOTIFY_SOCKET", path.to_str().unwrap())]);

    n.ready();
    assert_eq!(receive(&socket), "READY=1");

    n.status("Scarlett 2i2 USB, 48000 Hz, 128 frames, 3 xruns");
    assert_eq!(
        receive(&socket),
        "STATUS=Scarlett 2i2 USB, 48000 Hz, 128 frames, 3 xruns"
    );

    // A line break must not start a new protocol field (here a forged READY).
    n.status("bad\nREADY=1\r\nx");
    assert_eq!(receive(&socket), "STATUS=bad READY=1  x");

    let before = clock_monotonic_usec();
    n.reloading();
    let after = clock_monotonic_usec();
    let message = receive(&socket);
    let usec = message
        .strip_prefix("RELOADING=1\nMONOTONIC_USEC=")
        .unwrap_or_else(|| panic!("not a reload message: {message:?}"));
    let usec: u64 = usec.parse().expect("MONOTONIC_USEC is a decimal number");
    assert!(
        (before..=after).contains(&usec),
        "MONOTONIC_USEC={usec} outside the CLOCK_MONOTONIC window {before}..={after}"
    );

    n.watchdog();
    assert_eq!(receive(&socket), "WATCHDOG=1");
    n.stopping();
    assert_eq!(receive(&socket), "STOPPING=1");
    assert_nothing_more(&socket);
}

#[test]
fn abstract_socket_names_are_reached() {
    let name = format!("mixbridge-test-notify-{}", std::process::id());
    let addr = SocketAddr::from_abstract_name(name.as_bytes()).unwrap();
    let socket = UnixDatagram::bind_addr(&addr).expect("bind abstract socket");
    socket
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let n = notifier(&[("NOTIFY_SOCKET", &format!("@{name}"))]);
    n.ready();
    assert_eq!(receive(&socket), "READY=1");
}

#[test]
fn watchdog_interval_is_half_the_timeout_for_this_process_only() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notify");
    let _socket = listener(&path);
    let path = path.to_str().unwrap();
    let me = std::process::id().to_string();
    let other = (std::process::id() + 1).to_string();

    type Vars<'a> = &'a [(&'a str, &'a str)];
    let cases: &[(Vars, Option<Duration>)] = &[
        (&[("NOTIFY_SOCKET", path)], None),
        (
            &[("NOTIFY_SOCKET", path), ("WATCHDOG_USEC", "10000000")],
            Some(Duration::from_secs(5)),
        ),
        (
            &[
                ("NOTIFY_SOCKET", path),
                ("WATCHDOG_USEC", "3000000"),
                ("WATCHDOG_PID", &me),
            ],
            Some(Duration::from_millis(1500)),
        ),
        (
            &[
                ("NOTIFY_SOCKET", path),
                ("WATCHDOG_USEC", "3000000"),
                ("WATCHDOG_PID", &other),
            ],
            None,
        ),
        // Without a socket there is no one to pet.
        (&[("WATCHDOG_USEC", "3000000")], None),
        (
            &[
                ("NOTIFY_SOCKET", "vsock:2:9999"),
                ("WATCHDOG_USEC", "3000000"),
            ],
            None,
        ),
    ];
    for (vars, expected) in cases {
        assert_eq!(notifier(vars).watchdog_interval(), *expected, "{vars:?}");
    }
}

#[test]
fn without_a_socket_or_with_a_dead_one_nothing_fails() {
    let silent = notifier(&[]);
    silent.ready();
    silent.status("x");
    silent.reloading();
    silent.watchdog();
    silent.stopping();

    // systemd went away: sends fail, and the daemon must carry on.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notify");
    let socket = listener(&path);
    let n = notifier(&[("NOTIFY_SOCKET", path.to_str().unwrap())]);
    drop(socket);
    std::fs::remove_file(&path).unwrap();
    n.ready();
    n.watchdog();

    // ...and it comes back at the same path.
    let socket = listener(&path);
    n.watchdog();
    assert_eq!(receive(&socket), "WATCHDOG=1");
}

#[test]
fn watchdog_pets_only_while_audio_progresses_or_recovers() {
    let interval = Duration::from_secs(1);
    let t0 = Instant::now();
    let mut w = Watchdog::new(interval);
    // (ms since t0, audio callback count, recovering, pet expected)
    let table: &[(u64, u64, bool, bool)] = &[
        (0, 0, false, false),     // audio not started: nothing proves life
        (0, 10, false, true),     // first progress: pet at once
        (500, 20, false, false),  // progress, but a pet was sent 500 ms ago
        (1000, 30, false, true),  // progress and due
        (1500, 30, false, false), // stalled, not due anyway
        (2000, 30, false, false), // due, but stalled: no pet
        (2250, 30, false, false), // still stalled
        (2500, 30, true, true),   // device gone, recovery under way: pet
        (3000, 30, true, false),  // recovering, not due
        (3500, 30, true, true),   // recovering and due
        (4000, 0, false, false),  // new stream, count restarted: not due
        (4500, 7, false, true),   // the new stream runs
        (5500, 7, false, false),  // stalled again
        (9000, 7, false, false),  // long stall: systemd will restart us
        (9100, 8, false, true),   // it moved again before that
    ];
    for &(ms, callbacks, recovering, expected) in table {
        let now = t0 + Duration::from_millis(ms);
        assert_eq!(
            w.feed(now, callbacks, recovering),
            expected,
            "t={ms} ms, callbacks={callbacks}, recovering={recovering}"
        );
    }
}
