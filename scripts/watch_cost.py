"""How much a watched run slows: the same `lnn train` unwatched and with `--watch` and the
page open in headless Chromium (polling as a person's browser would), interleaved.

    python scripts/watch_cost.py --repeats 2 -- --engine embedded --dataset flower \\
        --layers 4:tanh,1:sigmoid --lr 1.2 --epochs 300 --eval-every 100

Prints each run's elapsed_s (lnn train --json) and the ratio of the medians.
"""

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM = os.environ.get("LNN_CHROMIUM") or "/usr/bin/chromium"


def run(options: list[str], out: Path, *, watched: bool) -> float:
    argv = [sys.executable, "-m", "lnn.cli.main", "train", *options, "--json", "--out", str(out)]
    if not watched:
        done = subprocess.run(argv, capture_output=True, text=True, check=True)
        return float(json.loads(done.stdout.splitlines()[-1])["elapsed_s"])
    process = subprocess.Popen(
        [*argv, "--watch", "--no-browser"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None and process.stderr is not None
    url = process.stderr.readline().split(" at ", 1)[1].strip()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        page = browser.new_page()
        page.goto(url)
        line = process.stdout.readline()  # the summary: the run is over
        browser.close()
    process.send_signal(signal.SIGINT)
    process.wait(timeout=60)
    return float(json.loads(line)["elapsed_s"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("options", nargs=argparse.REMAINDER, help="lnn train options after --")
    args = parser.parse_args()
    options = [o for o in args.options if o != "--"]
    times: dict[str, list[float]] = {"unwatched": [], "watched": []}
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(args.repeats):
            for kind in ("unwatched", "watched"):
                elapsed = run(options, Path(tmp) / f"{kind}{i}", watched=kind == "watched")
                times[kind].append(elapsed)
                print(f"{kind:>9} #{i + 1}: {elapsed:.1f} s", flush=True)
    ratio = statistics.median(times["watched"]) / statistics.median(times["unwatched"])
    print(json.dumps({**times, "ratio": round(ratio, 3)}))


if __name__ == "__main__":
    main()
