"""The thread's data generator, as posted: three predictors, beta = (1, 1.2, 0.8), tau = (10, 12, 8), sigma = 100."""

import numpy as np
import pandas as pd


def generate_data(num_groups: int = 5, num_samples_per_group: int = 20) -> pd.DataFrame:
    rng = np.random.default_rng(seed=42)
    beta_1 = 1
    beta_2 = 1.2
    beta_3 = 0.8
    tau_1 = 10
    tau_2 = 12
    tau_3 = 8
    sigma = 100
    result = {"group": [], "y": [], "x1": [], "x2": [], "x3": []}

    for i in range(num_groups):
        beta_1g = rng.normal(loc=beta_1, scale=tau_1)
        beta_2g = rng.normal(loc=beta_2, scale=tau_2)
        beta_3g = rng.normal(loc=beta_3, scale=tau_3)
        x1 = rng.normal(size=num_samples_per_group)
        x2 = rng.normal(size=num_samples_per_group)
        x3 = rng.normal(size=num_samples_per_group)
        eps = rng.normal(size=num_samples_per_group)
        y = beta_1g * x1 + beta_2g * x2 + beta_3g * x3 + sigma * eps
        result["group"] += [i] * num_samples_per_group
        result["y"] += y.tolist()
        result["x1"] += x1.tolist()
        result["x2"] += x2.tolist()
        result["x3"] += x3.tolist()
    return pd.DataFrame(result)
