"""Multi-horizon forecasting: an autoregressive model predicts the series from its last few lags, and the
loss adds a squared error per forecast horizon; the per-horizon losses are closures built in a loop over
the horizons and summed afterwards (they read the loop variable when called, as Python closures do)."""

import numpy as np


def ar_predict(params, series, num_lags=3):
    lags = np.stack([series[num_lags - 1 - j:series.shape[0] - 1 - j] for j in range(num_lags)], axis=1)
    return lags @ params["ar"] + params["bias"]


def multi_horizon_loss(params, series, horizons=(1, 2, 3)):
    target = series[3:]
    losses = []
    for h in horizons:
        def horizon_loss(pred):
            return np.mean((pred[:pred.shape[0] - h + 1] - target[h - 1:]) ** 2)
        losses.append(horizon_loss)
    pred = ar_predict(params, series)
    return sum([loss(pred) for loss in losses])
