"""Write the waiting-room chime: a soft two-tone "ding-dong" (16 kHz mono, 16-bit PCM).

The sound is generated, not downloaded, so its origin and licence are plain. Run it again after
changing a parameter and commit the result:

    .venv/bin/python scripts/make_chime.py   # writes onestop/static/sounds/chime.wav
"""

from __future__ import annotations

import math
import struct
import sys
import wave
from pathlib import Path

RATE = 16_000
SECONDS = 1.1
# (start s, fundamental Hz): E5 then C5, the classic "ding-dong" falling major third.
NOTES = ((0.0, 659.25), (0.42, 523.25))
# Partials of a struck bell-like tone: (frequency ratio, relative amplitude).
PARTIALS = ((1.0, 1.0), (2.0, 0.35), (3.0, 0.12), (4.2, 0.05))
DECAY = 4.5  # per second: the note rings, then fades well before the file ends
ATTACK = 0.006  # seconds of fade-in, so the note starts without a click
PEAK = 0.6  # of full scale: loud enough for a TV speaker, never clipping
OUT = Path(__file__).resolve().parent.parent / "onestop" / "static" / "sounds" / "chime.wav"


def sample(t: float) -> float:
    total = 0.0
    for start, frequency in NOTES:
        local = t - start
        if local < 0:
            continue
        envelope = min(1.0, local / ATTACK) * math.exp(-DECAY * local)
        for ratio, amplitude in PARTIALS:
            # Higher partials die faster, as on a real bell.
            total += (
                amplitude
                * envelope ** (1 + ratio / 2)
                * math.sin(2 * math.pi * frequency * ratio * local)
            )
    return total


def render() -> bytes:
    count = int(RATE * SECONDS)
    raw = [sample(i / RATE) for i in range(count)]
    fade = int(RATE * 0.05)  # a short fade-out so the file ends in silence
    for i in range(fade):
        raw[count - fade + i] *= 1 - i / fade
    scale = PEAK / max(abs(v) for v in raw)
    return b"".join(struct.pack("<h", round(v * scale * 32767)) for v in raw)


def main(path: Path = OUT) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(render())
    print(f"wrote {path} ({path.stat().st_size} bytes)")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT)
