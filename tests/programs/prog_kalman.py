"""Kalman filter log likelihood for a linear-Gaussian state-space model: the transition matrix and the log
noise variances are fitted; each step predicts, computes the innovation likelihood with inv and det, and
updates."""

import numpy as np


def kalman_negative_log_likelihood(params, observations, H):
    A = params["A"]
    Q = np.exp(params["log_q"]) * np.eye(A.shape[0])
    R = np.exp(params["log_r"]) * np.eye(H.shape[0])
    mean = np.zeros(A.shape[0])
    cov = np.eye(A.shape[0])
    nll = 0.0
    for y in observations:
        mean = A @ mean
        cov = A @ cov @ A.T + Q
        S = H @ cov @ H.T + R
        S_inv = np.linalg.inv(S)
        innovation = y - H @ mean
        nll = nll + 0.5 * (innovation @ S_inv @ innovation + np.log(np.linalg.det(S))
                           + H.shape[0] * np.log(2 * np.pi))
        gain = cov @ H.T @ S_inv
        mean = mean + gain @ innovation
        cov = cov - gain @ H @ cov
    return nll
