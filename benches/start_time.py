#!/usr/bin/env python3
"""Daemon start time: from exec of `mixbridge run` to its OSC server answering.

What it measures
    For each run, mixbridge is started as `MIXBRIDGE run --config CONFIG`
    with a temporary config (dummy audio backend, the given session, a fresh
    temporary state directory, OSC on a free loopback port). Two times are
    taken from the spawn, with time.perf_counter:

    (a) "log":    the first line on stderr that contains "OSC: listening"
                  (mixbridge logs to stderr when not under systemd);
    (b) "answer": the first reply datagram to an OSC query. The query is
                  `/track/1/gain` with no arguments (the address alone asks
                  for the value), sent every 2 ms from a UDP socket bound on
                  127.0.0.1 until a datagram comes back.

    Then the daemon is sent SIGTERM, and its exit code must be 0 (it saves
    the mix and stops). Each run's times are printed, then the best and the
    median of each.

How to run
    python3 benches/start_time.py --mixbridge /work/target-bench/release/mixbridge \\
        [--session DIR] [--runs 5]

    --session defaults to the repository's examples/session. Standard
    library only.
"""

import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TIMEOUT_S = 60.0
RESEND_S = 0.002


def osc_message(address):
    """An OSC message with no arguments: the address and an empty type tag
    string, each NUL-terminated and padded to a multiple of 4 bytes."""
    def pad(b):
        b += b"\0"
        return b + b"\0" * (-len(b) % 4)
    return pad(address.encode()) + pad(b",")


def free_udp_port():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def osc_address(datagram):
    end = datagram.find(b"\0")
    return datagram[: end if end >= 0 else len(datagram)].decode("ascii", "replace")


def one_run(mixbridge, session, k):
    state = tempfile.mkdtemp(prefix="mixbridge-start-")
    try:
        port = free_udp_port()
        config = os.path.join(state, "config.yaml")
        with open(config, "w") as f:
            f.write(
                "# Written by benches/start_time.py\n"
                "audio: { backend: dummy }\n"
                f"session: {json.dumps(session)}\n"
                f"state_dir: {json.dumps(os.path.join(state, 'state'))}\n"
                f"osc: {{ listen: 127.0.0.1:{port} }}\n"
            )
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.bind(("127.0.0.1", 0))
        sock.settimeout(RESEND_S)
        query = osc_message("/track/1/gain")

        env = dict(os.environ)
        env.pop("JOURNAL_STREAM", None)  # log to stderr even if started from a unit
        logged = threading.Event()
        times = {}
        lines = []

        t0 = time.perf_counter()
        proc = subprocess.Popen([mixbridge, "run", "--config", config], stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)

        def read_stderr():
            for raw in proc.stderr:
                now = time.perf_counter()
                line = raw.decode("utf-8", "replace").rstrip("\n")
                lines.append(line)
                if "OSC: listening" in line and "log" not in times:
                    times["log"] = now - t0
                    logged.set()

        reader = threading.Thread(target=read_stderr, daemon=True)
        reader.start()

        reply = None
        deadline = t0 + TIMEOUT_S
        while time.perf_counter() < deadline and proc.poll() is None:
            try:
                sock.sendto(query, ("127.0.0.1", port))
            except OSError:
                pass
            try:
                data, _ = sock.recvfrom(65536)
            except (socket.timeout, ConnectionRefusedError):
                continue
            times["answer"] = time.perf_counter() - t0
            reply = osc_address(data)
            break
        sock.close()
        if "answer" not in times:
            exited = proc.poll() is not None
            proc.kill()
            proc.wait()
            reader.join(1)
            tail = "\n    ".join(lines[-10:])
            why = (f"mixbridge exited with code {proc.returncode} before answering" if exited
                   else f"no OSC answer within {TIMEOUT_S:g} s")
            sys.exit(f"run {k}: {why}; stderr:\n    {tail}")
        logged.wait(5)

        proc.send_signal(signal.SIGTERM)
        try:
            rc = proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            sys.exit(f"run {k}: still running 30 s after SIGTERM")
        reader.join(5)
        if "log" not in times:
            tail = "\n    ".join(lines[-10:])
            sys.exit(f"run {k}: no 'OSC: listening' line on stderr; stderr:\n    {tail}")
        return times["log"], times["answer"], reply, rc, lines
    finally:
        shutil.rmtree(state, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mixbridge", required=True, help="path of the mixbridge binary")
    ap.add_argument("--session", default=os.path.join(REPO, "examples", "session"),
                    help="session folder (default: the repository's examples/session)")
    ap.add_argument("--runs", type=int, default=5)
    a = ap.parse_args()
    mixbridge = os.path.abspath(a.mixbridge)
    session = os.path.abspath(a.session)
    if not os.access(mixbridge, os.X_OK):
        sys.exit(f"{a.mixbridge}: not an executable")
    if not os.path.isfile(os.path.join(session, "session.yaml")):
        sys.exit(f"{session}: has no session.yaml")

    print("start_time")
    print(f"  mixbridge: {mixbridge}")
    print(f"  session:   {session}")
    print(f"  runs:      {a.runs} (dummy backend, OSC on 127.0.0.1, fresh state dir each)")
    print()
    print(f"  {'run':>3}  {'OSC: listening':>14}  {'first answer':>12}  {'reply':<16} exit")
    logs, answers, bad = [], [], []
    first_lines = None
    for k in range(1, max(1, a.runs) + 1):
        log, answer, reply, rc, lines = one_run(mixbridge, session, k)
        if first_lines is None:
            first_lines = lines
        logs.append(log)
        answers.append(answer)
        if rc != 0:
            bad.append((k, rc))
        print(f"  {k:>3}  {log * 1000:11.1f} ms  {answer * 1000:9.1f} ms  {reply:<16} {rc}")
        sys.stdout.flush()
    print()
    print(f"  OSC: listening  best {min(logs) * 1000:8.1f} ms   median {statistics.median(logs) * 1000:8.1f} ms")
    print(f"  first answer    best {min(answers) * 1000:8.1f} ms   median {statistics.median(answers) * 1000:8.1f} ms")
    print()
    print("  stderr of run 1 (timestamps are mixbridge's):")
    for line in first_lines:
        print("    " + line)
    if bad:
        sys.exit("FAILED: exit code after SIGTERM not 0: " + ", ".join(f"run {k}: {rc}" for k, rc in bad))
    print("  exit code after SIGTERM: 0 in every run")


if __name__ == "__main__":
    main()
