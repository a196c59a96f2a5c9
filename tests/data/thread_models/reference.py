"""The thread's model as a user writes it: one slope, spread and zero-sum group offset per predictor, in a loop."""

import pymc as pm


def build_model(frame):
    predictors = [c for c in frame.columns if c.startswith("x")]
    with pm.Model(coords={"group": sorted(frame["group"].unique())}) as model:
        g = pm.Data("g", frame["group"].to_numpy())
        mu = 0.0
        for k, name in enumerate(predictors, start=1):
            beta = pm.Normal(f"beta{k}", 0.0, 2.0)
            tau = pm.Gamma(f"tau{k}", mu=10.0, sigma=5.0)
            offset = pm.ZeroSumNormal(f"offset{k}", dims="group")
            mu = mu + (beta + tau * offset)[g] * pm.Data(name, frame[name].to_numpy())
        sigma = pm.HalfNormal("sigma", 200.0)
        pm.Normal("y", mu, sigma, observed=frame["y"].to_numpy())
    return model
