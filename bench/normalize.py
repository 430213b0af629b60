"""Text normalisation against the evaluation set (barkflow/text/normalize/eval/<language>.tsv):
the pass rate per class and language, for every language Bark speaks, and the time per sentence.

    python bench/normalize.py                  # barkflow's rules, all 13 languages
    python bench/normalize.py --backend auto   # English through NeMo's grammars where installed
    python bench/normalize.py --failures       # also each case that fails, and what was said

The grammars compile once into --cache (minutes), then load in a second or two.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from barkflow.text.normalize import evaluation, normalise_text, wfst  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", default="rules", choices=["rules", "auto", "wfst"])
    parser.add_argument("--languages", default=",".join(evaluation.languages()))
    parser.add_argument("--cache", default=".barkflow-cache", help="where the English grammars are built (paths.cache_dir)")
    parser.add_argument("--failures", action="store_true")
    args = parser.parse_args()
    wfst.use_cache_dir(args.cache)
    kinds = sorted({case.kind for language in evaluation.languages() for case in evaluation.cases(language)})
    print("language\trate\tms/sentence\t" + "\t".join(kinds))
    for language in args.languages.split(","):
        normalise_text("1", language, args.backend)  # load (and build) the back end outside the timing
        start = time.perf_counter()
        scores = evaluation.score(language, lambda text: normalise_text(text, language, args.backend))
        count = sum(total for _, total, _ in scores.values())
        per_sentence = (time.perf_counter() - start) / max(count, 1) * 1000
        cells = [f"{scores[k][0]}/{scores[k][1]}" if k in scores else "-" for k in kinds]
        print(f"{language}\t{evaluation.rate(scores):.0%}\t{per_sentence:.1f}\t" + "\t".join(cells))
        if args.failures:
            for kind, (_, _, failures) in scores.items():
                for case, said in failures:
                    print(f"    {kind}: {case.written!r} -> {said!r}")


if __name__ == "__main__":
    main()
