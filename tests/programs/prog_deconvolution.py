"""1-D deconvolution: recover a signal from a blurred, noisy observation; the blur is a zero-padded
convolution written as a weighted sum of shifted slices, plus a smoothed total-variation penalty."""

import numpy as np


def blur(signal, kernel):
    n = signal.shape[0]
    padded = np.pad(signal, kernel.shape[0] // 2, mode="constant")
    return sum([weight * padded[i:i + n] for i, weight in enumerate(kernel)])


def smooth_tv(x, eps=1e-3):
    return np.sum(np.sqrt(np.diff(x) ** 2 + eps))


def deconvolution_objective(signal, observed, kernel, tv_weight=0.05):
    return 0.5 * np.sum((blur(signal, kernel) - observed) ** 2) + tv_weight * smooth_tv(signal)
