"""``zsneq compare``: one command from model files and a data file of one's own to the verdict table and the
report, the data's own column names and labels throughout; a problem with the data stops it, one line, before
anything is written."""

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from conftest import ROOT, with_session_cache
from glmm import glmm_files

from zsneq.cli import main
from zsneq.simulation.generator import simulate

pytestmark = pytest.mark.e2e  # runs the workflow on a study

ZSNEQ = Path(sys.executable).with_name("zsneq")  # the console script, installed by uv sync
THREAD = ROOT / "examples" / "thread" / "models"
SAMPLER = ["--chains", "2", "--tune", "100", "--draws", "100", "--cores", "2"]

# a pair written as a user would, for their data's own columns: other variable names, labels as coords
LOOP = '''"""Slopes per predictor, a loop."""
import pandas as pd
import pymc as pm


def build_model(df):
    idx, subjects = pd.factorize(df["subject"], sort=True)
    with pm.Model(coords={"group": subjects}) as model:
        mu = 0
        for name in ["days", "dose"]:
            b = pm.Normal(f"b_{name}", sigma=2.0)
            s = pm.Gamma(f"s_{name}", mu=10.0, sigma=5.0)
            z = pm.ZeroSumNormal(f"z_{name}", dims="group")
            mu = mu + (b + s * z)[idx] * df[name].to_numpy()
        noise = pm.HalfNormal("noise", sigma=200.0)
        pm.Normal("reaction", mu=mu, sigma=noise, observed=df["reaction"].to_numpy())
    return model
'''
MATRIX = '''"""Slopes as a matrix, zero-summed over subjects."""
import pandas as pd
import pymc as pm


def build_model(df):
    idx, subjects = pd.factorize(df["subject"], sort=True)
    cols = ["days", "dose"]
    with pm.Model(coords={"group": subjects, "predictor": cols}) as model:
        b = pm.Normal("b", sigma=2.0, dims="predictor")
        s = pm.Gamma("s", mu=10.0, sigma=5.0, dims="predictor")
        noise = pm.HalfNormal("noise", sigma=200.0)
        z = pm.ZeroSumNormal("z", dims=("predictor", "group")).T
        slopes = pm.Deterministic("slopes", b + s * z, dims=("group", "predictor"))
        mu = (slopes[idx] * df[cols].to_numpy()).sum(axis=1)
        pm.Normal("reaction", mu=mu, sigma=noise, observed=df["reaction"].to_numpy())
    return model
'''
RENAME = ["--rename", "b=beta", "s=tau", "noise=sigma", "b_days=beta[days]", "b_dose=beta[dose]",
          "s_days=tau[days]", "s_dose=tau[dose]"]


@pytest.fixture(scope="module")
def sleep_csv(tmp_path_factory) -> Path:
    """20 subjects x 10 rows under names of their own: subject (labels S00..), reaction, days, dose, light."""
    frame, _ = simulate(20, 10, [1.0, 1.2, 0.8], [1.0, 1.5, 0.8], 1.0, np.random.default_rng(1))
    labels = np.array([f"S{k:02d}" for k in range(20)])
    own = pd.DataFrame({"subject": labels[frame["group"]], "reaction": frame["y"], "days": frame["x1"],
                        "dose": frame["x2"], "light": frame["x3"]})
    path = tmp_path_factory.mktemp("own") / "sleep.csv"
    own.to_csv(path, index=False)
    return path


def compare(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    """``zsneq compare *args`` in ``cwd``, its fits compiling into the session's compile cache."""
    overlay = cwd / "compile-cache.yaml"
    overlay.write_text(yaml.safe_dump(with_session_cache({})))
    proc = subprocess.run([str(ZSNEQ), "compare", *args, "--config-overlay", str(overlay)], cwd=cwd,
                          capture_output=True, text=True, timeout=1500)
    assert proc.returncode == 0, proc.stderr[-4000:]
    return proc


def verdict_rows(stdout: str) -> dict[str, dict[str, str]]:
    """``{variant: {column: value}}`` from the printed table (header, one line per variant, a blank line),
    read by the header's column positions (values such as "different model" hold spaces)."""
    lines = stdout.splitlines()
    header, rows = lines[0], lines[1: lines.index("")]
    starts = [m.start() for m in re.finditer(r"\S+", header)]
    names = header.split()
    cells = [[row[a:b].strip() for a, b in zip(starts, [*starts[1:], None])] for row in rows]
    return {c[0]: dict(zip(names[1:], c[1:])) for c in cells}


def test_the_thread_s_files_on_data_with_names_of_its_own(sleep_csv):
    proc = compare(sleep_csv.parent, str(THREAD / "nonvectorized.py"), str(THREAD / "vectorized.py"),
                   "--data", sleep_csv.name, "--group", "subject", "--y", "reaction", *SAMPLER)
    report = proc.stdout.strip().splitlines()[-1]
    out = sleep_csv.parent / "results-compare" / "nonvectorized_file-vs-vectorized"
    assert Path(sleep_csv.parent, report) == out / "results/report/index.html"
    assert Path(sleep_csv.parent, report).is_file()
    rows = verdict_rows(proc.stdout)
    assert set(rows) == {"nonvectorized_file", "vectorized"}
    assert rows["nonvectorized_file"]["model_verdict"] == "reference"
    assert rows["vectorized"]["model_verdict"] == "different model", proc.stdout
    assert rows["vectorized"]["posterior_verdict"] in ("disagrees", "unreliable"), proc.stdout
    assert "sums to zero over predictor" in proc.stdout
    summary = pd.read_parquet(out / "results/summary/summary.parquet")
    assert {"beta[days]", "beta[dose]", "beta[light]", "tau[days]"} <= set(summary["parameter"])
    groups = pd.read_parquet(out / "results/summary/group_slopes.parquet")
    assert set(groups["group"]) == {f"S{k:02d}" for k in range(20)}
    html = Path(sleep_csv.parent, report).read_text()
    assert "beta[days]" in html and "S0" in html


def test_a_pair_written_by_a_user_for_their_own_columns(sleep_csv, tmp_path):
    (tmp_path / "loop.py").write_text(LOOP)
    (tmp_path / "matrix.py").write_text(MATRIX)
    out = tmp_path / "study"
    proc = compare(tmp_path, "loop.py", "matrix.py", "--data", str(sleep_csv), "--group", "subject",
                   "--y", "reaction", "--predictors", "days", "dose", "--out", str(out), *RENAME, *SAMPLER)
    assert proc.stdout.strip().splitlines()[-1] == str(out / "results/report/index.html")
    verdicts = verdict_rows(proc.stdout)
    assert verdicts["loop"]["model_verdict"] == "reference", proc.stdout
    assert verdicts["matrix"]["model_verdict"] != "different model", proc.stdout
    assert verdicts["matrix"]["posterior_verdict"] != "disagrees", proc.stdout
    summary = pd.read_parquet(out / "results/summary/summary.parquet")
    assert {"beta[days]", "beta[dose]", "tau[days]", "tau[dose]", "sigma"} <= set(summary["parameter"])
    slopes = pd.read_parquet(out / "results/summary/group_slopes.parquet")
    assert set(slopes.loc[slopes["variant"] == "matrix", "group"]) == {f"S{k:02d}" for k in range(20)}


def test_bad_data_stops_before_anything_is_written(sleep_csv, tmp_path, capsys):
    frame = pd.read_csv(sleep_csv)
    frame.loc[[3, 8], "dose"] = np.nan
    bad = tmp_path / "bad.csv"
    frame.to_csv(bad, index=False)
    out = tmp_path / "never"
    code = main(["compare", str(THREAD / "nonvectorized.py"), str(THREAD / "vectorized.py"), "--data", str(bad),
                 "--group", "subject", "--y", "reaction", "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2 and not out.exists()
    assert err == "zsneq compare: bad.csv: column 'dose' has missing values in rows 4, 9\n".replace(
        "bad.csv", str(bad))


# a binary outcome: Bernoulli logit models, no sigma (E: outcome families through plain-PyMC files)
LOGIT = 'pm.Bernoulli("woke", logit_p=eta, observed=df["woke"].to_numpy())'


@pytest.fixture(scope="module")
def woke_csv(tmp_path_factory) -> Path:
    """20 subjects x 10 rows of a binary outcome ``woke`` on ``days`` and ``dose`` (logit link)."""
    rng = np.random.default_rng(3)
    g = np.repeat(np.arange(20), 10)
    x = rng.normal(size=(200, 2))
    slopes = np.array([1.0, -0.5]) + rng.normal(size=(20, 2)) * [0.5, 0.3]
    p = 1 / (1 + np.exp(-(slopes[g] * x).sum(axis=1)))
    frame = pd.DataFrame({"subject": np.array([f"S{k:02d}" for k in range(20)])[g],
                          "woke": (rng.random(200) < p).astype(int), "days": x[:, 0], "dose": x[:, 1]})
    path = tmp_path_factory.mktemp("woke") / "woke.csv"
    frame.to_csv(path, index=False)
    glmm_files(path.parent, "logit", "Bernoulli logit", LOGIT, "loop", "matrix", "wrong", beta_sd=2.0, tau_sd=1.0)
    return path


def test_a_logistic_glmm_written_two_equivalent_ways_and_one_wrong_way(woke_csv):
    """A Bernoulli logit GLMM: the matrix form is not a different model; the one that zero-sums over predictors
    is, and its line says why (the zero-sum axis read from its graph)."""
    out = woke_csv.parent / "study"
    proc = compare(woke_csv.parent, "logit_loop.py", "logit_matrix.py", "logit_wrong.py", "--data", woke_csv.name,
                   "--group", "subject", "--y", "woke", "--out", str(out), *SAMPLER)
    rows = verdict_rows(proc.stdout)
    assert rows["logit_loop"]["model_verdict"] == "reference"
    assert rows["logit_matrix"]["model_verdict"] in ("same model", "no difference found", "not shown"), proc.stdout
    assert rows["logit_matrix"]["posterior_verdict"] != "disagrees", proc.stdout
    assert rows["logit_wrong"]["model_verdict"] == "different model", proc.stdout
    wrong = next(line for line in proc.stdout.splitlines() if line.startswith("logit_wrong: "))
    assert re.search(r"sums? to zero (over |along `)predictor", wrong), wrong
    summary = pd.read_parquet(out / "results/summary/summary.parquet")
    assert set(summary["parameter"]) == {"beta[days]", "beta[dose]", "tau[days]", "tau[dose]"}


def test_a_response_outside_the_bernoulli_support_stops_before_anything_is_written(woke_csv, tmp_path, capsys):
    frame = pd.read_csv(woke_csv)
    frame.loc[[4, 9], "woke"] = 2
    bad = tmp_path / "bad.csv"
    frame.to_csv(bad, index=False)
    out = tmp_path / "never"
    code = main(["compare", str(woke_csv.parent / "logit_loop.py"), str(woke_csv.parent / "logit_matrix.py"),
                 "--data", str(bad), "--group", "subject", "--y", "woke", "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2 and not out.exists()
    assert err.endswith("logit_loop.py: build_model: column 'woke' is outside the support of the bernoulli "
                        "likelihood 'woke' in rows 5, 10 (e.g. 2)\n")
    assert err.count("\n") == 1
