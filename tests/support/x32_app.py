#!/usr/bin/env python3
"""An X32 / X-Air app for the tests, made of client libraries from PyPI that
nobody here wrote: behringer-mixer (asyncio; /xinfo, reads every address it
knows, /xremote subscriptions renewed every 9 s) and xair-api (synchronous
get and set with its own value laws).

    x32_app.py behringer-mixer KIND PORT      KIND: X32, XR18
    x32_app.py xair-api KIND PORT             KIND: X32, XR18

It prints {"ready": true} once started, then obeys one JSON command per
line on stdin and answers each with one JSON line.

behringer-mixer:
  {"op": "connect"}            -> {"ok": bool, "name": ..., "firmware": ...}
  {"op": "reload"}             read every address of the library's map
  {"op": "missing"}            -> {"missing": [addresses with no answer], "total": N}
  {"op": "state", "key": K}    -> {"value": ...} (library keys: /ch/1/mix_fader)
  {"op": "set", "key": K, "value": V}
                               -> {"value": ...} once the library reads V back
                                  (or after 2 s)
  {"op": "subscribe"}          start the library's /xremote worker
  {"op": "wait", "key": K, "value": V, "timeout": S}
                               -> {"value": last value seen} once an update of K
                                  equal to V (floats within 1e-3) arrives, or at
                                  the timeout
xair-api (attribute paths, numbers index tuples: "strip.0.mix.fader"):
  {"op": "get", "path": P}     -> {"value": ...}
  {"op": "set", "path": P, "value": V}
Both: {"op": "quit"}.
"""
import asyncio
import json
import sys
import threading


def equal(a, b):
    if isinstance(a, float) or isinstance(b, float):
        try:
            return abs(float(a) - float(b)) < 1e-3
        except (TypeError, ValueError):
            return False
    return a == b


async def behringer(kind, port):
    from behringer_mixer import mixer_api

    mixer = mixer_api.create(kind, ip="127.0.0.1", port=port, delay=0.0005)
    loop = asyncio.get_running_loop()
    lines = asyncio.Queue()

    def read():
        for line in sys.stdin:
            loop.call_soon_threadsafe(lines.put_nowait, line)
        loop.call_soon_threadsafe(lines.put_nowait, None)

    threading.Thread(target=read, daemon=True).start()
    updates = []
    changed = asyncio.Event()

    def on_update(row):
        updates.append(row)
        changed.set()

    print(json.dumps({"ready": True}), flush=True)
    while True:
        line = await lines.get()
        if line is None:
            return
        cmd = json.loads(line)
        op = cmd["op"]
        out = {}
        if op == "connect":
            out["ok"] = await mixer.start()
            out["name"] = mixer.name()
            out["firmware"] = mixer.firmware()
        elif op == "reload":
            await mixer.reload()
            await asyncio.sleep(0.5)
        elif op == "missing":
            rows = mixer.dump_mapping()
            state = mixer.state()
            out["missing"] = [r["input"] for r in rows if r["output"] not in state]
            out["total"] = len(rows)
        elif op == "state":
            out["value"] = mixer.state(cmd["key"])
        elif op == "set":
            # The library sets, then asks the value back; wait for the
            # answer, so the set has been applied when this returns.
            await mixer.set_value(cmd["key"], cmd["value"])
            deadline = loop.time() + 2.0
            while not equal(mixer.state(cmd["key"]), cmd["value"]) and loop.time() < deadline:
                await asyncio.sleep(0.01)
            out["value"] = mixer.state(cmd["key"])
        elif op == "subscribe":
            asyncio.create_task(mixer.subscribe(on_update))
            await asyncio.sleep(0.2)
        elif op == "wait":
            deadline = loop.time() + cmd["timeout"]
            seen = None
            done = False
            while not done:
                for row in updates:
                    if row["property"] == cmd["key"]:
                        seen = row["value"]
                        if equal(seen, cmd["value"]):
                            done = True
                updates.clear()
                left = deadline - loop.time()
                if done or left <= 0:
                    break
                changed.clear()
                try:
                    await asyncio.wait_for(changed.wait(), left)
                except asyncio.TimeoutError:
                    pass
            out["value"] = seen
            out["found"] = done
        elif op == "quit":
            return
        print(json.dumps(out), flush=True)


def walk(obj, path):
    parts = path.split(".")
    for p in parts[:-1]:
        obj = obj[int(p)] if p.isdigit() else getattr(obj, p)
    return obj, parts[-1]


def xair(kind, port):
    import xair_api

    with xair_api.connect(kind, ip="127.0.0.1", port=port, delay=0.05) as mixer:
        print(json.dumps({"ready": True, "info": list(mixer.info_response)}), flush=True)
        for line in sys.stdin:
            cmd = json.loads(line)
            out = {}
            if cmd["op"] == "get":
                obj, last = walk(mixer, cmd["path"])
                out["value"] = getattr(obj, last)
            elif cmd["op"] == "set":
                obj, last = walk(mixer, cmd["path"])
                setattr(obj, last, cmd["value"])
            elif cmd["op"] == "quit":
                return
            print(json.dumps(out), flush=True)


def main():
    library, kind, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    if library == "behringer-mixer":
        asyncio.run(behringer(kind, port))
    else:
        xair(kind, port)


if __name__ == "__main__":
    main()
