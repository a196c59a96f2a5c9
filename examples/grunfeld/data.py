"""Write grunfeld.csv: the Grunfeld (1950) investment panel as statsmodels bundles it (no download).

11 firms x 20 years (1935-1954): gross investment ``invest``, market value ``value`` and capital stock
``capital`` (millions of 1947 dollars), ``firm`` (its name) and ``year``. Public domain (statsmodels'
``grunfeld.COPYRIGHT``; Kleiber and Zeileis 2008, "The Grunfeld Data at 50"). Run from the repository root:

    uv run --extra examples python examples/grunfeld/data.py
"""

from pathlib import Path

from statsmodels.datasets import grunfeld

OUT = Path(__file__).with_name("grunfeld.csv")


def main() -> None:
    frame = grunfeld.load_pandas().data
    frame["year"] = frame["year"].astype(int)
    frame[["firm", "year", "invest", "value", "capital"]].to_csv(OUT, index=False)
    print(f"{OUT}: {len(frame)} rows, {frame['firm'].nunique()} firms")


if __name__ == "__main__":
    main()
