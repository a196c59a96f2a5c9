"""Data under its own names: columns, labels and predictors named as the data names them, and every problem
with the data as one line naming the column and the rows, found before anything is written."""

import numpy as np
import pandas as pd
import pytest
import yaml

from zsneq.core.config import read_config
from zsneq.core.dataset import DataError, RegressionData
from zsneq.core.userfile import UserModelError
from zsneq.models.user import UserSpec, UserVariant, data_frame, label_groups, model_matching
from zsneq.models.variants import get_variant
from zsneq.simulation.generator import simulate
from zsneq.simulation.user_data import read_user_data
from conftest import ROOT

THREAD = ROOT / "examples" / "thread" / "models"
LABELS = np.array([f"S{k:02d}" for k in range(20)])


def sleep_frame(predictors=("days", "dose", "light")) -> pd.DataFrame:
    frame, _ = simulate(20, 10, [1.0, 1.2, 0.8][: len(predictors)], [1.0, 1.5, 0.8][: len(predictors)], 1.0,
                        np.random.default_rng(1))
    own = pd.DataFrame({"subject": LABELS[frame["group"]], "reaction": frame["y"]})
    for k, name in enumerate(predictors):
        own[name] = frame[f"x{k + 1}"]
    return own


def own_data(tmp_path, frame: pd.DataFrame, **columns):
    path = tmp_path / "sleep.csv"
    frame.to_csv(path, index=False)
    return read_user_data({"data": {"file": str(path), "group": "subject", "y": "reaction", **columns}})


def problem(tmp_path, frame, **columns) -> str:
    with pytest.raises(DataError) as info:
        own_data(tmp_path, frame, **columns)
    message = str(info.value)
    assert "\n" not in message
    return message


def test_labels_and_predictor_names_are_kept_as_the_data_has_them(tmp_path):
    frame, warnings = own_data(tmp_path, sleep_frame())
    data = RegressionData.from_frame(frame)
    assert warnings == []
    assert list(data.groups) == list(LABELS) and data.predictors == ["days", "dose", "light"]
    assert data.columns == {"group": "subject", "y": "reaction"}
    model = get_variant("vectorized_fixed").build_model(data)
    assert list(model.coords["group"]) == list(LABELS) and list(model.coords["predictor"]) == data.predictors


def test_predictors_can_be_chosen_and_ordered(tmp_path):
    frame, _ = own_data(tmp_path, sleep_frame(), predictors=["light", "days"])
    assert RegressionData.from_frame(frame).predictors == ["light", "days"]


def test_a_plain_path_still_reads_group_y_and_x_columns(tmp_path):
    frame, _ = simulate(5, 4, [1.0], [0.5], 1.0, np.random.default_rng(2))
    path = tmp_path / "d.csv"
    frame.assign(note="kept out").to_csv(path, index=False)
    out, _ = read_user_data({"data": str(path)})
    assert list(out.columns) == ["group", "y", "x1"]


def test_the_data_mapping_passes_the_schema_and_unknown_keys_do_not(tmp_path):
    config = {"scenarios": {"s": {"data": {"file": "d.csv", "group": "subject", "y": "reaction",
                                           "predictors": ["days"], "extra": ["trials"]}}},
              "variants": ["nonvectorized"], "reference_variant": "nonvectorized"}
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump(config))
    assert read_config(path)["scenarios"]["s"]["data"]["group"] == "subject"
    config["scenarios"]["s"]["data"]["groups"] = "subject"
    path.write_text(yaml.safe_dump(config))
    with pytest.raises(Exception, match="groups"):
        read_config(path)


def test_user_files_see_the_data_s_own_columns_and_the_thread_s(tmp_path):
    data = RegressionData.from_frame(own_data(tmp_path, sleep_frame())[0])
    frame = data_frame(data)
    assert {"group", "y", "x1", "x2", "x3", "days", "dose", "light", "subject", "reaction"} <= set(frame.columns)
    assert frame["group"].tolist()[:11] == [0] * 10 + [1] and frame["subject"].iloc[0] == "S00"
    for name in ("nonvectorized", "vectorized"):  # the thread's files, written for x1..x3 and group codes
        spec = UserSpec(f"thread_{name}", THREAD / f"{name}.py", "make_model")
        found = model_matching(UserVariant(spec).build_model(data), data.predictors).quantities
        assert {"beta[days]", "tau[light]", "sigma"} <= set(found), name


def test_a_model_indexed_by_codes_gets_the_labels_back(tmp_path):
    import xarray as xr

    data = RegressionData.from_frame(own_data(tmp_path, sleep_frame())[0])
    posterior = xr.Dataset({"z": (("chain", "draw", "group"), np.zeros((1, 2, 20)))}, coords={"group": np.arange(20)})
    assert list(label_groups(posterior, data)["group"].values) == list(LABELS)


def test_a_label_in_one_model_s_coords_only_is_one_line_naming_it(tmp_path):
    data = RegressionData.from_frame(own_data(tmp_path, sleep_frame())[0])
    model_file = tmp_path / "m.py"
    model_file.write_text(
        "import pymc as pm\n\n"
        "def build_model(df):\n"
        "    labels = [s.lower() for s in sorted(df['subject'].unique())]\n"
        "    with pm.Model(coords={'group': labels}) as m:\n"
        "        b = pm.Normal('b', dims='group')\n"
        "        pm.Normal('obs', mu=b[df['group'].to_numpy()], observed=df['reaction'].to_numpy())\n"
        "    return m\n")
    with pytest.raises(UserModelError) as info:
        UserVariant(UserSpec("m", model_file)).build_model(data)
    assert "\n" not in str(info.value)
    assert "group label(s) s00, s01, s02, s03, s04, ... (20 labels) in the model's coords 'group' are not in the " \
           "data's column 'subject'; label(s) only in the data: S00" in str(info.value)


def test_missing_values_name_the_column_and_rows(tmp_path):
    frame = sleep_frame()
    frame.loc[[2, 16], "reaction"] = np.nan
    assert problem(tmp_path, frame).endswith("sleep.csv: column 'reaction' has missing values in rows 3, 17")


def test_a_non_numeric_predictor_names_the_column_and_rows(tmp_path):
    frame = sleep_frame().astype({"days": object})
    frame.loc[4, "days"] = "three"
    assert problem(tmp_path, frame).endswith("sleep.csv: column 'days' is not numeric: row 5 (e.g. 'three')")


def test_a_predictor_zero_in_every_row_is_an_error_a_constant_one_a_warning(tmp_path):
    frame = sleep_frame().assign(dose=0.0)
    assert problem(tmp_path, frame).endswith(
        "sleep.csv: predictor column 'dose' is 0 in every row: its slope is not identified")
    _, warnings = own_data(tmp_path, sleep_frame().assign(dose=1.0))
    assert [w.split(": ", 1)[1] for w in warnings] == [
        "predictor column 'dose' is constant (1 in every row): it acts as each group's intercept"]


def test_a_group_with_one_row_is_a_warning_naming_it(tmp_path):
    frame = pd.concat([sleep_frame(), sleep_frame().iloc[[0]].assign(subject="S99")], ignore_index=True)
    out, warnings = own_data(tmp_path, frame)
    assert len(warnings) == 1 and "\n" not in warnings[0]
    assert warnings[0].endswith("column 'subject': 1 group with one row ('S99'; row 201); legal in a hierarchical "
                                "model, their slopes lean on the population")
    assert "S99" in RegressionData.from_frame(out).groups


def test_a_file_of_zero_rows_is_one_line(tmp_path):
    assert problem(tmp_path, sleep_frame().iloc[:0]).endswith("sleep.csv: the dataset has 0 rows")
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(DataError, match=r"empty.csv: the dataset has 0 rows$"):
        read_user_data({"data": {"file": str(empty)}})


def test_a_missing_column_is_named_with_the_columns_there_are(tmp_path):
    assert problem(tmp_path, sleep_frame().drop(columns="reaction")).endswith(
        "sleep.csv: no y column 'reaction' (columns: subject, days, dose, light)")


def test_a_predictor_name_that_cannot_name_a_parameter_is_refused(tmp_path):
    message = problem(tmp_path, sleep_frame().rename(columns={"days": "days[0]"}))
    assert "predictor column 'days[0]'" in message


POISSON = '''import pandas as pd
import pymc as pm


def build_model(df):
    idx, subjects = pd.factorize(df["subject"], sort=True)
    with pm.Model(coords={"group": subjects}) as model:
        b = pm.Normal("beta1", sigma=1.0)
        pm.Poisson("lapses", mu=pm.math.exp(b * df["days"].to_numpy()), observed=df["lapses"].to_numpy())
    return model
'''


def test_a_response_outside_the_likelihood_s_support_names_the_column_and_rows(tmp_path):
    frame = sleep_frame(("days",)).assign(lapses=3)
    frame.loc[[6, 12], "lapses"] = -1  # a negative count
    frame.to_csv(tmp_path / "sleep.csv", index=False)
    out, _ = read_user_data({"data": {"file": str(tmp_path / "sleep.csv"), "group": "subject", "y": "lapses",
                                      "predictors": ["days"]}})
    data = RegressionData.from_frame(out)
    (tmp_path / "counts.py").write_text(POISSON)
    variant = UserVariant(UserSpec("counts", tmp_path / "counts.py"))
    variant.build_model(data)  # building alone does not evaluate the likelihood
    with pytest.raises(UserModelError) as info:
        variant.build_model(data, check_support=True)
    assert str(info.value).endswith("build_model: column 'lapses' is outside the support of the poisson likelihood "
                                    "'lapses' in rows 7, 13 (e.g. -1)")
    variant.build_model(RegressionData.from_frame(out.assign(y=2.0)), check_support=True)


def trials_frame() -> pd.DataFrame:
    """20 subjects x 10 rows: ``passed`` of ``trials`` attempts, on ``days``."""
    frame = sleep_frame(("days",))
    rng = np.random.default_rng(4)
    trials = rng.integers(5, 12, size=len(frame))
    return frame.assign(trials=trials, passed=rng.binomial(trials, 0.4)).drop(columns="reaction")


def test_an_extra_column_is_handed_to_the_models_and_kept_out_of_the_predictors(tmp_path):
    frame, _ = own_data(tmp_path, trials_frame(), y="passed", extra=["trials"])
    assert frame.attrs["extra"] == ["trials"]
    path = tmp_path / "dataset.parquet"
    frame.to_parquet(path)  # the workflow's dataset file: attrs round-trip
    data = RegressionData.from_frame(pd.read_parquet(path))
    assert data.predictors == ["days"] and list(data.extra) == ["trials"]
    given = data_frame(data)
    assert given["trials"].dtype.kind == "i" and given["trials"].tolist() == trials_frame()["trials"].tolist()
    assert "x2" not in given  # not a predictor by position either


def test_an_extra_column_is_checked_like_the_others(tmp_path):
    frame = trials_frame().astype({"trials": float})
    frame.loc[[1, 7], "trials"] = np.nan
    assert problem(tmp_path, frame, y="passed", extra=["trials"]).endswith(
        "sleep.csv: column 'trials' has missing values in rows 2, 8")
    assert problem(tmp_path, trials_frame(), y="passed", extra=["attempts"]).endswith(
        "sleep.csv: no extra column 'attempts' (columns: subject, days, trials, passed)")
    assert problem(tmp_path, trials_frame(), y="passed", predictors=["days", "trials"], extra=["trials"]).endswith(
        "sleep.csv: column 'trials' is both a predictor and an extra column")


BINOMIAL = '''import pandas as pd
import pymc as pm


def build_model(df):
    idx, subjects = pd.factorize(df["subject"], sort=True)
    with pm.Model(coords={"group": subjects}) as model:
        b = pm.Normal("beta1", sigma=1.0)
        pm.Binomial("passed", n=df["trials"].to_numpy(), logit_p=b * df["days"].to_numpy(),
                    observed=df["passed"].to_numpy())
    return model
'''


def test_more_successes_than_trials_is_outside_the_binomial_support(tmp_path):
    bad = trials_frame()
    bad.loc[[3, 11], "passed"] = bad.loc[[3, 11], "trials"] + 1
    out, _ = own_data(tmp_path, bad, y="passed", extra=["trials"])
    (tmp_path / "binomial.py").write_text(BINOMIAL)
    variant = UserVariant(UserSpec("binomial", tmp_path / "binomial.py"))
    with pytest.raises(UserModelError) as info:
        variant.build_model(RegressionData.from_frame(out), check_support=True)
    message = str(info.value)
    assert "\n" not in message
    assert message.endswith(f"build_model: column 'passed' is outside the support of the binomial likelihood "
                            f"'passed' in rows 4, 12 (e.g. {bad.loc[3, 'passed']})")
    good, _ = own_data(tmp_path, trials_frame(), y="passed", extra=["trials"])
    variant.build_model(RegressionData.from_frame(good), check_support=True)
