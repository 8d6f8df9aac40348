"""Assertions for an optimizer's pytest suite: drop them into a test of a
trained L-DUFM (features and bias-free layers as arrays or detached tensors).

    import dufm.testing as dt

    def test_training_beats_dnc(trained):
        H1 = dufm.columns_by_class(trained.features.detach(), trained.labels)
        Ws = [lin.weight.detach() for lin in trained.layers]
        dt.assert_below_dnc(H1, Ws, lam=0.004)
        dt.assert_classification(H1, Ws, "low_rank", lam=0.004)
        dt.assert_close_to_best_known(H1, Ws, lam=0.004, rtol=0.05)

Each returns the `dufm.check` report (a dict) when it holds and raises
AssertionError with the deciding numbers otherwise. The parameter arguments
(lam, lam_h, lam_w, n, ...) are those of dufm.check.
"""

import dufm

__all__ = ["assert_below_dnc", "assert_classification", "assert_close_to_best_known"]


def _summary(r):
    ranks = ",".join(str(layer["rank_mean"]) for layer in r["layers"])
    return (f"loss {r['loss']:.17g}, DNC {r['dnc_loss']:.17g}, best known "
            f"{r['best_structure']['name']} {r['best_structure']['loss']:.17g}, class-mean ranks "
            f"{ranks} (K = {r['K']}), classification {r['classification']}")


def assert_below_dnc(H1, Ws, lam=None, **params):
    """The configuration's loss is strictly below the DNC closed form (below
    the lower end of its rigorous enclosure by a relative 1e-12): training found
    something DNC cannot be."""
    __tracebackhide__ = True
    r = dufm.check(H1, Ws, lam, expect_below="dnc", **params)
    x = r["expectations"][0]
    if not x["held"]:
        raise AssertionError(f"not below DNC: {x['detail']}; {_summary(r)}")
    return r


def assert_classification(H1, Ws, expected, lam=None, **params):
    """dufm's classification of the configuration ('dnc', 'low_rank' or
    'other'; rank_tol and nc2_tol as in dufm.check) is the expected one."""
    __tracebackhide__ = True
    r = dufm.check(H1, Ws, lam, expect_class=expected, **params)
    if not r["ok"]:
        raise AssertionError(f"classification is {r['classification']}, expected {expected}: "
                             f"{_summary(r)}")
    return r


def assert_close_to_best_known(H1, Ws, lam=None, rtol=1e-2, **params):
    """The loss is at most (1 + rtol) times the best closed-form candidate of
    dufm.compare at these parameters (the best known configuration); a loss
    below it passes (and would be news: try dufm.certify_config)."""
    __tracebackhide__ = True
    if not (isinstance(rtol, (int, float)) and rtol >= 0):
        raise dufm.InvalidArgument(f"rtol: {rtol!r} must be a number >= 0")
    r = dufm.check(H1, Ws, lam, **params)
    best = r["best_structure"]["loss"]
    if r["loss"] > best * (1 + rtol):
        raise AssertionError(f"loss {r['loss']:.17g} is {r['loss'] / best:.6f} x the best known "
                             f"{r['best_structure']['name']} ({best:.17g}), above 1 + rtol = "
                             f"{1 + rtol:g}; {_summary(r)}")
    return r
