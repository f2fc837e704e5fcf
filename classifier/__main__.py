"""Command line: ``python -m classifier train --data CSV --out DIR`` and ``evaluate --model DIR --data CSV``.

Bad input (missing file or columns, no rows, a single label, not a model directory) prints a one-line
error on stderr and exits with status 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from classifier.rawtext import raw_files, raw_messages
from classifier.registry import IncompatibleModelError, load_model
from classifier.training import (
    DataError,
    evaluate_model,
    read_rows,
    subjects_beside,
    train_model,
    with_subjects,
)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m classifier", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    train = sub.add_parser("train", help="train a model directory from a text,label CSV")
    train.add_argument("--data", required=True, help="UTF-8 CSV with columns text,label")
    train.add_argument("--out", required=True, help="output model directory")
    train.add_argument("--subjects", help="UTF-8 CSV subject,label: split training texts at these subjects "
                       "(default: NAME_subjects.csv beside the --data file NAME.csv, when there is one)")
    train.add_argument("--no-subjects", action="store_true", help="do not split training texts at subjects")
    train.add_argument("--no-raw", action="store_true", help="choose the threshold on the training rows even when "
                       "raw messages are published beside the data (NAME_records_raw.csv, NAME_details_raw.csv)")
    evaluate = sub.add_parser("evaluate", help="print evaluation metrics of a model as one JSON object")
    evaluate.add_argument("--model", required=True, help="model directory")
    evaluate.add_argument("--data", required=True, help="UTF-8 CSV with columns text,label")
    return parser


def _subjects(args: argparse.Namespace) -> Path | None:
    """--subjects, else NAME_subjects.csv beside NAME.csv (unless --no-subjects)."""
    if args.no_subjects:
        return None
    found = Path(args.subjects) if args.subjects else subjects_beside(args.data)
    if found and not args.subjects:
        print(f"using subjects from {found}", file=sys.stderr)
    return found


def main(argv: list[str] | None = None) -> int:
    """Run the command line and return the exit status."""
    args = _parser().parse_args(argv)
    try:
        if args.command == "train":
            rows = read_rows(args.data)
            raw = {} if args.no_raw else raw_messages(rows, raw_files(args.data))
            if raw:
                print(f"threshold chosen on {len(raw)} raw messages matched to training rows", file=sys.stderr)
            out = train_model(with_subjects(rows, _subjects(args)), args.out, progress=sys.stderr.isatty(), raw=raw)
            meta = json.loads((out / "meta.json").read_text(encoding="utf-8"))
            print(json.dumps({"model": str(out), **{k: meta[k] for k in ("version", "threshold", "coverage")}},
                             ensure_ascii=False))
        else:
            model = load_model(args.model)
            rows = read_rows(args.data, min_labels=1)
            print(json.dumps(evaluate_model(model, rows), ensure_ascii=False))
    except (DataError, IncompatibleModelError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
