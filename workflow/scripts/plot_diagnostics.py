"""Rank, trace and energy plots (ArviZ) of one fit.

Under Snakemake (rule ``plot_diagnostics``) or from the command line:
    python workflow/scripts/plot_diagnostics.py --scenario seed --variant nonvectorized --rep 0
(by hand it reads the fit and writes the figures at their places under results/, ``zsneq.core.paths``)
"""

import argparse
import sys
from pathlib import Path

_here = (Path(snakemake.scriptdir) if "snakemake" in globals() else Path(__file__).parent).resolve()  # noqa: F821
sys.path.insert(0, str(_here.parents[1] / "src"))

from zsneq.core.io import setup_logging  # noqa: E402
from zsneq.models.fit_file import read_fit  # noqa: E402
from zsneq.presentation.diagnostics import KINDS, save_diagnostics  # noqa: E402


def main(fit_path, paths: dict, log=None) -> None:
    logger = setup_logging(log)
    tree = read_fit(fit_path)
    save_diagnostics(tree, paths, title=f"{tree.attrs.get('variant', '')}")
    logger.info("wrote %s", ", ".join(map(str, paths.values())))


if "snakemake" in globals():
    sm = globals()["snakemake"]
    main(sm.input.fit, {kind: sm.output[kind] for kind in KINDS}, sm.log[0])
elif __name__ == "__main__":
    from zsneq.core import paths

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--scenario", required=True)
    p.add_argument("--variant", required=True)
    p.add_argument("--rep", type=int, default=0)
    a = p.parse_args()
    main(paths.fit(a.scenario, a.variant, a.rep),
         {kind: paths.diagnostic(a.scenario, a.variant, a.rep, kind) for kind in KINDS})
