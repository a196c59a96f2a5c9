"""Centered group slopes: each predictor's slopes drawn around beta with spread tau, zero-sum over group."""

import pymc as pm


def build_model(frame):
    predictors = [c for c in frame.columns if c.startswith("x")]
    coords = {"group": sorted(frame["group"].unique()), "predictor": predictors}
    with pm.Model(coords=coords) as model:
        g = pm.Data("g", frame["group"].to_numpy())
        x = pm.Data("x", frame[predictors].to_numpy())
        beta = pm.Normal("beta", 0.0, 2.0, dims="predictor")
        tau = pm.HalfNormal("tau", 2.0, dims="predictor")
        deviation = pm.ZeroSumNormal("deviation", sigma=tau[:, None], dims=("predictor", "group"))
        slopes = pm.Deterministic("beta_g", (beta[:, None] + deviation).T, dims=("group", "predictor"))
        sigma = pm.HalfNormal("sigma", 2.0)
        pm.Normal("y", (slopes[g] * x).sum(axis=1), sigma, observed=frame["y"].to_numpy())
    return model
