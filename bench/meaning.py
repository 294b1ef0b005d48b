"""What a watched-meanings check costs (sharon/meanings.py), and what it does to the hub.

Prints, for onnxruntime with 1 and 2 intra-op threads:
- the time to load (imports, then the model: sha256 checks, session, first run);
- per-message latency p50/p95 (wall) and CPU time p50, for short messages (one
  sentence) and long ones (2,000 characters), against 40 example sentences;
- under eventlet (and gevent, if installed), how long the hub is blocked while
  long messages are checked: called directly, and through check_async (eventlet's
  tpool / gevent's threadpool), one at a time and four at once.

A ticker greenthread sleeps 1 ms in a loop; a gap between its wake-ups longer than
that is time the hub could not run. Figures on a busy machine are worse than on an
idle one: the load average is printed, and CPU time is shown beside wall time.

    .venv/bin/pip install -e '.[meaning,bench]'
    .venv/bin/python bench/meaning.py [--short 200] [--long 100] [--threads 1 2]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("HF_HUB_OFFLINE", "1")  # nothing here ever asks a hub; make sure

EXAMPLES = [
    ("suicide", s) for s in (
        "I want to die", "I'm going to kill myself", "I don't want to be alive any more",
        "I wish I could go to sleep and never wake up", "Everyone would be better off without me",
        "I've written my goodbye letters", "I have a plan to end my life",
        "I can't see any reason to keep living", "Tonight is the night I end it",
        "I've been looking up ways to die")
] + [
    ("self-harm", s) for s in (
        "I've been cutting myself again", "I burned my arm on purpose",
        "I hurt myself so I can feel something", "The urge to self-harm is really strong today",
        "I've been hiding the scars from everyone", "I hit myself until it bruised",
        "I relapsed and cut last night", "I need to hurt myself to cope",
        "I scratch my skin until it bleeds", "I've started self-harming again")
] + [
    ("overdose", s) for s in (
        "I've been saving up my pills", "I took all my tablets at once",
        "I'm going to take an overdose", "I swallowed a whole packet of paracetamol",
        "I've got enough pills to do it", "I'm thinking about taking everything in the cabinet",
        "I took too many on purpose", "I mixed my meds with a bottle of vodka",
        "I keep counting the tablets", "I'm stockpiling my prescription")
] + [
    ("harm to others", s) for s in (
        "I'm going to hurt him", "I want to kill my neighbour", "I'll make them pay for this",
        "I'm going to hit her when she gets home", "I've got a knife and I'll use it",
        "I could hurt the baby", "Someone is going to get hurt tonight",
        "I'm going to smash his face in", "I want to burn their house down",
        "I'll get my revenge on all of them")
]

SHORT = [
    "Had a good session with the group today.", "I want to end my life.",
    "Does anyone else find Mondays hard?", "I finally went for a walk after a week indoors.",
    "My therapist said I should try journaling.", "Nobody would notice if I was gone.",
    "I'm proud of myself for getting out of bed.", "The breathing exercise really helped tonight.",
    "I cut myself again last night.", "Can someone recommend a good book on anxiety?",
    "I'm so angry I could hit someone.", "It's been three months since my last panic attack.",
    "I don't see the point in anything any more.", "My cat keeps me going on bad days.",
    "I want to end this meeting early today.", "Sleep has been awful this week.",
    "I've got all my pills lined up.", "Thanks everyone for the kind words yesterday.",
    "How do you cope when the urges come back?", "I made a cup of tea and sat in the garden.",
]
PARAGRAPH = (
    "This week has been a real mix. On Monday I managed to get to the shops on my own, which "
    "I haven't done since before Christmas, and I even chatted to the woman at the till. "
    "Tuesday was harder; I woke up with that heavy feeling again and spent most of the day "
    "on the sofa. I tried the grounding exercise from the group, naming five things I could "
    "see, and it took the edge off. My sister came round on Wednesday and we watched a film. "
    "I didn't tell her how bad things had been, but it helped just having someone there. "
    "Sleep is still all over the place. I keep waking at four and my mind races through "
    "everything I said wrong that day. ")


ORDINARY = "(ordinary)"


def long_messages(count: int) -> list[str]:
    """2,000-character messages, each starting at a different point of the paragraph."""
    text = PARAGRAPH * 6
    out = []
    for i in range(count):
        start = (i * 37) % len(PARAGRAPH)
        out.append(text[start:start + 2000])
    return out


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def latency(threads: int, max_tokens: int, n_short: int, n_long: int) -> dict:
    """Load the model with these settings and time checks (runs in its own process)."""
    started = time.perf_counter()
    import numpy  # noqa: F401
    import onnxruntime  # noqa: F401
    import tokenizers  # noqa: F401
    imported = time.perf_counter() - started
    from sharon import meanings

    model = meanings.MeaningModel(threads=threads, max_tokens=max_tokens)
    began = time.perf_counter()
    if not model.available():
        return {"error": model.reason}
    loaded = time.perf_counter() - began
    index = meanings.Meanings(EXAMPLES, model)
    began = time.perf_counter()
    index.nearest("warm")  # embeds the 40 examples
    examples = time.perf_counter() - began
    result = {"threads": threads, "max_tokens": max_tokens, "import_s": imported,
              "load_s": loaded, "examples_s": examples}
    # As SHaRON checks (sharon/safety.py): against ordinary sentences too, and each of a
    # message's first sentences as well as the whole (meanings.sentences).
    from sharon import safety

    shipped = meanings.Meanings(EXAMPLES + [(ORDINARY, s) for s in safety.ORDINARY], model)
    shipped.nearest("warm")

    def as_shipped(text: str) -> object:
        return shipped.check(text, 0.55, ordinary=ORDINARY, margin=safety.ORDINARY_MARGIN,
                             by_sentence=True)

    shorts = [SHORT[i % len(SHORT)] for i in range(n_short)]
    for name, texts, check in (("short", shorts, lambda text: index.check(text, 0.6)),
                               ("long", long_messages(n_long),
                                lambda text: index.check(text, 0.6)),
                               ("short_shipped", shorts, as_shipped),
                               ("long_shipped", long_messages(n_long), as_shipped)):
        if not texts:
            continue
        for text in texts[:5]:
            check(text)
        wall, cpu = [], []
        for text in texts:
            w, c = time.perf_counter(), time.process_time()
            check(text)
            cpu.append((time.process_time() - c) * 1000)
            wall.append((time.perf_counter() - w) * 1000)
        tokens = len(model._tokenizer.encode(meanings.prepare(texts[0])).ids)
        result[name] = {"p50": statistics.median(wall), "p95": percentile(wall, 95),
                        "cpu_p50": statistics.median(cpu), "tokens": tokens}
    return result


def hub(mode: str, threads: int, n_long: int) -> dict:
    """Hub blocking under a monkey-patched loop (runs in its own process, patched first)."""
    if mode == "eventlet":
        import eventlet

        eventlet.monkey_patch()
        spawn, sleep = eventlet.spawn, eventlet.sleep
    else:
        from gevent import monkey

        monkey.patch_all()
        import gevent

        spawn, sleep = gevent.spawn, gevent.sleep
    from sharon import meanings

    assert meanings.green_mode() == mode, meanings.green_mode()
    model = meanings.MeaningModel(threads=threads)
    index = meanings.Meanings(EXAMPLES, model)
    index.check_async("warm up: load the model and embed the examples off the hub", 0.6)
    texts = long_messages(n_long)

    def measure(call, parallel: int = 1) -> dict:
        ticks: list[float] = []
        running = [True]

        def ticker() -> None:
            while running[0]:
                ticks.append(time.perf_counter())
                sleep(0.001)

        latencies: list[float] = []

        def worker(part: list[str]) -> None:
            for text in part:
                began = time.perf_counter()
                call(text)
                latencies.append((time.perf_counter() - began) * 1000)
                # As a handler would between messages; a real sleep, since gevent's sleep(0)
                # runs only ready greenlets, not the ticker's expired timer.
                sleep(0.0005)

        tick = spawn(ticker)
        sleep(0.05)
        began = time.perf_counter()
        workers = [spawn(worker, texts[i::parallel]) for i in range(parallel)]
        for w in workers:
            w.join() if mode == "gevent" else w.wait()
        elapsed = time.perf_counter() - began
        running[0] = False
        tick.join() if mode == "gevent" else tick.wait()
        window = [t for t in ticks if t >= began - 0.002]
        gaps = [(b - a) * 1000 for a, b in zip(window, window[1:], strict=False)]
        return {"max_gap": max(gaps), "p99_gap": percentile(gaps, 99),
                "p50_gap": statistics.median(gaps),
                "p50": statistics.median(latencies), "p95": percentile(latencies, 95),
                "per_s": len(texts) / elapsed}

    out = {"mode": mode, "threads": threads}
    out["idle"] = measure(lambda text: sleep(0.02))
    out["direct"] = measure(lambda text: index.check(text, 0.6))
    out["off_hub"] = measure(lambda text: index.check_async(text, 0.6))
    out["off_hub_x4"] = measure(lambda text: index.check_async(text, 0.6), parallel=4)
    return out


def child(args: list[str]) -> dict:
    """Run this file with args in a fresh process; its last line is JSON."""
    done = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True,
                          cwd=ROOT, check=False)
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-1] if done.stderr else "failed"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    """Parse arguments and print the tables."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--short", type=int, default=200, help="short messages to time")
    parser.add_argument("--long", type=int, default=100, help="long messages to time")
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, *rest = args.child.split(":")
        if kind == "latency":
            result = latency(int(rest[0]), int(rest[1]), args.short, args.long)
        else:
            result = hub(kind, int(rest[0]), args.long)
        print(json.dumps(result))
        return

    print(f"Watched meanings: {os.cpu_count()} cores, load average "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"{len(EXAMPLES)} examples; {args.short} short messages; {args.long} long messages "
          "of 2,000 characters.\n")
    print(f"{'threads':>7} {'max tok':>7} {'import s':>8} {'load s':>7} {'examples s':>10}  "
          f"{'short p50/p95 ms':>16} {'cpu':>5}  {'long p50/p95 ms':>16} {'cpu':>5} "
          f"{'long tok':>8}")
    for threads in args.threads:
        for max_tokens in (128, 256):
            r = child(["--child", f"latency:{threads}:{max_tokens}",
                       "--short", str(args.short if max_tokens == 128 else 0),
                       "--long", str(args.long)])
            if "error" in r:
                print(f"{threads:>7} {max_tokens:>7}  {r['error']}")
                continue
            short = (f"{r['short']['p50']:7.1f}/{r['short']['p95']:<8.1f} "
                     f"{r['short']['cpu_p50']:5.1f}" if "short" in r else f"{'-':>22}")
            print(f"{threads:>7} {max_tokens:>7} {r['import_s']:8.2f} {r['load_s']:7.2f} "
                  f"{r['examples_s']:10.2f}  {short}  {r['long']['p50']:7.1f}/"
                  f"{r['long']['p95']:<8.1f} {r['long']['cpu_p50']:5.1f} "
                  f"{r['long']['tokens']:>8}")
            if "long_shipped" in r:
                shipped = (f"{r['short_shipped']['p50']:7.1f}/{r['short_shipped']['p95']:<8.1f} "
                           f"{r['short_shipped']['cpu_p50']:5.1f}" if "short_shipped" in r
                           else f"{'-':>22}")
                print(f"{'':>7} {'':>7} {'as SHaRON checks (by sentence):':>37}  {shipped}  "
                      f"{r['long_shipped']['p50']:7.1f}/{r['long_shipped']['p95']:<8.1f} "
                      f"{r['long_shipped']['cpu_p50']:5.1f}")
    print("(cpu: CPU time of the whole process per message, p50, ms; long tok: word pieces "
          "read from a long message after truncation; 'as SHaRON checks': the check "
          "sharon/safety.py makes, against the ORDINARY sentences too and each of the "
          "first sentences of a message as well as the whole)\n")

    modes = ["eventlet"]
    try:
        import gevent  # noqa: F401

        modes.append("gevent")
    except ImportError:
        print("(gevent is not installed: pip install -e '.[bench]' to measure it too)")
    print("Hub blocking while long messages are checked (a 1 ms ticker's gaps, ms); "
          "latency per check, ms")
    print(f"{'loop':>8} {'threads':>7} {'how':<22} {'max gap':>8} {'p99 gap':>8} "
          f"{'p50 gap':>8} {'p50':>7} {'p95':>7} {'checks/s':>8}")
    labels = {"idle": "nothing (20 ms sleeps)", "direct": "check() on the hub",
              "off_hub": "check_async()", "off_hub_x4": "check_async(), 4 at once"}
    for mode in modes:
        for threads in args.threads:
            r = child(["--child", f"{mode}:{threads}", "--long", str(args.long)])
            if "error" in r:
                print(f"{mode:>8} {threads:>7} {r['error']}")
                continue
            for key, label in labels.items():
                m = r[key]
                print(f"{mode:>8} {threads:>7} {label:<22} {m['max_gap']:8.1f} "
                      f"{m['p99_gap']:8.1f} {m['p50_gap']:8.1f} {m['p50']:7.1f} "
                      f"{m['p95']:7.1f} {m['per_s']:8.1f}")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
