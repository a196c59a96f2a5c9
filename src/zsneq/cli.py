"""``zsneq compare``: ask whether model files (or built-in variants) give the same posterior on your data.

    zsneq compare model_a.py model_b.py --data my.csv --group subject --y reaction [--predictors a b]
        [--extra trials] [--out DIR] [--cores N] [--chains 2 --draws 500 ...] [--config-overlay FILE] [snakemake flags]

Everything is checked first (the data's columns and rows, each model file built on the data); a problem
is one line and nothing is written. Then the study's config is written into a directory of its own
(default ``results-compare/<a>-vs-<b>/``), the workflow runs there (flags it does not know, such as
``--profile``, go to Snakemake), the verdict table is printed, and the report's path is the last line.

A model is ``file.py`` (its function ``build_model``, else ``make_model``), ``file.py:function``, or the
name of a built-in variant (``vectorized_fixed+centered``). The first is the reference.
"""

from __future__ import annotations

import argparse
import ast
import re
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]  # the checkout: Snakefile, workflow/, config/
DEFAULT_FUNCTIONS = ("build_model", "make_model")
VERDICT_TABLE = "results/summary/variant_verdicts.parquet"
REPORT = "results/report/index.html"


class CompareError(ValueError):
    """A problem with the command's arguments, data or model files; the message is one line."""


def parse_model(arg: str) -> tuple[str, str | None, str | None]:
    """``(name, file, function)`` of a model argument; file None for a built-in variant."""
    file, _, function = arg.partition(":") if ".py:" in arg else (arg, "", "")
    if not file.endswith(".py"):
        return arg, None, None
    path = Path(file)
    if not path.is_file():
        raise CompareError(f"{file}: model file does not exist")
    if not function:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        defined = [node.name for node in tree.body if isinstance(node, ast.FunctionDef)]
        function = next((f for f in DEFAULT_FUNCTIONS if f in defined), None)
        if function is None:
            raise CompareError(f"{file}: no function build_model or make_model (functions in the file: "
                               f"{', '.join(defined) or 'none'}); name it as {file}:<function>")
    name = re.sub(r"[^a-z0-9_]", "_", path.stem.lower()).strip("_") or "model"
    return (name if name[0].isalpha() else f"m_{name}"), str(path.resolve()), function


def variant_entries(models: list[str], rename: dict) -> list:
    """The config's ``variants:`` entries, user files under unique names from their file stems."""
    from zsneq.models.variants import VARIANTS

    entries, seen = [], set()
    for arg in models:
        name, file, function = parse_model(arg)
        if file is not None and name in VARIANTS:  # a file named like a built-in variant
            name = f"{name}_file"
        base, k = name, 2
        while name in seen:
            name, k = f"{base}_{k}", k + 1
        seen.add(name)
        entries.append(name if file is None else
                       {"name": name, "file": file, "function": function, **({"rename": rename} if rename else {})})
    return entries


def study_config(args) -> dict:
    from zsneq.core.config import merged

    entries = variant_entries(args.models, dict(r.split("=", 1) for r in args.rename or []))
    data = {"file": str(Path(args.data).resolve()), "group": args.group, "y": args.y}
    if args.predictors:
        data["predictors"] = list(args.predictors)
    if args.extra:
        data["extra"] = list(args.extra)
    scenario = re.sub(r"[^A-Za-z0-9_-]", "_", Path(args.data).stem).lstrip("_-") or "data"
    config = {"scenarios": {scenario: {"data": data}}, "variants": entries,
              "reference_variant": entries[0] if isinstance(entries[0], str) else entries[0]["name"]}
    sampler = {k: getattr(args, k) for k in ("chains", "tune", "draws", "seed") if getattr(args, k) is not None}
    if sampler:
        config["sampler"] = sampler
    if args.config_overlay:
        with open(args.config_overlay, encoding="utf-8") as fh:
            config = merged(config, yaml.safe_load(fh) or {})
    return config


def check_study(config: dict) -> list[str]:
    """Validate the config, the data and every model built on it, before anything is written: warnings
    (one line each); CompareError (one line) on the first problem."""
    import tempfile

    from zsneq.core.dataset import DataError, RegressionData
    from zsneq.core.userfile import UserModelError
    from zsneq.simulation.user_data import read_user_data
    from zsneq.workflow import load_config

    with tempfile.TemporaryDirectory() as tmp:  # the schema validator reads a file
        path = Path(tmp, "config.yaml")
        path.write_text(yaml.safe_dump(config, sort_keys=False))
        try:
            load_config(path)
        except Exception as exc:  # noqa: BLE001 - every config problem becomes one line
            from zsneq.core.config import config_error

            raise CompareError(f"config error: {config_error(exc)}") from exc
    (scenario,) = config["scenarios"].values()
    try:
        frame, warnings = read_user_data(scenario)
        data = RegressionData.from_frame(frame, source=scenario["data"]["file"])
        from zsneq.models.variants import get_variant

        for entry in config["variants"]:
            if not isinstance(entry, str):
                get_variant(entry).build_model(data, check_support=True)
    except (DataError, UserModelError) as exc:
        raise CompareError(str(exc)) from exc
    return warnings


def verdict_table(path: Path) -> str:
    """The verdict table as text: the variant, its outcome family and every verdict column there is, one row
    per variant, then each variant's statement as a paragraph of its own (column names are read as they come)."""
    import pandas as pd

    table = pd.read_parquet(path)
    columns = [c for c in table.columns if c in ("variant", "outcome")]
    columns += [c for c in table.columns if "verdict" in str(c) and c not in columns]
    statements = [c for c in table.columns if str(c) in ("statement", "sentence")]
    columns = columns or list(table.columns)
    cells = [[str(c) for c in columns]] + [["" if pd.isna(v) else str(v) for v in row]
                                          for row in table[columns].itertuples(index=False)]
    widths = [max(len(row[k]) for row in cells) for k in range(len(columns))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in cells]
    for column in statements:
        lines += ["", *(str(s) for s in table[column] if isinstance(s, str) and s)]
    return "\n".join(lines)


def compare(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="zsneq compare", description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="+", help="model files (file.py or file.py:function) or built-in variants")
    parser.add_argument("--data", required=True, help="a CSV or Parquet file")
    parser.add_argument("--group", default="group", help="the column of group labels (default: group)")
    parser.add_argument("--y", default="y", help="the response column (default: y)")
    parser.add_argument("--predictors", nargs="+", help="predictor columns (default: every other column)")
    parser.add_argument("--extra", nargs="+", help="columns the models use that are neither the response nor a "
                        "predictor, e.g. a binomial outcome's number of trials")
    parser.add_argument("--out", help="study directory (default: results-compare/<a>-vs-<b>)")
    parser.add_argument("--cores", default="all", help="as Snakemake's --cores (default: all)")
    parser.add_argument("--rename", nargs="+", metavar="THEIRS=OURS", help="user models' variable names -> ours")
    for key in ("chains", "tune", "draws", "seed"):
        parser.add_argument(f"--{key}", type=int, help=f"sampler {key}")
    parser.add_argument("--config-overlay", help="a YAML file merged over the study's config")
    args, snakemake_args = parser.parse_known_args(argv)
    if len(args.models) < 2:
        parser.error("give at least two models")
    try:
        config = study_config(args)
        warnings = check_study(config)
    except CompareError as exc:
        print(f"zsneq compare: {exc}", file=sys.stderr)
        return 2
    for line in warnings:
        print(f"zsneq compare: warning: {line}", file=sys.stderr)
    names = [e if isinstance(e, str) else e["name"] for e in config["variants"]]
    out = Path(args.out or Path("results-compare", "-vs-".join(re.sub(r"[^A-Za-z0-9_.-]", "_", n) for n in names)))
    out.mkdir(parents=True, exist_ok=True)
    (out / "config.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    cmd = [sys.executable, "-m", "snakemake", "--snakefile", str(ROOT / "Snakefile"), "--directory", str(out),
           "--configfile", str((out / "config.yaml").resolve()), "--replace-workflow-config",
           "--cores", str(args.cores), *snakemake_args]
    proc = subprocess.run(cmd, stdout=sys.stderr)  # Snakemake's log goes to stderr; stdout keeps the answer
    if proc.returncode != 0:
        print(f"zsneq compare: the workflow failed (exit {proc.returncode}); its logs are under {out / 'logs'}",
              file=sys.stderr)
        return proc.returncode
    print(verdict_table(out / VERDICT_TABLE))
    print(out / REPORT)
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help"):
        print("usage: zsneq compare MODEL MODEL [...] --data FILE [--group COL] [--y COL] [--predictors COL ...]\n"
              "           [--extra COL ...]\n"
              "       (zsneq compare --help for every option)")
        return 0 if argv else 2
    if argv[0] != "compare":
        print(f"zsneq: unknown command {argv[0]!r} (commands: compare)", file=sys.stderr)
        return 2
    return compare(argv[1:])


if __name__ == "__main__":
    sys.exit(main())
