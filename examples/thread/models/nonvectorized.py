"""The thread's non-vectorized model as posted (pm.MutableData/ConstantData written as pm.Data)."""

import pandas as pd
import pymc as pm


def make_model(frame: pd.DataFrame) -> pm.Model:
    """One beta, tau and ZeroSumNormal(dims='group') offset per predictor, as posted."""
    coords = {"group": frame["group"].unique()}
    with pm.Model(coords=coords) as model:
        # Data
        g = pm.Data("g", frame["group"])
        x1 = pm.Data("x1", frame["x1"])
        x2 = pm.Data("x2", frame["x2"])
        x3 = pm.Data("x3", frame["x3"])
        y = pm.Data("y", frame["y"])

        # Population level
        beta1 = pm.Normal("beta1", sigma=2.0)
        beta2 = pm.Normal("beta2", sigma=2.0)
        beta3 = pm.Normal("beta3", sigma=2.0)
        tau1 = pm.Gamma("tau1", mu=10.0, sigma=5.0)
        tau2 = pm.Gamma("tau2", mu=10.0, sigma=5.0)
        tau3 = pm.Gamma("tau3", mu=10.0, sigma=5.0)
        sigma = pm.HalfNormal("sigma", sigma=200.0)

        # Group level
        epsilon_beta1_g = pm.ZeroSumNormal("epsilon_beta1_g", dims="group")
        beta1_g = beta1 + tau1 * epsilon_beta1_g

        epsilon_beta2_g = pm.ZeroSumNormal("epsilon_beta2_g", dims="group")
        beta2_g = beta2 + tau2 * epsilon_beta2_g

        epsilon_beta3_g = pm.ZeroSumNormal("epsilon_beta3_g", dims="group")
        beta3_g = beta3 + tau3 * epsilon_beta3_g

        # Linear model
        mu = beta1_g[g] * x1 + beta2_g[g] * x2 + beta3_g[g] * x3

        # Likelihood
        pm.Normal("y_obs", mu=mu, sigma=sigma, observed=y, shape=mu.shape)

    return model
