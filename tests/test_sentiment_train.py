"""The training options of training/sentiment_train.py: domain-balanced weights and the balanced-accuracy cut."""

import numpy as np

from training.sentiment_train import balanced_threshold, domain_balanced_weights


def test_domain_balanced_weights_give_every_domain_label_cell_the_same_total():
    doms = ["big"] * 8 + ["small"] * 2
    y = np.array([1, 1, 1, 1, 1, 1, 0, 0, 1, 0])
    w = domain_balanced_weights(doms, y)
    cells = {}
    for d, lab, wi in zip(doms, y, w):
        cells[(d, lab)] = cells.get((d, lab), 0.0) + wi
    assert np.allclose(list(cells.values()), 2.5) and np.isclose(w.mean(), 1.0)


def test_balanced_threshold_moves_the_cut_for_a_skewed_set_and_averages_over_domains():
    # scores of a model biased towards positive: the negatives sit at 0.5..1, positives at 2..3
    z = np.array([0.5, 0.8, 1.0, 2.0, 2.2, 2.5, 3.0, 3.0, 3.0, 3.0])
    y = np.array([0, 0, 0, 1, 1, 1, 1, 1, 1, 1])
    t = balanced_threshold(z, y)
    assert 1.0 < t < 2.0 and ((z >= t) == y.astype(bool)).all()
    # already separated at 0: the cut stays at 0 (the smallest |cut| among the best)
    assert balanced_threshold(np.array([-2.0, -1.0, 1.0, 2.0]), np.array([0, 0, 1, 1])) == 0.0
    # the seed sentences are never judged as a domain
    z2 = np.concatenate([z, [-5.0, 5.0]])
    y2 = np.concatenate([y, [1, 0]])
    doms = ["a"] * 10 + ["seed", "seed"]
    assert balanced_threshold(z2, y2, doms) == t
