"""CAPTCHA costs, same process, same run: the image code, the audio code, and the audio code with the
`captcha` package's own per-sample noise (the baseline of Loket's one-call noise).

    python bench/captchas.py [--rounds 20]

One of each per round, interleaved, so a busy machine slows all alike; medians and p95 in
milliseconds. The audio is pure Python (the `captcha` package mixes noise sample by sample), so it
costs far more than the image: both share CAPTCHA_RATE_LIMIT per client address.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from captcha.audio import AudioCaptcha

from forms.identity.captchas import VOICES, draw, speak

PACKAGE_NOISE = AudioCaptcha(voicedir=VOICES["id"])
KINDS = {"image": lambda: draw("UJI42"), "audio id": lambda: speak("428193", "id"),
         "audio en": lambda: speak("428193", "en"), "audio id, package noise": lambda: PACKAGE_NOISE.generate("428193")}


def timed(function) -> float:
    """Milliseconds one call takes."""
    start = time.perf_counter()
    function()
    return (time.perf_counter() - start) * 1000


def main() -> int:
    """Run the rounds and print one line per kind."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    rounds = parser.parse_args().rounds
    for make in KINDS.values():
        make()  # voices and fonts loaded before timing
    times = {name: [] for name in KINDS}
    for _ in range(rounds):
        for name, make in KINDS.items():
            times[name].append(timed(make))
    for name, values in times.items():
        values.sort()
        print(f"{name:24} p50 {statistics.median(values):8.1f} ms   p95 {values[int(len(values) * 0.95) - 1]:8.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
