"""The thread's vectorized model with the accepted fix: ZeroSumNormal(dims=['predictor', 'group']).T."""

import pandas as pd
import pymc as pm


def make_model(frame: pd.DataFrame) -> pm.Model:
    """ZeroSumNormal(dims=['predictor', 'group']).T: the offsets sum to zero over group."""
    predictors = [col for col in frame.columns if col.startswith("x")]
    coords = {"group": frame["group"].unique(), "predictor": predictors}
    with pm.Model(coords=coords) as model:
        # Data
        g = pm.Data("g", frame["group"])
        x = pm.Data("x", frame[predictors])
        y = pm.Data("y", frame["y"])

        # Population level
        beta = pm.Normal("beta", sigma=2.0, dims="predictor")
        tau = pm.Gamma("tau", mu=10.0, sigma=5.0, dims="predictor")
        sigma = pm.HalfNormal("sigma", sigma=200.0)

        # Group level
        epsilon_beta_g = pm.ZeroSumNormal("epsilon_beta_g", dims=["predictor", "group"]).T
        beta_g = beta + tau * epsilon_beta_g

        # Linear model
        mu = (beta_g[g] * x).sum(axis=1)

        # Likelihood
        pm.Normal("y_obs", mu=mu, sigma=sigma, observed=y, shape=mu.shape)

    return model
