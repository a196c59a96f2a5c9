"""GLMM model files written as users write them, for the compare tests: slopes per predictor (a loop), as a
matrix zero-summed over subjects, and the thread's wrong way (the matrix zero-summed over predictors), on
the predictors ``days`` and ``dose`` of subjects ``subject``, with any observed likelihood of the linear
predictor ``eta``."""

from pathlib import Path

LOOP = '''"""TITLE, slopes per predictor."""
import pandas as pd
import pymc as pm


def build_model(df):
    idx, subjects = pd.factorize(df["subject"], sort=True)
    with pm.Model(coords={"group": subjects}) as model:
        eta = 0
        for k, name in enumerate(["days", "dose"], start=1):
            b = pm.Normal(f"beta{k}", sigma=BETA_SD)
            s = pm.HalfNormal(f"tau{k}", sigma=TAU_SD)
            z = pm.ZeroSumNormal(f"z_{name}", dims="group")
            eta = eta + (b + s * z)[idx] * df[name].to_numpy()
        LIKELIHOOD
    return model
'''
MATRIX = '''"""TITLE, slopes as a matrix zero-summed over subjects."""
import pandas as pd
import pymc as pm


def build_model(df):
    idx, subjects = pd.factorize(df["subject"], sort=True)
    cols = ["days", "dose"]
    with pm.Model(coords={"group": subjects, "predictor": cols}) as model:
        beta = pm.Normal("beta", sigma=BETA_SD, dims="predictor")
        tau = pm.HalfNormal("tau", sigma=TAU_SD, dims="predictor")
        z = pm.ZeroSumNormal("z", dims=("predictor", "group")).T
        slopes = pm.Deterministic("beta_g", beta + tau * z, dims=("group", "predictor"))
        eta = (slopes[idx] * df[cols].to_numpy()).sum(axis=1)
        LIKELIHOOD
    return model
'''
# the same written the thread's wrong way: the zero-sum over the last axis, here predictor
WRONG = MATRIX.replace('dims=("predictor", "group")).T', 'dims=("group", "predictor"))').replace(
    "zero-summed over subjects", "zero-summed over predictors (the thread's bug)")
TEMPLATES = {"loop": LOOP, "matrix": MATRIX, "wrong": WRONG}


def glmm_files(directory: Path, stem: str, title: str, likelihood: str, *forms: str, beta_sd: float = 1.0,
               tau_sd: float = 0.5) -> list[str]:
    """``<stem>_loop.py``, ``<stem>_matrix.py``, ``<stem>_wrong.py`` (as ``forms`` asks) in ``directory``, their
    docstrings starting with ``title``, ``likelihood`` their observed variable (a statement using ``eta`` and
    ``df``), priors beta ~ Normal(0, beta_sd), tau ~ HalfNormal(tau_sd)."""
    for form in forms:
        text = (TEMPLATES[form].replace("TITLE", title).replace("LIKELIHOOD", likelihood)
                .replace("BETA_SD", repr(float(beta_sd))).replace("TAU_SD", repr(float(tau_sd))))
        (directory / f"{stem}_{form}.py").write_text(text)
    return [f"{stem}_{form}.py" for form in forms]
