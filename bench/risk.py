"""How well SHaRON's risk detector does on a labelled set of sentences.

Runs the whole detector as it ships (the watched words of a freshly migrated database,
and the meaning check when it is installed and switched on) over bench/risk_sentences.csv
and prints, per class, the share caught (flagged, held or blocked), and for the benign
classes the share flagged and the share held or blocked. The set is never read by the
detector itself; terms may be tuned on the `dev` half only, and the `test` half is the
figure to report (bench/README-risk.md says how the set was written).

    .venv/bin/python bench/risk.py [--split test] [--misses] [--meaning on|off|both]

Targets: recall at least 95% on explicit and 85% on implicit statements; at most 5% of
benign sentences held and at most 10% flagged.
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("SHARON_SECRET_KEY", "bench-risk")

RISK_CLASSES = ("explicit", "implicit", "third_party")
BENIGN_CLASSES = ("supportive", "trap")
TARGETS = {"explicit": 0.95, "implicit": 0.85}
HELD_TARGET, FLAGGED_TARGET = 0.05, 0.10


def load(split: str) -> list[dict[str, str]]:
    with open(ROOT / "bench" / "risk_sentences.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return [r for r in rows if split == "all" or r["split"] == split]


def evaluate(rows: list[dict[str, str]], check) -> tuple[dict, list]:  # type: ignore[no-untyped-def]
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    misses = []
    started = time.perf_counter()
    for row in rows:
        verdict = check(row["text"])
        outcome = counts[row["class"]]
        outcome["total"] += 1
        outcome[verdict.action] += 1
        risky = row["class"] in RISK_CLASSES
        if risky and verdict.action == "allow":
            misses.append(("missed", row["class"], row["text"], ""))
        elif not risky and verdict.action != "allow":
            misses.append((verdict.action, row["class"], row["text"],
                           ", ".join(verdict.matched)))
    elapsed = time.perf_counter() - started
    return {"counts": counts, "ms_per_sentence": 1000 * elapsed / max(len(rows), 1)}, misses


def report(label: str, result: dict) -> bool:  # type: ignore[type-arg]
    counts = result["counts"]
    print(f"\n{label}  ({result['ms_per_sentence']:.2f} ms a sentence)")
    print(f"  {'class':<12} {'n':>4} {'caught':>8} {'flagged':>8} {'held':>6} {'target':>16}")
    met = True
    for cls in (*RISK_CLASSES, *BENIGN_CLASSES):
        c = counts.get(cls)
        if not c:
            continue
        n = c["total"]
        caught = (n - c["allow"]) / n
        flagged, held = c["flag"] / n, (c["hold"] + c["block"]) / n
        target = ""
        if cls in TARGETS:
            ok = caught >= TARGETS[cls]
            met &= ok
            target = f"recall >= {TARGETS[cls]:.0%} {'met' if ok else 'MISSED'}"
        print(f"  {cls:<12} {n:>4} {caught:>8.1%} {flagged:>8.1%} {held:>6.1%} {target:>16}")
    benign = [counts[c] for c in BENIGN_CLASSES if c in counts]
    n = sum(c["total"] for c in benign)
    if n:
        held = sum(c["hold"] + c["block"] for c in benign) / n
        flagged = sum(c["flag"] for c in benign) / n
        held_ok, flagged_ok = held <= HELD_TARGET, flagged <= FLAGGED_TARGET
        met &= held_ok and flagged_ok
        print(f"  benign held or blocked {held:.1%} (target <= {HELD_TARGET:.0%}: "
              f"{'met' if held_ok else 'MISSED'}); flagged {flagged:.1%} "
              f"(target <= {FLAGGED_TARGET:.0%}: {'met' if flagged_ok else 'MISSED'})")
    return met


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--split", choices=("dev", "test", "all"), default="test")
    parser.add_argument("--misses", action="store_true", help="list what went wrong")
    parser.add_argument("--meaning", choices=("on", "off", "both"), default="both")
    parser.add_argument("--threshold", type=float, help="the meaning check's threshold "
                        "(default: SHARON_MEANING_THRESHOLD)")
    args = parser.parse_args()

    from flask_migrate import upgrade

    from sharon import create_app, safety
    from sharon.extensions import db

    rows = load(args.split)
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/r.db",
                          "SHARON_ASYNC_MODE": "threading", "SHARON_REDIS_URL": None})
        with app.app_context():
            upgrade()
            modes = {"on": [True], "off": [False], "both": [False, True]}[args.meaning]
            all_met = True
            for meaning in modes:
                if meaning and not _meaning_available():
                    print("\nmeaning check: not installed or not loaded "
                          "(pip install -e '.[meaning]')")
                    continue
                app.config["SHARON_MEANING_CHECK"] = meaning
                if args.threshold:
                    app.config["SHARON_MEANING_THRESHOLD"] = args.threshold
                check = safety.check_all
                result, misses = evaluate(rows, check)
                label = f"split={args.split}, watched words" + (" + meanings" if meaning else "")
                all_met &= report(label, result)
                if args.misses:
                    for kind, cls, text, terms in misses:
                        print(f"    {kind:<7} {cls:<12} {text}" + (f"  [{terms}]" if terms else ""))
            db.session.remove()
            db.engine.dispose()
    print("\nall targets met" if all_met else "\nsome targets missed")
    return 0


def _meaning_available() -> bool:
    try:
        from sharon import meanings
    except ImportError:
        return False
    return bool(getattr(meanings, "available", lambda: False)())


if __name__ == "__main__":
    raise SystemExit(main())
