"""One slope, spread and zero-sum group offset per predictor, built in a loop (any number of predictors)."""

import pymc as pm


def build_model(frame):
    predictors = [c for c in frame.columns if c.startswith("x")]
    with pm.Model(coords={"group": sorted(frame["group"].unique())}) as model:
        g = pm.Data("g", frame["group"].to_numpy())
        mu = 0.0
        for k, name in enumerate(predictors, start=1):
            beta = pm.Normal(f"beta{k}", 0.0, 2.0)
            tau = pm.HalfNormal(f"tau{k}", 2.0)
            offset = pm.ZeroSumNormal(f"offset{k}", dims="group")
            x = pm.Data(name, frame[name].to_numpy())
            mu = mu + (beta + tau * offset)[g] * x
        sigma = pm.HalfNormal("sigma", 2.0)
        pm.Normal("y", mu, sigma, observed=frame["y"].to_numpy())
    return model
