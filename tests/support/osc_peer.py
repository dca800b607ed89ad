#!/usr/bin/env python3
"""An independent OSC client for the tests, built on python-osc.

It binds a UDP socket on loopback (127.0.0.1, or the address given as its
argument), prints {"port": N}, then obeys one JSON
command per line on stdin and answers each with one JSON line:

  {"op": "send", "to": PORT, "addr": "/x", "args": [["f", 1.0], ["s", "a"]]}
  {"op": "bundle", "to": PORT, "msgs": [{"addr": ..., "args": ...}, ...]}
  {"op": "raw", "to": PORT, "hex": "2f7800..."}
  {"op": "burst", "to": PORT, "addr": "/x", "from": 0.0, "until": 1.0, "n": 1000}
                               n float32 sets from `from` to `until`, as fast
                               as the socket takes them
  {"op": "drain"}              -> {"msgs": [...]} everything received so far
  {"op": "wait", "addr": "/x", "timeout": 2.0}
                               -> {"msg": {...}} or {"msg": null}
  {"op": "quit"}

Argument types are OSC type tags: f (float32), d (double), i (int32),
s (string), T (true), F (false); f and d take numbers or the strings
"nan", "inf", "-inf". Received messages are
{"addr", "args", "t"} with t the receive time in seconds (monotonic),
bundles flattened in order, and "datagram" numbering each datagram.
"""
import json
import socket
import sys
import threading
import time

from pythonosc.osc_bundle_builder import IMMEDIATELY, OscBundleBuilder
from pythonosc.osc_message_builder import OscMessageBuilder
from pythonosc.osc_packet import OscPacket

lock = threading.Condition()
received = []
datagrams = 0


def build(addr, args):
    b = OscMessageBuilder(address=addr)
    for tag, *value in args:
        if tag in ("T", "F"):
            b.add_arg(tag == "T", tag)
        elif tag in ("f", "d"):
            # JSON has no NaN or infinities; they come as strings.
            b.add_arg(float(value[0]), tag)
        else:
            b.add_arg(value[0], tag)
    return b.build()


def listen(sock):
    global datagrams
    while True:
        try:
            data, _ = sock.recvfrom(65536)
        except OSError:
            return
        t = time.monotonic()
        try:
            packet = OscPacket(data)
        except Exception:
            continue
        with lock:
            datagrams += 1
            for m in packet.messages:
                args = [a if not isinstance(a, bytes) else a.hex() for a in m.message.params]
                received.append({"addr": m.message.address, "args": args, "t": t,
                                 "datagram": datagrams, "size": len(data)})
            lock.notify_all()


def main():
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1", 0))
    threading.Thread(target=listen, args=(sock,), daemon=True).start()
    print(json.dumps({"port": sock.getsockname()[1]}), flush=True)
    seen = 0
    for line in sys.stdin:
        cmd = json.loads(line)
        op = cmd["op"]
        out = {}
        if op == "send":
            sock.sendto(build(cmd["addr"], cmd["args"]).dgram, ("127.0.0.1", cmd["to"]))
        elif op == "bundle":
            b = OscBundleBuilder(IMMEDIATELY)
            for m in cmd["msgs"]:
                b.add_content(build(m["addr"], m["args"]))
            sock.sendto(b.build().dgram, ("127.0.0.1", cmd["to"]))
        elif op == "raw":
            sock.sendto(bytes.fromhex(cmd["hex"]), ("127.0.0.1", cmd["to"]))
        elif op == "burst":
            n = cmd["n"]
            for k in range(n):
                v = cmd["from"] + (cmd["until"] - cmd["from"]) * k / max(n - 1, 1)
                sock.sendto(build(cmd["addr"], [["f", v]]).dgram, ("127.0.0.1", cmd["to"]))
        elif op == "drain":
            with lock:
                out["msgs"] = received[seen:]
                seen = len(received)
        elif op == "wait":
            deadline = time.monotonic() + cmd["timeout"]
            found = None
            with lock:
                while found is None:
                    for i in range(seen, len(received)):
                        if received[i]["addr"] == cmd["addr"]:
                            found = received[i]
                            break
                    left = deadline - time.monotonic()
                    if found is not None or left <= 0:
                        break
                    lock.wait(left)
            out["msg"] = found
        elif op == "quit":
            return
        out["now"] = time.monotonic()
        print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
