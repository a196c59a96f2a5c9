"""The thread's model vectorized, but one spread tau for all predictors (a different model)."""

import pymc as pm


def build_model(frame):
    predictors = [c for c in frame.columns if c.startswith("x")]
    coords = {"group": sorted(frame["group"].unique()), "predictor": predictors}
    with pm.Model(coords=coords) as model:
        g = pm.Data("g", frame["group"].to_numpy())
        x = pm.Data("x", frame[predictors].to_numpy())
        beta = pm.Normal("beta", 0.0, 2.0, dims="predictor")
        tau = pm.Gamma("tau", mu=10.0, sigma=5.0)
        offsets = pm.ZeroSumNormal("offsets", dims=("predictor", "group")).T
        sigma = pm.HalfNormal("sigma", 200.0)
        pm.Normal("y", (((beta + tau * offsets)[g]) * x).sum(axis=1), sigma, observed=frame["y"].to_numpy())
    return model
