#!/usr/bin/env python3
"""Offline strip processing: `mixbridge render` against Spotify's pedalboard.

What it measures
    The same job done two ways on this machine: 32 mono stems of 10 s at
    48 kHz (synthetic but varied: drum hits, noise bursts, bass and keys
    notes, vocal-like phrases, each over a low noise floor, so gates and
    compressors have work to do), each through a channel strip of high-pass
    filter, low shelf, two peaks, high shelf, gate, compressor and gain.

    - mixbridge: `mixbridge render SESSION -o OUT.wav --tail 0 --report json`
      on a session of those 32 tracks, timed as a whole process (wall clock
      from spawn to exit: start-up, session load, reading and decoding the
      stems, the engine, mixing to the stereo master with its default
      true-peak limiter and loudness meter, writing the WAV, the report).
    - pedalboard: in this Python process, for every stem, read the file,
      run a Pedalboard of HighpassFilter, LowShelfFilter, PeakFilter x2,
      HighShelfFilter, NoiseGate, Compressor and Gain with matching settings
      in 64-frame blocks, and write the result (one float WAV per stem).
      Timed with time.perf_counter around the whole job; the interpreter's
      start and the import of pedalboard are measured separately (each in a
      fresh interpreter) and reported, not included. For fairness it also
      times pedalboard driven from a Python loop of 64-frame chunks
      (reset=False) and pedalboard processing each whole file in one call.
      pedalboard.io.AudioFile(path, "w") fsyncs each file it closes and
      mixbridge does not, so the results are encoded by AudioFile in memory
      and written with plain writes; one more row shows the job written with
      AudioFile(path, "w"), fsyncs and all.

    Throughput is strip-seconds per wall second: seconds of audio that went
    through one channel strip, summed over the stems (32 x 10 s = 320 s),
    divided by the wall time of the job. 320 strip-s/s means the job took
    1 s: the 32 strips together ran at 10x real time ("session xRT" in the
    table). The ratio printed is mixbridge's throughput / pedalboard's.

    CPU seconds (user + system, of mixbridge's process or of this one during
    the pedalboard job) are printed beside the wall times: on a shared
    machine a job that waits for a CPU or the disk shows wall > CPU, and the
    script says so.

    Every timed job is run --runs times (default 3), the jobs interleaved
    (one run of each, then again) so a busy spell on a shared machine hits
    all of them, and the best of each is kept.

    Block size: pedalboard is run in 64-frame blocks, the block size of the
    README's reference load. `mixbridge render` itself feeds its engine
    blocks of up to 512 frames (engine::MAX_BLOCK; 128 while automation
    lanes play); the whole-file pedalboard row shows how much block size
    matters to pedalboard.

Matching the chains (what is the same, what differs)
    The EQ is the same design on both sides: RBJ cookbook low shelf, peaks
    and high shelf with the same frequency, gain and Q (JUCE's shelves take
    Q as the cookbook does). The rest is as close as the two allow:
    - high-pass: mixbridge's is 12 dB/octave (one Butterworth biquad);
      pedalboard's HighpassFilter is first order, 6 dB/octave, at the same
      cutoff. pedalboard has no 2nd-order high-pass.
    - gate: mixbridge's has threshold, range (40 dB here), attack, hold
      (10 ms, its minimum) and release, keyed on |x| with 3 dB hysteresis;
      pedalboard's NoiseGate is JUCE's downward expander (threshold, ratio,
      attack, release; ratio 10:1 here, no range floor, no hold), keyed on
      an RMS envelope. Same threshold, attack and release.
    - compressor: the same threshold, ratio, attack and release; mixbridge's
      knee is set to 0 dB (JUCE's is hard), and its makeup gain is added to
      pedalboard's Gain stage (JUCE's compressor has none). The detectors
      differ (mixbridge: branching peak detector in dB; JUCE: a ballistics
      filter on the linear level).
    - gain: mixbridge's track gain (its fader) = pedalboard's Gain, plus the
      compressor makeup.
    - mixbridge also pans each track into a stereo master (-3 dB law) and
      runs the master's default true-peak limiter and loudness meter, and
      writes one 24-bit stereo file; pedalboard writes 32 mono float files.
      A loudness line (untimed) compares the two mixes as a sanity check.

    Last, "render time per stem file by format": the same stems as 16-bit,
    24-bit and 32-bit float WAV, 24-bit WAVE_FORMAT_EXTENSIBLE WAV, 16- and
    24-bit FLAC and 16- and 24-bit AIFF, each rendered by mixbridge (best of
    --runs), printed as render wall time / number of stems. A format the
    binary cannot read is reported as such and the script goes on.

How to run
    pip install pedalboard numpy
    CARGO_TARGET_DIR=/work/target-bench cargo build --release --bin mixbridge
    python3 benches/render_vs_pedalboard.py \\
        --mixbridge /work/target-bench/release/mixbridge [--runs 3] \\
        [--keep DIR] [--stems 32] [--seconds 10]

    --keep DIR writes everything (stems, sessions, outputs) into DIR and
    leaves it there; otherwise a temporary directory is used and removed.
"""

import argparse
import io
import json
import os
import platform
import re
import resource
import shutil
import struct
import subprocess
import sys
import tempfile
import time

import numpy as np

SR = 48_000
BLOCK = 64
SEED = 20261201


# --------------------------------------------------------------------------
# WAV writing (the `wave` module writes integer PCM only)
# --------------------------------------------------------------------------

# KSDATAFORMAT_SUBTYPE_PCM, 00000001-0000-0010-8000-00aa00389b71.
PCM_GUID = struct.pack("<IHH8s", 1, 0, 0x10, bytes.fromhex("800000aa00389b71"))


def _to_int(x, bits):
    full = float(1 << (bits - 1))
    return np.clip(np.round(x.astype(np.float64) * full), -full, full - 1).astype(np.int32)


def write_wav(path, x, sr, kind):
    """Write mono `x` (float, -1..1) as one of: pcm16, pcm24, float32, ext24."""
    x = np.asarray(x, dtype=np.float32)
    n = len(x)
    chunks = []
    if kind == "float32":
        data = x.astype("<f4").tobytes()
        # WAVE_FORMAT_IEEE_FLOAT with cbSize = 0, and the fact chunk non-PCM
        # formats carry.
        fmt = struct.pack("<HHIIHHH", 3, 1, sr, sr * 4, 4, 32, 0)
        chunks.append((b"fmt ", fmt))
        chunks.append((b"fact", struct.pack("<I", n)))
    elif kind == "pcm16":
        data = _to_int(x, 16).astype("<i2").tobytes()
        chunks.append((b"fmt ", struct.pack("<HHIIHH", 1, 1, sr, sr * 2, 2, 16)))
    elif kind in ("pcm24", "ext24"):
        v = _to_int(x, 24).astype("<i4").view(np.uint8).reshape(-1, 4)[:, :3]
        data = v.tobytes()
        if kind == "pcm24":
            chunks.append((b"fmt ", struct.pack("<HHIIHH", 1, 1, sr, sr * 3, 3, 24)))
        else:
            # WAVE_FORMAT_EXTENSIBLE: cbSize 22, 24 valid bits, front centre.
            fmt = struct.pack("<HHIIHHHHI", 0xFFFE, 1, sr, sr * 3, 3, 24, 22, 24, 0x4) + PCM_GUID
            chunks.append((b"fmt ", fmt))
    else:
        raise ValueError(kind)
    chunks.append((b"data", data))
    body = b"".join(
        cid + struct.pack("<I", len(c)) + c + (b"\0" if len(c) & 1 else b"") for cid, c in chunks
    )
    with open(path, "wb") as f:
        f.write(b"RIFF" + struct.pack("<I", 4 + len(body)) + b"WAVE" + body)


# --------------------------------------------------------------------------
# Stems
# --------------------------------------------------------------------------

def _band_noise(rng, n, lo, hi, sr=SR):
    """White noise band-limited to lo..hi Hz (brick wall in the FFT), unit RMS."""
    spec = np.fft.rfft(rng.standard_normal(n))
    f = np.fft.rfftfreq(n, 1 / sr)
    spec[(f < lo) | (f > hi)] = 0
    y = np.fft.irfft(spec, n)
    return y / (np.sqrt(np.mean(y * y)) + 1e-12)


def _place(out, seg, start):
    end = min(len(out), start + len(seg))
    if end > start >= 0:
        out[start:end] += seg[: end - start]


def _hits(rng, n, times, make):
    out = np.zeros(n)
    for t in times:
        _place(out, make(rng), int(t * SR))
    return out


def _adsr(length, a, r):
    """An envelope of `length` samples: linear attack a s, flat, linear release r s."""
    env = np.ones(length)
    na, nr = max(1, int(a * SR)), max(1, int(r * SR))
    env[:na] = np.linspace(0, 1, na, endpoint=False)[: len(env[:na])]
    if nr < length:
        env[-nr:] *= np.linspace(1, 0, nr)
    return env


def _tone(freqs, amps, length, vibrato=0.0, rate=5.0, phase=0.0):
    t = np.arange(length) / SR
    y = np.zeros(length)
    for k, (f, a) in enumerate(zip(freqs, amps)):
        inst = f * (1 + vibrato * np.sin(2 * np.pi * rate * t + phase))
        y += a * np.sin(2 * np.pi * np.cumsum(inst) / SR + k)
    return y


def make_stem(i, seconds):
    """Stem number i (0-based): one of eight kinds, each in several variants."""
    rng = np.random.default_rng(SEED + i)
    n = int(seconds * SR)
    kind = i % 8
    variant = i // 8
    bpm = 96 + 8 * (i % 5)
    beat = 60.0 / bpm
    beats = np.arange(0, seconds, beat)
    if kind == 0:  # kick: pitch-swept decaying sine
        def kick(r):
            L = int(0.45 * SR)
            t = np.arange(L) / SR
            f = 45 + 110 * np.exp(-t / 0.03)
            return np.sin(2 * np.pi * np.cumsum(f) / SR) * np.exp(-t / (0.12 + 0.04 * variant)) * r.uniform(0.7, 1.0)
        y = _hits(rng, n, beats[:: 1 + variant % 2], kick)
    elif kind == 1:  # snare: noise burst plus body tone on 2 and 4
        body = _band_noise(rng, int(0.3 * SR), 180, 9000)

        def snare(r):
            L = len(body)
            t = np.arange(L) / SR
            tone = np.sin(2 * np.pi * (180 + 20 * variant) * t) * np.exp(-t / 0.05)
            return (0.6 * body * np.exp(-t / (0.07 + 0.02 * variant)) + 0.5 * tone) * r.uniform(0.6, 1.0)
        y = _hits(rng, n, beats[1::2], snare)
    elif kind == 2:  # hats: short high-passed noise on eighths
        burst = _band_noise(rng, int(0.12 * SR), 6000, 18000)

        def hat(r):
            t = np.arange(len(burst)) / SR
            return burst * np.exp(-t / (0.015 + 0.01 * (variant % 2))) * r.uniform(0.3, 1.0)
        y = _hits(rng, n, np.arange(0, seconds, beat / 2), hat)
    elif kind == 3:  # toms / percussion: sparse decaying sines
        def tom(r):
            L = int(0.6 * SR)
            t = np.arange(L) / SR
            f = r.choice([90, 120, 160, 220]) * (1 + 0.3 * np.exp(-t / 0.05))
            return np.sin(2 * np.pi * np.cumsum(f) / SR) * np.exp(-t / 0.18) * r.uniform(0.5, 1.0)
        times = np.sort(rng.uniform(0, seconds - 0.5, 6 + 3 * variant))
        y = _hits(rng, n, times, tom)
    elif kind == 4:  # bass: harmonic notes with envelopes
        y = np.zeros(n)
        t0 = 0.0
        while t0 < seconds:
            dur = beat * rng.choice([0.5, 1, 1, 2])
            L = int(dur * 0.9 * SR)
            f = 41.2 * 2 ** (rng.choice([0, 3, 5, 7, 10, 12]) / 12) * (1 + variant % 2)
            note = _tone([f, 2 * f, 3 * f, 4 * f], [1, 0.5, 0.25, 0.12], L) * _adsr(L, 0.005, 0.05)
            _place(y, note * rng.uniform(0.6, 1.0), int(t0 * SR))
            t0 += dur
    elif kind == 5:  # keys / pad: chords with slow attacks, some gaps
        y = np.zeros(n)
        t0 = 0.0
        while t0 < seconds:
            dur = beat * rng.choice([2, 4])
            if rng.uniform() < 0.8:
                L = int(dur * SR)
                root = 220 * 2 ** (rng.choice([0, 2, 5, 7, 9]) / 12) / (1 + variant % 2)
                freqs = [root, root * 2 ** (4 / 12), root * 2 ** (7 / 12), 2 * root]
                chord = _tone(freqs, [1, 0.7, 0.6, 0.3], L) * _adsr(L, 0.05 + 0.1 * variant, 0.3)
                _place(y, chord, int(t0 * SR))
            t0 += dur
    elif kind == 6:  # vocal-like: harmonic phrases with vibrato and breath, then silence
        y = np.zeros(n)
        t0 = rng.uniform(0.1, 0.8)
        while t0 < seconds:
            dur = rng.uniform(1.2, 3.0)
            L = int(dur * SR)
            f = 196 * 2 ** (rng.choice([0, 2, 4, 7, 9]) / 12) * (1 + 0.5 * (variant % 2))
            harm = _tone([f * k for k in range(1, 9)], [1 / k for k in range(1, 9)], L, vibrato=0.01, rate=5.5)
            breath = 0.15 * _band_noise(rng, L, 1500, 8000)
            env = _adsr(L, 0.08, 0.25) * (0.7 + 0.3 * np.sin(2 * np.pi * 0.7 * np.arange(L) / SR))
            _place(y, (harm + breath) * env, int(t0 * SR))
            t0 += dur + rng.uniform(0.3, 1.5)
    else:  # plucked guitar-like: decaying partials
        def pluck(r):
            L = int(1.2 * SR)
            t = np.arange(L) / SR
            f = 110 * 2 ** (r.choice([0, 3, 5, 7, 10, 12, 15]) / 12)
            y = sum(np.sin(2 * np.pi * f * k * t) * np.exp(-t * (2 + 1.5 * k)) / k for k in range(1, 7))
            return y * r.uniform(0.5, 1.0)
        y = _hits(rng, n, np.arange(0.05, seconds, beat * (1 + variant % 2)), pluck)

    # Peak level between -3 and -18 dBFS, over a bleed / noise floor of -60..-72 dBFS RMS.
    peak_db = -3 - 15 * ((i * 7) % 11) / 10
    y *= 10 ** (peak_db / 20) / (np.max(np.abs(y)) + 1e-12)
    floor_db = -60 - 12 * ((i * 5) % 7) / 6
    y += 10 ** (floor_db / 20) * _band_noise(rng, n, 40, 12000)
    return y.astype(np.float32)


# --------------------------------------------------------------------------
# Strip settings, as mixbridge parameters and as pedalboard plugins
# --------------------------------------------------------------------------

def strip_settings(i):
    """Deterministic, varied settings for track i (0-based)."""
    return {
        "hpf_freq": 60 + 10 * (i % 5),
        "eq": [
            ("lowshelf", 100 + 10 * (i % 3), 2.0 if i % 2 else -2.0, 0.707),
            ("peak", 300 + 25 * (i % 9), -3.0, 1.4),
            ("peak", 2000 + 250 * (i % 7), 2.5, 1.0),
            ("highshelf", 8000 + 500 * (i % 4), 1.5 if i % 3 else -1.5, 0.707),
        ],
        "gate": {"threshold": -48 + 2 * (i % 5), "range": 40, "attack": 0.5, "hold": 10, "release": 150},
        "comp": {"threshold": -24 + 2 * (i % 5), "ratio": 3 + (i % 4), "attack": 10, "release": 120,
                 "knee": 0, "makeup": 2},
        "gain": -4 - (i % 5),
    }


PB_GATE_RATIO = 10.0


def make_board(pedalboard, s):
    (t1, f1, g1, q1), (t2, f2, g2, q2), (t3, f3, g3, q3), (t4, f4, g4, q4) = s["eq"]
    assert (t1, t2, t3, t4) == ("lowshelf", "peak", "peak", "highshelf")
    g, c = s["gate"], s["comp"]
    return pedalboard.Pedalboard([
        pedalboard.HighpassFilter(cutoff_frequency_hz=s["hpf_freq"]),
        pedalboard.LowShelfFilter(cutoff_frequency_hz=f1, gain_db=g1, q=q1),
        pedalboard.PeakFilter(cutoff_frequency_hz=f2, gain_db=g2, q=q2),
        pedalboard.PeakFilter(cutoff_frequency_hz=f3, gain_db=g3, q=q3),
        pedalboard.HighShelfFilter(cutoff_frequency_hz=f4, gain_db=g4, q=q4),
        pedalboard.NoiseGate(threshold_db=g["threshold"], ratio=PB_GATE_RATIO,
                             attack_ms=g["attack"], release_ms=g["release"]),
        pedalboard.Compressor(threshold_db=c["threshold"], ratio=c["ratio"],
                              attack_ms=c["attack"], release_ms=c["release"]),
        # mixbridge's compressor makeup and the track gain, in one stage.
        pedalboard.Gain(gain_db=s["gain"] + c["makeup"]),
    ])


def write_session(session_dir, stem_names, settings):
    lines = [
        "# Written by benches/render_vs_pedalboard.py: mono file tracks, no buses,",
        "# every strip with HPF, 4 EQ bands, gate, compressor and a gain.",
        f"sample_rate: {SR}",
        "tempo: 120",
        "pan_law: -3dB",
        "tracks:",
    ]
    for k, name in enumerate(stem_names):
        lines.append(f"  - {{ name: Stem {k + 1:02d}, source: {{ file: stems/{name} }} }}")
    lines.append("mix:")
    for k, s in enumerate(settings):
        p = f"track/{k + 1}"
        lines += [f"  {p}/hpf/on: true", f"  {p}/hpf/freq: {s['hpf_freq']}"]
        for b, (ty, f, g, q) in enumerate(s["eq"], start=1):
            lines += [f"  {p}/eq/{b}/type: {ty}", f"  {p}/eq/{b}/freq: {f}", f"  {p}/eq/{b}/gain: {g}",
                      f"  {p}/eq/{b}/q: {q}", f"  {p}/eq/{b}/on: true"]
        lines.append(f"  {p}/gate/on: true")
        lines += [f"  {p}/gate/{k2}: {v}" for k2, v in s["gate"].items()]
        lines.append(f"  {p}/comp/on: true")
        lines += [f"  {p}/comp/{k2}: {v}" for k2, v in s["comp"].items()]
        lines.append(f"  {p}/gain: {s['gain']}")
    os.makedirs(session_dir, exist_ok=True)
    with open(os.path.join(session_dir, "session.yaml"), "w") as f:
        f.write("\n".join(lines) + "\n")


# --------------------------------------------------------------------------
# Jobs
# --------------------------------------------------------------------------

def pedalboard_job(pedalboard, stem_paths, out_dir, settings, mode, fsync=False):
    """Read, process, write every stem. mode: stream64 | loop64 | whole.

    pedalboard.io.AudioFile(path, "w") fsyncs the file when it closes it;
    mixbridge does not. So, unless `fsync`, each result is encoded to WAV by
    AudioFile in memory and written to its file with a plain write."""
    from pedalboard.io import AudioFile
    for path, s in zip(stem_paths, settings):
        with AudioFile(path) as f:
            sr = f.samplerate
            x = f.read(f.frames)
        board = make_board(pedalboard, s)
        if mode == "stream64":
            y = board(x, sr, buffer_size=BLOCK)
        elif mode == "loop64":
            y = np.empty_like(x)
            n = x.shape[1]
            for start in range(0, n, BLOCK):
                chunk = board(x[:, start:start + BLOCK], sr, reset=False)
                y[:, start:start + chunk.shape[1]] = chunk
        elif mode == "whole":
            y = board(x, sr)
        else:
            raise ValueError(mode)
        if y.shape != x.shape:
            raise RuntimeError(f"pedalboard returned {y.shape} for {x.shape} ({mode})")
        out = os.path.join(out_dir, os.path.basename(path))
        if fsync:
            with AudioFile(out, "w", sr, 1, bit_depth=32) as f:
                f.write(y)
        else:
            buf = io.BytesIO()
            with AudioFile(buf, "w", sr, 1, bit_depth=32, format="wav") as f:
                f.write(y)
            with open(out, "wb") as f:
                f.write(buf.getbuffer())


def timed(fn):
    """(wall s, CPU s of this process) of fn()."""
    t0, c0 = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - t0, time.process_time() - c0


def children_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run_proc(cmd):
    """(wall s, CPU s (user + sys) of the child, CompletedProcess) of one run of cmd."""
    c0 = children_cpu()
    t0 = time.perf_counter()
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return time.perf_counter() - t0, children_cpu() - c0, p


def loadavg():
    try:
        with open("/proc/loadavg") as f:
            return float(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return float("nan")


def loudness(r):
    """'I LUFS / TP dBTP' of a mixbridge JSON loudness report."""
    f = lambda v: "-inf" if v is None else f"{v:.1f}"
    return f"{f(r.get('integrated_lufs'))} LUFS integrated, {f(r.get('true_peak_dbtp'))} dBTP true peak"


def first_line(text):
    for line in text.splitlines():
        if line.strip():
            return line.strip()
    return "(no output)"


def render_runs(mixbridge, session, out, runs):
    """`runs` renders: ([(wall s, CPU s)], mixbridge's own logged times, the last
    process); stops at the first that fails."""
    cmd = [mixbridge, "render", session, "-o", out, "--tail", "0", "--report", "json"]
    times, own, proc = [], [], None
    for _ in range(runs):
        wall, cpu, proc = run_proc(cmd)
        if proc.returncode != 0:
            break
        times.append((wall, cpu))
        m = re.search(r"rendered ([\d.]+) s of audio in ([\d.]+) s", proc.stderr)
        if m:
            own.append(float(m.group(2)))
    return times, own, proc


def fresh_python_times(runs):
    """Interpreter start (python -c pass, wall) and the import of pedalboard, each best of runs."""
    py = sys.executable
    start = min(run_proc([py, "-c", "pass"])[0] for _ in range(runs))
    code = "import time; t = time.perf_counter(); import pedalboard; print(time.perf_counter() - t)"
    imports = []
    for _ in range(runs):
        p = subprocess.run([py, "-c", code], stdout=subprocess.PIPE, text=True, check=True)
        imports.append(float(p.stdout.strip()))
    return start, min(imports)


def machine_facts():
    model = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    nproc = subprocess.run(["nproc"], stdout=subprocess.PIPE, text=True).stdout.strip() or str(os.cpu_count())
    return nproc, model


# --------------------------------------------------------------------------
# Formats
# --------------------------------------------------------------------------

FORMATS = [
    # label, extension, writer
    ("WAV 16-bit", "wav", ("wav", "pcm16")),
    ("WAV 24-bit", "wav", ("wav", "pcm24")),
    ("WAV 32-bit float", "wav", ("wav", "float32")),
    ("WAV_FORMAT_EXTENSIBLE 24-bit", "wav", ("wav", "ext24")),
    ("FLAC 16-bit", "flac", ("audiofile", 16)),
    ("FLAC 24-bit", "flac", ("audiofile", 24)),
    ("AIFF 16-bit", "aiff", ("audiofile", 16)),
    ("AIFF 24-bit", "aiff", ("audiofile", 24)),
]


def write_format(path, x, how):
    if how[0] == "wav":
        write_wav(path, x, SR, how[1])
    else:
        from pedalboard.io import AudioFile
        with AudioFile(path, "w", SR, 1, bit_depth=how[1]) as f:
            f.write(x.reshape(1, -1))


# --------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mixbridge", required=True, help="path of the mixbridge binary")
    ap.add_argument("--runs", type=int, default=3, help="timed runs of each job; the best is kept")
    ap.add_argument("--keep", metavar="DIR", help="work in DIR and keep it (default: a temp dir, removed)")
    ap.add_argument("--stems", type=int, default=32)
    ap.add_argument("--seconds", type=float, default=10.0)
    a = ap.parse_args()
    mixbridge = os.path.abspath(a.mixbridge)
    if not os.access(mixbridge, os.X_OK):
        sys.exit(f"{a.mixbridge}: not an executable")
    runs = max(1, a.runs)

    t0 = time.perf_counter()
    import pedalboard
    import_here = time.perf_counter() - t0

    if a.keep:
        work = os.path.abspath(a.keep)
        os.makedirs(work, exist_ok=True)
    else:
        work = tempfile.mkdtemp(prefix="mixbridge-vs-pedalboard-")
    try:
        bench(a, runs, mixbridge, pedalboard, import_here, work)
    finally:
        if not a.keep:
            shutil.rmtree(work, ignore_errors=True)


def bench(a, runs, mixbridge, pedalboard, import_here, work):
    nproc, model = machine_facts()
    print("render_vs_pedalboard")
    print(f"  machine:     {nproc} CPUs (nproc), {model}")
    print(f"  python:      {platform.python_version()}, numpy {np.__version__}, pedalboard {pedalboard.__version__}")
    print(f"  mixbridge:   {mixbridge}")
    print(f"  job:         {a.stems} mono stems x {a.seconds:g} s at {SR} Hz, best of {runs} runs")
    print(f"  work dir:    {work}{' (kept)' if a.keep else ' (removed at exit)'}")
    sys.stdout.flush()

    # 1. Stems.
    session = os.path.join(work, "session")
    stems_dir = os.path.join(session, "stems")
    os.makedirs(stems_dir, exist_ok=True)
    names = [f"{k + 1:02d}.wav" for k in range(a.stems)]
    audio = []
    for k, name in enumerate(names):
        x = make_stem(k, a.seconds)
        audio.append(x)
        write_wav(os.path.join(stems_dir, name), x, SR, "float32")
    stem_paths = [os.path.join(stems_dir, n) for n in names]
    settings = [strip_settings(k) for k in range(a.stems)]

    # 2. The session, checked.
    write_session(session, names, settings)
    p = subprocess.run([mixbridge, "check", session], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if p.returncode != 0:
        print(p.stdout)
        sys.exit(f"FAILED: `mixbridge check {session}` exited {p.returncode}; the benchmark session is not valid")
    print("  check:       " + "; ".join(l.strip() for l in p.stdout.splitlines() if l.strip()))

    strip_seconds = a.stems * a.seconds
    tp = lambda t: strip_seconds / t

    # 3 and 4. pedalboard in this process, mixbridge render as a process; one
    # run of each job in turn, `runs` times.
    pb_out = os.path.join(work, "pedalboard-out")
    os.makedirs(pb_out, exist_ok=True)
    out_wav = os.path.join(work, "mixbridge-out.wav")
    jobs = ["mixbridge", "stream64", "loop64", "whole", "fsync64"]
    labels = {
        "mixbridge": "mixbridge render (whole process: spawn to exit)",
        "stream64": "pedalboard, 64-frame blocks (buffer_size=64), files in/out",
        "loop64": "pedalboard, Python loop of 64-frame chunks, reset=False",
        "whole": "pedalboard, each whole file in one call",
        "fsync64": "pedalboard, 64-frame blocks, AudioFile(path) (fsyncs)",
    }
    times = {j: [] for j in jobs}
    mb_own = []
    load_before = loadavg()
    for _ in range(runs):
        t, own, proc = render_runs(mixbridge, session, out_wav, 1)
        if not t:
            print(proc.stderr)
            sys.exit(f"FAILED: mixbridge render exited {proc.returncode}")
        times["mixbridge"] += t
        mb_own += own
        for job in jobs[1:]:
            mode, sync = ("stream64", True) if job == "fsync64" else (job, False)
            times[job].append(timed(lambda: pedalboard_job(pedalboard, stem_paths, pb_out, settings, mode, sync)))
    report = json.loads(proc.stdout)
    load_after = loadavg()
    best = {j: min(w for w, _ in ts) for j, ts in times.items()}
    best_cpu = {j: min(c for _, c in ts) for j, ts in times.items()}
    py_start, py_import = fresh_python_times(runs)

    # 5. The table.
    fmt_t = lambda ts: ", ".join(f"{w:.3f}" for w, _ in ts)
    fmt_c = lambda ts: ", ".join(f"{c:.3f}" for _, c in ts)
    print()
    print(f"Throughput (strip-seconds of audio per wall second; {a.stems} x {a.seconds:g} s = {strip_seconds:g} strip-s)")
    print(f"  {'job':<58} {'best s':>7} {'strip-s/s':>10} {'session xRT':>12} {'CPU s':>7}")
    for j in jobs:
        t = best[j]
        print(f"  {labels[j]:<58} {t:7.3f} {tp(t):10.1f} {tp(t) / a.stems:11.1f}x {best_cpu[j]:7.3f}")
    print(f"  (session xRT: the {a.stems} strips together, {a.seconds:g} s of session per job wall time;")
    print("   CPU s: the fewest user + system CPU seconds of the job's process over the runs)")
    print()
    mb = best["mixbridge"]
    print(f"  ratio mixbridge / pedalboard (64-frame blocks):      {best['stream64'] / mb:6.2f}"
          f"   (by CPU time: {best_cpu['stream64'] / best_cpu['mixbridge']:.2f})")
    print(f"  ratio mixbridge / pedalboard (Python 64-frame loop): {best['loop64'] / mb:6.2f}"
          f"   (by CPU time: {best_cpu['loop64'] / best_cpu['mixbridge']:.2f})")
    print(f"  ratio mixbridge / pedalboard (whole file per call):  {best['whole'] / mb:6.2f}"
          f"   (by CPU time: {best_cpu['whole'] / best_cpu['mixbridge']:.2f})")
    print("  (pedalboard's results are encoded by AudioFile in memory and written with plain writes,")
    print("   as mixbridge writes; AudioFile(path, 'w') fsyncs every file it closes: the last row)")
    print()
    print("  not in the pedalboard times above (each in a fresh interpreter, best of runs):")
    print(f"    python3 start (python3 -c pass, wall):  {py_start:.3f} s")
    print(f"    import pedalboard (numpy with it):      {py_import:.3f} s   (here, numpy already loaded: {import_here:.3f} s)")
    incl = best["stream64"] + py_start + py_import
    print(f"    pedalboard 64-frame job + both:         {incl:.3f} s = {tp(incl):.1f} strip-s/s"
          f"  (ratio mixbridge / that: {incl / mb:.2f})")
    print()
    print("  every run, wall s (CPU s):")
    for j, name in zip(jobs, ["mixbridge render", "pedalboard 64 blocks", "pedalboard Python loop",
                              "pedalboard whole file", "pedalboard 64, fsync"]):
        print(f"    {name + ':':<24} {fmt_t(times[j])}   ({fmt_c(times[j])})")
    if mb_own:
        print(f"    (mixbridge's own log line: decoding the stems + the engine, without session load, write, report: "
              f"{', '.join(f'{t:.2f}' for t in mb_own)})")
    print(f"  load average (1 min) before / after the runs: {load_before:.2f} / {load_after:.2f} on {nproc} CPUs")
    waited = [j for j in jobs if j != "fsync64" and best[j] > 1.2 * best_cpu[j]]
    if waited:
        print("  WARNING: wall time > 1.2 x CPU time for " + ", ".join(waited)
              + ": the job waited (for a CPU or the disk: a busy machine?); its wall times are inflated, compare the CPU times")

    # Sanity: how loud each result is (mixbridge's meter on pedalboard's outputs
    # summed to a centre-panned stereo mix, -3 dB pan law, no limiter).
    mix = None
    from pedalboard.io import AudioFile
    for name in names:
        with AudioFile(os.path.join(pb_out, name)) as f:
            y = f.read(f.frames)[0].astype(np.float64)
        mix = y if mix is None else mix + y
    mix *= 10 ** (-3 / 20)
    pb_mix = os.path.join(work, "pedalboard-mix.wav")
    with AudioFile(pb_mix, "w", SR, 2, bit_depth=32) as f:
        f.write(np.vstack([mix, mix]).astype(np.float32))
    m = subprocess.run([mixbridge, "meter", pb_mix, "--report", "json"], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True)
    try:
        pm = json.loads(m.stdout)["files"][0]
    except (ValueError, KeyError, IndexError):
        pm = None
    print()
    print("  sanity (not timed): integrated loudness / true peak of the two mixes")
    print(f"    mixbridge render (master limiter on, its default):  {loudness(report)}")
    if pm:
        print(f"    pedalboard outputs summed, -3 dB centre, no limiter: {loudness(pm)}")
    else:
        print(f"    pedalboard mix: mixbridge meter failed: {first_line(m.stderr)}")

    # 6. Formats.
    print()
    print(f"Render time per stem file by format (mixbridge render wall time / {a.stems}, best of {runs})")
    for label, ext, how in FORMATS:
        fdir = os.path.join(work, "formats", re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-"))
        fstems = os.path.join(fdir, "stems")
        os.makedirs(fstems, exist_ok=True)
        fnames = [f"{k + 1:02d}.{ext}" for k in range(a.stems)]
        try:
            for x, fname in zip(audio, fnames):
                write_format(os.path.join(fstems, fname), x, how)
        except Exception as e:  # a writer missing here: say so and go on
            print(f"  {label}: skipped, cannot write it here: {e}")
            continue
        size = sum(os.path.getsize(os.path.join(fstems, f)) for f in fnames) / a.stems
        write_session(fdir, fnames, settings)
        t, _, proc = render_runs(mixbridge, fdir, os.path.join(fdir, "out.wav"), runs)
        if proc.returncode != 0:
            print(f"  {label}: mixbridge cannot read it: {first_line(proc.stderr or proc.stdout)}")
        else:
            wall = min(w for w, _ in t)
            cpu = min(c for _, c in t)
            print(f"  {label:<30} {1000 * wall / a.stems:8.2f} ms per stem file"
                  f"  ({wall:.3f} s total, {cpu:.3f} CPU s, {size / 1e6:.2f} MB per file)")
        sys.stdout.flush()
        if not a.keep:
            shutil.rmtree(fdir, ignore_errors=True)


if __name__ == "__main__":
    main()
