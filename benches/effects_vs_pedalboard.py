#!/usr/bin/env python3
"""Insert effects: `mixbridge render` against pedalboard's Distortion, Chorus,
Phaser and PitchShift, on the same 32 stems, and the pitch shifters' quality.

What it measures
    Throughput, for each effect, on the stems of render_vs_pedalboard.py (32
    mono 10 s stems at 48 kHz, the same generator):
    - mixbridge: `mixbridge render` of a session of those 32 tracks with only
      that insert on (every other stage at its default, off or flat), timed
      as a whole process, and the same render with no insert on ("bare").
    - pedalboard: in this process, each stem read, run through a Pedalboard
      of that one plugin in 64-frame blocks (buffer_size=64), and written
      (encoded in memory, plain writes, as in render_vs_pedalboard.py); and
      the same job with an empty Pedalboard ("bare").
    Two ratios are printed (pedalboard's time / mixbridge's, so above 1
    means mixbridge is faster):
    - job: the whole jobs against each other;
    - effect: (job - bare) on each side, the cost of the effect itself with
      reading, writing and (for mixbridge) the mix and master taken out.
    Each job runs --runs times, interleaved; the best is kept. CPU seconds
    (user + system) are printed beside the wall seconds.

    Settings (the nearest the two allow):
    - drive: mixbridge tape, 24 dB, mix 1; pedalboard Distortion(24 dB)
      (gain and tanh; mixbridge's is antialiased, see its module docs);
    - chorus: rate 1 Hz, depth 0.25, 7 ms, mix 0.5 on both;
    - phaser: rate 1 Hz, depth 0.5, 6 stages, feedback 0, mix 0.5 on both;
    - pitch: +7 semitones, mix 1 on both.
    mixbridge runs its modulation on the panned stereo signal (two channels
    per mono stem); pedalboard runs one channel.

    Quality of the pitch shifters: a 440 Hz sine and a 220 Hz tone of five
    partials (1/k amplitudes), 4 s at -12 dBFS, shifted +7 and -5 semitones
    by each; over the middle 2 s of each result (Blackman-Harris window,
    zero-padded FFT):
    - pitch error in cents of the strongest peak against 2^(n/12) f;
    - level change in dB (RMS of the result against the input, for
      mixbridge against its own render with pitch off, so the pan law and
      master are taken out);
    - spurious energy: the energy farther than 3 % from every expected
      partial, relative to the total, in dB (lower is cleaner).

How to run
    pip install pedalboard numpy
    cargo build --release --bin mixbridge
    python3 benches/effects_vs_pedalboard.py --mixbridge target/release/mixbridge [--runs 3]
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from render_vs_pedalboard import (  # noqa: E402  one stem generator, one WAV writer
    BLOCK,
    SR,
    machine_facts,
    make_stem,
    run_proc,
    timed,
    write_wav,
)

EFFECTS = {
    "drive": {
        "mixbridge": {"drive/on": "true", "drive/type": "tape", "drive/amount": 24, "drive/mix": 1},
        "pedalboard": lambda pb: pb.Distortion(drive_db=24),
    },
    "chorus": {
        "mixbridge": {"mod/on": "true", "mod/type": "chorus", "mod/rate": 1, "mod/depth": 0.25,
                      "mod/delay": 7, "mod/mix": 0.5},
        "pedalboard": lambda pb: pb.Chorus(rate_hz=1, depth=0.25, centre_delay_ms=7, feedback=0, mix=0.5),
    },
    "phaser": {
        "mixbridge": {"mod/on": "true", "mod/type": "phaser", "mod/rate": 1, "mod/depth": 0.5,
                      "mod/stages": 6, "mod/feedback": 0, "mod/mix": 0.5},
        "pedalboard": lambda pb: pb.Phaser(rate_hz=1, depth=0.5, centre_frequency_hz=1300, feedback=0, mix=0.5),
    },
    "pitch": {
        "mixbridge": {"pitch/on": "true", "pitch/semitones": 7, "pitch/mix": 1},
        "pedalboard": lambda pb: pb.PitchShift(semitones=7),
    },
}


def write_session(session_dir, stem_names, settings):
    """A session of mono file tracks with `settings` (path below track/N -> value) on each."""
    lines = [
        "# Written by benches/effects_vs_pedalboard.py.",
        f"sample_rate: {SR}",
        "tracks:",
    ]
    lines += [f"  - {{ name: Stem {k + 1:02d}, source: {{ file: stems/{n} }} }}" for k, n in enumerate(stem_names)]
    if settings:
        lines.append("mix:")
        for k in range(len(stem_names)):
            lines += [f"  track/{k + 1}/{p}: {v}" for p, v in settings.items()]
    os.makedirs(session_dir, exist_ok=True)
    with open(os.path.join(session_dir, "session.yaml"), "w") as f:
        f.write("\n".join(lines) + "\n")


def render(mixbridge, session, out):
    wall, cpu, p = run_proc([mixbridge, "render", session, "-o", out, "--tail", "0"])
    if p.returncode != 0:
        sys.exit(f"FAILED: mixbridge render {session}: {p.stderr.strip()}")
    return wall, cpu


def pedalboard_job(pb, plugins, stem_paths, out_dir):
    import io
    from pedalboard.io import AudioFile
    for path in stem_paths:
        with AudioFile(path) as f:
            sr = f.samplerate
            x = f.read(f.frames)
        y = pb.Pedalboard(plugins)(x, sr, buffer_size=BLOCK)
        buf = io.BytesIO()
        with AudioFile(buf, "w", sr, y.shape[0], bit_depth=32, format="wav") as f:
            f.write(y)
        with open(os.path.join(out_dir, os.path.basename(path)), "wb") as f:
            f.write(buf.getbuffer())


def read_wav(path):
    from pedalboard.io import AudioFile
    with AudioFile(path) as f:
        return f.read(f.frames).astype(np.float64)


# --------------------------------------------------------------------------
# Pitch quality
# --------------------------------------------------------------------------

def blackman_harris(n):
    k = np.arange(n) * 2 * np.pi / (n - 1)
    return 0.35875 - 0.48829 * np.cos(k) + 0.14128 * np.cos(2 * k) - 0.01168 * np.cos(3 * k)


def quality(y, ref_rms, partials, semitones):
    """(pitch error in cents, level change dB, spurious energy dB) of a shifted tone."""
    mid = y[len(y) // 4: len(y) // 4 + 2 * SR]
    w = blackman_harris(len(mid))
    spec = np.abs(np.fft.rfft(mid * w, 8 * len(mid))) ** 2
    freqs = np.fft.rfftfreq(8 * len(mid), 1 / SR)
    ratio = 2 ** (semitones / 12)
    expected = [f * ratio for f in partials]
    k = int(np.argmax(spec))
    if 0 < k < len(spec) - 1:  # parabolic interpolation on the log magnitude
        a, b, c = np.log(spec[k - 1: k + 2] + 1e-300)
        k = k + 0.5 * (a - c) / (a - 2 * b + c)
    peak = k * SR / (8 * len(mid))
    nearest = min(expected, key=lambda f: abs(np.log(peak / f)))
    cents = 1200 * np.log2(peak / nearest)
    near = np.zeros(len(freqs), dtype=bool)
    for f in expected:
        near |= np.abs(freqs - f) <= 0.03 * f
    spurious = spec[~near & (freqs > 20)].sum() / spec.sum()
    level = 20 * np.log10(np.sqrt(np.mean(mid ** 2)) / ref_rms)
    return cents, level, 10 * np.log10(spurious + 1e-30)


def pitch_quality(mixbridge, pb, work):
    print()
    print("Pitch-shift quality (middle 2 s; spurious: energy > 3 % from every expected partial, dB of total)")
    print(f"  {'signal':<26} {'shift':>6} {'who':<22} {'error cents':>11} {'level dB':>9} {'spurious dB':>12}")
    t = np.arange(4 * SR) / SR
    signals = {
        "sine 440 Hz": ([440.0], 0.25 * np.sin(2 * np.pi * 440 * t)),
        "220 Hz, 5 partials": ([220.0 * k for k in range(1, 6)],
                               sum(np.sin(2 * np.pi * 220 * k * t) / k for k in range(1, 6))),
    }
    for name, (partials, x) in signals.items():
        x = (x * 0.25 / np.max(np.abs(x))).astype(np.float32)
        session = os.path.join(work, "pitch-" + name.split()[0])
        os.makedirs(os.path.join(session, "stems"), exist_ok=True)
        write_wav(os.path.join(session, "stems", "tone.wav"), x, SR, "float32")
        write_session(session, ["tone.wav"], {})
        dry = os.path.join(session, "dry.wav")
        render(mixbridge, session, dry)
        mb_ref = np.sqrt(np.mean(read_wav(dry)[0][SR: 3 * SR] ** 2))
        x_ref = np.sqrt(np.mean(x[SR: 3 * SR].astype(np.float64) ** 2))
        for st in (7, -5):
            write_session(session, ["tone.wav"], {"pitch/on": "true", "pitch/semitones": st})
            out = os.path.join(session, f"mb{st}.wav")
            render(mixbridge, session, out)
            rows = [("mixbridge", read_wav(out)[0], mb_ref)]
            y = pb.Pedalboard([pb.PitchShift(semitones=st)])(x.reshape(1, -1), SR, buffer_size=BLOCK)[0]
            rows.append(("pedalboard (Rubber Band)", y.astype(np.float64), x_ref))
            for who, y, ref in rows:
                c, lv, sp = quality(y, ref, partials, st)
                print(f"  {name:<26} {st:+6d} {who:<22} {c:11.2f} {lv:9.2f} {sp:12.1f}")


# --------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mixbridge", required=True)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--stems", type=int, default=32)
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--keep", metavar="DIR")
    a = ap.parse_args()
    mixbridge = os.path.abspath(a.mixbridge)
    import pedalboard as pb
    work = os.path.abspath(a.keep) if a.keep else tempfile.mkdtemp(prefix="mixbridge-effects-")
    os.makedirs(work, exist_ok=True)
    try:
        bench(a, mixbridge, pb, work)
    finally:
        if not a.keep:
            shutil.rmtree(work, ignore_errors=True)


def bench(a, mixbridge, pb, work):
    nproc, model = machine_facts()
    runs = max(1, a.runs)
    print("effects_vs_pedalboard")
    print(f"  machine:    {nproc} CPUs, {model}; pedalboard {pb.__version__}")
    print(f"  job:        {a.stems} mono stems x {a.seconds:g} s at {SR} Hz, best of {runs} interleaved runs")
    stems = os.path.join(work, "stems")
    os.makedirs(stems, exist_ok=True)
    names = [f"{k + 1:02d}.wav" for k in range(a.stems)]
    for k, n in enumerate(names):
        write_wav(os.path.join(stems, n), make_stem(k, a.seconds), SR, "float32")
    paths = [os.path.join(stems, n) for n in names]
    sessions = {}
    for effect, s in [("bare", {})] + [(e, d["mixbridge"]) for e, d in EFFECTS.items()]:
        d = os.path.join(work, effect)
        write_session(d, names, s)
        if not os.path.exists(os.path.join(d, "stems")):
            os.symlink(stems, os.path.join(d, "stems"))
        sessions[effect] = d
    pb_out = os.path.join(work, "pb-out")
    os.makedirs(pb_out, exist_ok=True)
    plugins = {"bare": lambda pb: None, **{e: d["pedalboard"] for e, d in EFFECTS.items()}}
    times = {(who, e): [] for who in ("mixbridge", "pedalboard") for e in sessions}
    for _ in range(runs):
        for e in sessions:
            times[("mixbridge", e)].append(render(mixbridge, sessions[e], os.path.join(work, f"{e}.wav")))
            p = plugins[e](pb)
            times[("pedalboard", e)].append(timed(lambda: pedalboard_job(pb, [p] if p else [], paths, pb_out)))
    best = {k: min(w for w, _ in v) for k, v in times.items()}
    cpu = {k: min(c for _, c in v) for k, v in times.items()}
    print()
    print(f"  {'effect':<8} {'mixbridge s':>11} {'(CPU)':>7} {'pedalboard s':>12} {'(CPU)':>7}"
          f" {'job ratio':>9} {'effect ratio':>12}   effect ns/sample mixbridge, pedalboard")
    samples = a.stems * a.seconds * SR
    for e in sessions:
        mb, pbt = best[("mixbridge", e)], best[("pedalboard", e)]
        line = f"  {e:<8} {mb:11.3f} {cpu[('mixbridge', e)]:7.3f} {pbt:12.3f} {cpu[('pedalboard', e)]:7.3f}"
        if e == "bare":
            print(line + f" {pbt / mb:9.2f}")
            continue
        d_mb = cpu[("mixbridge", e)] - cpu[("mixbridge", "bare")]
        d_pb = cpu[("pedalboard", e)] - cpu[("pedalboard", "bare")]
        ratio = d_pb / d_mb if d_mb > 0 else float("inf")
        print(line + f" {pbt / mb:9.2f} {ratio:12.2f}   {1e9 * d_mb / samples:8.1f}, {1e9 * d_pb / samples:8.1f}")
    print("  (ratios: pedalboard / mixbridge; job by wall time, effect by CPU time of job - bare)")
    pitch_quality(mixbridge, pb, work)


if __name__ == "__main__":
    t0 = time.perf_counter()
    main()
    print(f"\n  ({time.perf_counter() - t0:.0f} s in all)")
