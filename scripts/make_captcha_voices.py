"""Make the Indonesian digit voices of the audio CAPTCHA (forms/identity/voices/id/) with eSpeak NG.

The `captcha` package ships English voices only (A-Z, 0-9); its AudioCaptcha reads a folder per
character of 8 kHz, 8-bit unsigned mono WAV files and picks one file per character at random. This
script speaks each digit with Debian's espeak-ng (`apt-get install espeak-ng`, voice `id`) in a few
speeds and pitches and converts the result to that format. Run once, from the repository root; the
server needs neither espeak-ng nor this script. (Speech synthesised by a program is its output, not
part of the program: the files carry no licence of espeak-ng's.)
"""
from __future__ import annotations

import audioop
import io
import subprocess
import sys
import wave
from pathlib import Path

WORDS = {"0": "nol", "1": "satu", "2": "dua", "3": "tiga", "4": "empat", "5": "lima", "6": "enam", "7": "tujuh",
         "8": "delapan", "9": "sembilan"}
VARIANTS = (("a", 150, 45), ("b", 135, 60), ("c", 165, 35))  # name, words per minute, pitch (0-99)
RATE = 8000
TARGET = Path(__file__).resolve().parent.parent / "forms" / "identity" / "voices" / "id"


def speak(word: str, speed: int, pitch: int) -> bytes:
    """espeak-ng's WAV of one word."""
    return subprocess.run(["espeak-ng", "-v", "id", "-s", str(speed), "-p", str(pitch), "--stdout", word],
                          check=True, capture_output=True).stdout


def to_captcha_format(data: bytes) -> bytes:
    """8 kHz, 8-bit unsigned, mono frames, as captcha.audio expects (it reads frames, not headers)."""
    with wave.open(io.BytesIO(data)) as source:
        width, rate, frames = source.getsampwidth(), source.getframerate(), source.readframes(source.getnframes())
    frames, _ = audioop.ratecv(frames, width, 1, rate, RATE, None)
    return audioop.bias(audioop.lin2lin(frames, width, 1), 1, 128)


def write(path: Path, frames: bytes) -> None:
    """A WAV file of 8 kHz, 8-bit mono frames."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(1)
        out.setframerate(RATE)
        out.writeframes(frames)


def main() -> int:
    """Write every digit in every variant."""
    for digit, word in WORDS.items():
        for name, speed, pitch in VARIANTS:
            write(TARGET / digit / f"{name}.wav", to_captcha_format(speak(word, speed, pitch)))
    print(f"voices written to {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
