"""Session-based recommender: every session is embedded by a small network, the latest session of each user
is kept with a dict comprehension keyed by user id (sessions arrive sorted by time, so later ones overwrite
earlier ones), and those user vectors score the items with a softmax cross-entropy against the next
clicked item."""

import numpy as np


def embed_sessions(params, session_features):
    return np.tanh(session_features @ params["W_embed"] + params["b_embed"])


def next_item_loss(params, session_features, session_users, next_items):
    embeddings = embed_sessions(params, session_features)
    latest = {int(user): emb for emb, user in zip(embeddings, session_users)}
    num_users = len(latest)
    user_vectors = np.stack([latest[u] for u in range(num_users)])
    scores = user_vectors @ params["item_factors"].T
    log_probs = scores - np.log(np.sum(np.exp(scores), axis=1, keepdims=True))
    return -np.mean(log_probs[np.arange(num_users), next_items])
