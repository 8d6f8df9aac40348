"""Result structs of libdufm as dicts with the CLI's JSON field names (the
same fields as src/cli/report*.c and cmd_*.c write). Every field read of a
libdufm struct that may change layout is in this file."""

from ._core import cstr, ffi, lib, number, params_fields, q_fraction

_REGIME = {
    lib.DUFM_REGIME_NONZERO: "nonzero",
    lib.DUFM_REGIME_TIE: "tie",
    lib.DUFM_REGIME_ZERO: "zero",
}


def regime_name(r):
    return _REGIME.get(r, "unknown")


def ranks(e):
    return {
        "hidden": [e.rank_hidden[l] for l in range(e.L)],
        "preact": [e.rank_preact[l] for l in range(1, e.L)],
        "output": e.rank_out,
    }


def candidate(c, origin=None):
    """One candidate object (report_candidate_json)."""
    e = c.eval
    out = {
        "name": cstr(lib.dufm_structure_name(c.structure)),
        "origin": origin if origin is not None else cstr(lib.dufm_origin_name(c.origin)),
        "applicable": bool(e.applicable),
    }
    if not e.applicable:
        return out
    out.update({
        "loss": number(e.loss),
        "loss_provenance": "polished" if e.kind == lib.DUFM_STRUCTURE_SETS else "closed form",
        "loss_lower": number(e.lower),
        "loss_upper": number(e.upper),
        "ratio_to_dnc": number(c.ratio_to_dnc),
        "vs_dnc": cstr(lib.dufm_cmp_name(c.vs_dnc)),
        "regime": regime_name(e.regime),
        "ridge_loss": number(c.ridge.value) if c.has_ridge else None,
        "ranks": ranks(e),
    })
    if e.kind == lib.DUFM_STRUCTURE_CLIQUE:
        q = e.clique
        out["clique_weights_z"] = [q_fraction(q.z[i]) for i in range(q.m)]
        out["clique_optimized"] = bool(q.optimized)
        if q.optimized:
            out["clique_product"] = number(q.opt.product)
            out["clique_product_lower_bound"] = number(q.opt.lower_bound)
    if e.kind == lib.DUFM_STRUCTURE_SETS:
        t = e.sets
        out["sets"] = {
            "certified": bool(t.certified),
            "cert_loss": number(t.cert_loss) if t.certified else None,
            "pattern_kept": bool(t.pattern_kept), "converged": bool(t.converged),
            "rel_grad": number(t.rel_grad), "violations": t.violations, "kinks": t.kinks,
            "kink_kkt_violations": t.kink_kkt_violations, "strict": bool(t.strict),
        }
    if e.kind == lib.DUFM_STRUCTURE_BLOCKS:
        out["blocks"] = [{"K": b.K, "loss": number(b.loss), "regime": regime_name(b.regime)}
                         for b in (e.blocks.items[i] for i in range(e.blocks.count))]
    return out


def search_candidate(s):
    """The search candidate object (compare_search_json in src/cli/compare_atlas.c)."""
    return {
        "name": cstr(s.source),
        "origin": cstr(lib.dufm_origin_name(lib.DUFM_ORIGIN_SEARCH)),
        "applicable": True,
        "loss": number(s.loss),
        "ratio_to_dnc": number(s.ratio_to_dnc),
        "vs_dnc": cstr(lib.dufm_cmp_name(s.vs_dnc)),
        "ridge_loss": None,
        "ranks": None,
        "certificate": cstr(s.certificate) if s.certificate != ffi.NULL else None,
        "certificate_verified": bool(s.certificate_verified),
        "certificate_note": cstr(s.note) if s.note != ffi.NULL else None,
        "pattern": cstr(s.pattern) if s.pattern != ffi.NULL else None,
        "budget": s.budget,
        "seed": s.seed,
        "time_limit": number(s.time_limit) if s.time_limit > 0 else None,
    }


def comparison(p, cmp):
    """`dufm compare --json`."""
    out = params_fields(p)
    cands = [candidate(cmp.cand[i]) for i in range(cmp.ncand)]
    search = search_candidate(cmp.search) if cmp.search != ffi.NULL else None
    listed = list(cands)
    if search is not None:
        # At its place by loss, after candidates of equal loss (as the CLI).
        at = 0
        while (at < cmp.ncand and cmp.cand[at].eval.applicable
               and cmp.cand[at].eval.loss <= cmp.search.loss):
            at += 1
        listed.insert(at, search)
    best = cmp.cand[cmp.best_index]
    out.update({
        "dnc": cands[cmp.dnc_index],
        "candidates": listed,
        "best": cstr(lib.dufm_structure_name(best.structure)),
        "best_loss": number(best.eval.loss),
        "lower_bound": number(cmp.lower_bound.lower),
        "verdict": cstr(lib.dufm_verdict_name(cmp.verdict)),
        "evidence": cstr(lib.dufm_evidence_name(cmp.evidence)),
        "searched": ffi.string(cmp.searched).decode(),
        "search": search,
        "undecided": cmp.undecided,
        "block_rule": cstr(lib.dufm_block_rule_name(cmp.block_rule)),
    })
    return out


def dnc(p, g, qpow, q0pow):
    """`dufm dnc --json`."""
    out = {"structure": "dnc"}
    out.update(params_fields(p))
    out.update({
        "loss": number(g.value),
        "loss_lower": number(g.lower),
        "loss_upper": number(g.upper),
        "enclosure_width": number(g.upper - g.lower),
        "t": number(g.t),
        "Q": number(g.Q),
        "log_Q": number(g.log_Q),
        "Q_pow_exact": q_fraction(qpow),
        "Q0_pow_exact": q_fraction(q0pow),
        "regime": regime_name(g.regime),
    })
    return out


def structure(p, cand, dnc_eval):
    """`dufm structure --json`."""
    out = params_fields(p)
    out.update(candidate(cand, origin="user"))
    e = cand.eval
    out["dnc_loss"] = number(dnc_eval.loss)
    if e.kind != lib.DUFM_STRUCTURE_BLOCKS:
        out["Q_pow_exact"] = q_fraction(e.q_pow)
        out["dnc_Q_pow_exact"] = q_fraction(dnc_eval.q_pow)
    else:
        out["Q_pow_exact"] = None
    out["t"] = number(e.t)
    return out


def widths(c):
    return [c.d[l] for l in range(c.L + 1)]


def evaluation(p, c, loss, rescaled, t):
    """`dufm eval DIR --json`."""
    out = params_fields(p)
    out.update({
        "widths": widths(c),
        "loss": number(loss.loss),
        "fit": number(loss.fit),
        "reg": number(loss.reg),
        "rescaled_loss": number(rescaled),
        "rescale_t": number(t),
    })
    return out


def layer(s, l):
    return {
        "layer": l,
        "rows": s.rows,
        "rank_mean": s.rank_mean,
        "rank_pre": s.rank_pre if s.rank_pre >= 0 else None,
        "rank_post": s.rank_post,
        "rank_samples": s.rank_samples,
        "singular_values": [number(s.singular_values[i]) for i in range(s.nsv)],
        "nc1": number(s.nc1),
        "nc2": number(s.nc2),
        "nc3": number(s.nc3),
    }


def analysis(p, c, a):
    """`dufm check DIR --json` without "dir", "dnc_loss", "best_structure",
    "expectations" and "ok" (added by the caller)."""
    out = params_fields(p)
    out.update({
        "widths": widths(c),
        "loss": number(a.loss),
        "fit": number(a.fit),
        "reg": number(a.reg),
        "rescaled_loss": number(a.rescaled_loss),
        "grad_norm": number(a.grad_norm),
        "kinks": a.kinks,
        "kink_tol": number(a.kink_tol),
        "layers": [layer(a.layers[l], l + 1) for l in range(a.L)],
        "rank_out": a.rank_out,
        "classification": cstr(lib.dufm_classification_name(a.classification)),
        "rank_tol": number(a.rank_tol),
        "nc2_tol": number(a.nc2_tol),
    })
    return out


def certificate(cert, rep):
    """`dufm certify --json` / `dufm check-cert --json` fields (without "out"
    and "file")."""
    out = {
        "valid": rep.result == lib.DUFM_CERT_VALID,
        "check": cstr(lib.dufm_cert_result_name(rep.result)),
        "detail": cstr(rep.detail),
        "structure": cstr(cert.structure),
    }
    out.update(params_fields(ffi.addressof(cert, "p")))
    out.update({
        "loss": number(lib.dufm_q_get_d(rep.loss)),
        "loss_exact": q_fraction(rep.loss),
        "dnc_bound": number(lib.dufm_q_get_d(rep.bound)),
        "dnc_bound_exact": q_fraction(rep.bound),
        "dnc_s_lo": q_fraction(cert.s_lo),
        "dnc_regime": "zero" if cert.zero_regime else "nonzero",
    })
    return out


def pattern(pt):
    """dufm_pattern as `dufm check --json` prints it (report_pattern.c)."""
    layers = []
    for i in range(pt.nlayers):
        y = pt.layers[i]
        types = [{"classes": [y.classes[k] for k in range(y.start[t], y.start[t + 1])],
                  "count": y.count[t]} for t in range(y.ntypes)]
        layers.append({"layer": y.layer, "rows": y.rows, "dead": y.dead,
                       "text": cstr(y.text), "types": types,
                       "neuron_types": [y.neuron_type[r] for r in range(y.rows)]})
    return {"rel_tol": float(pt.rel_tol), "signature": cstr(pt.signature),
            "shape": cstr(pt.shape), "hash": ffi.string(pt.hash_hex).decode(),
            "layers": layers}
