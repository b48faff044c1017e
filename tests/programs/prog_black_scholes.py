"""Black-Scholes implied-volatility smile fitting: call prices with the normal CDF written through
scipy.special.erf, a quadratic smile in log-moneyness and a squared pricing error."""

import numpy as np
from scipy.special import erf


def norm_cdf(x):
    return 0.5 * (1.0 + erf(x / np.sqrt(2.0)))


def call_price(spot, strike, maturity, rate, vol):
    sqrt_t = np.sqrt(maturity)
    d1 = (np.log(spot / strike) + (rate + 0.5 * vol ** 2) * maturity) / (vol * sqrt_t)
    d2 = d1 - vol * sqrt_t
    return spot * norm_cdf(d1) - strike * np.exp(-rate * maturity) * norm_cdf(d2)


def smile_loss(params, strikes, maturities, market_prices, spot=100.0, rate=0.01):
    log_moneyness = np.log(strikes / spot)
    vols = np.exp(params["level"] + params["skew"] * log_moneyness + params["curvature"] * log_moneyness ** 2)
    prices = call_price(spot, strikes, maturities, rate, vols)
    return np.mean((prices - market_prices) ** 2)
