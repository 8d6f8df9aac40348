#!/usr/bin/python3
"""Writes the .npy fixtures of tests/test_npy.c, the configuration folders and
their reference losses (data/npy/, data/configs/, data/configs/reference.tsv).

NumPy is needed, so run it with Debian's interpreter (a pyenv python3 on PATH
may lack NumPy):

    /usr/bin/python3 tests/make_npy_fixtures.py          # rewrite the fixtures
    /usr/bin/python3 tests/make_npy_fixtures.py --check  # regenerate elsewhere, compare bytes

Everything is deterministic. Values come from random.Random(seed), whose
random() stream Python keeps stable across versions. Reference losses are
computed exactly (integers scaled by powers of two) and rounded once, so they do
not depend on the BLAS behind NumPy; a NumPy float64 evaluation of the same
formula must agree to 1e-12. The .npy files are written by NumPy itself
(np.lib.format.write_array) except the hand-made headers, so their bytes follow
NumPy's header layout (generated with NumPy 1.24.2).

reference.tsv has a header line and one row per valid folder and lambda setting:
config (folder under data/configs), form (always 'samples': the per-sample loss
of theory section 1), L, K, n, lambda_H, lambda_W (L comma-separated values;
both lambda columns are exact decimals, used exactly), loss, fit, reg (each the
exact value rounded once to float64, printed with repr). float32 files are taken
as their values upcast to float64.

Without NumPy the script exits with 77 (a skipped test for meson).
"""
import argparse, filecmp, os, random, shutil, struct, sys, tempfile
from fractions import Fraction

try:
    import numpy as np
except ImportError:
    print('make_npy_fixtures.py needs NumPy: run it with /usr/bin/python3', file=sys.stderr)
    sys.exit(77)


def value(k):
    """Entry k (row-major index) of every test pattern; test_npy.c recomputes it."""
    return (-(k + 1) if k % 2 else k + 1) / 3.0


def pattern(rows, cols):
    return np.array([[value(i * cols + j) for j in range(cols)] for i in range(rows)])


def save(path, arr, version=(1, 0)):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'wb') as f:
        np.lib.format.write_array(f, arr, version=version, allow_pickle=False)


def raw(path, header, data, version=1, minor=0, align=64, hlen=None, magic=b'\x93NUMPY'):
    """An .npy file with a hand-written header, space padded and ended by a newline."""
    hb = header.encode('utf-8')
    fmt = '<H' if version == 1 else '<I'
    hb += b' ' * (-(8 + struct.calcsize(fmt) + len(hb) + 1) % align) + b'\n'
    size = len(hb) if hlen is None else hlen
    with open(path, 'wb') as f:
        f.write(magic + bytes([version, minor]) + struct.pack(fmt, size) + hb + data)


def std_header(descr, shape, fortran=False):
    return "{'descr': '%s', 'fortran_order': %s, 'shape': %s, }" % (descr, fortran, shape)


def write_valid(d):
    os.makedirs(d)
    for dt in ('f8', 'f4'):
        for bo, bn in (('<', 'le'), ('>', 'be')):
            for order in 'CF':
                for v in (1, 2, 3):
                    a = np.asarray(pattern(3, 4), dtype=bo + dt, order=order)
                    save(f'{d}/{dt}_{bn}_{order.lower()}_v{v}_3x4.npy', a, (v, 0))
    for name, dt, order, v, r, c in [('f8_le_c_v2', '<f8', 'C', 2, 7, 13),
                                     ('f4_be_f_v3', '>f4', 'F', 3, 7, 13),
                                     ('f8_le_c_v1', '<f8', 'C', 1, 1, 1),
                                     ('f8_le_c_v1', '<f8', 'C', 1, 1, 5),
                                     ('f8_le_f_v1', '<f8', 'F', 1, 5, 1)]:
        a = np.asarray(pattern(r, c), dtype=dt, order=order)
        save(f'{d}/{name}_{r}x{c}.npy', a, (v, 0))
    # Extremes: largest, smallest normal and subnormal, negative zero (test_npy.c lists them).
    save(f'{d}/extremes_f8.npy', np.array([[1.7976931348623157e308, -2.2250738585072014e-308,
                                             5e-324], [-0.0, -1e300, 1e-300]]))
    save(f'{d}/extremes_f4.npy', np.array([[3.4028234663852886e38, -1.1754943508222875e-38,
                                             1.401298464324817e-45], [-0.0, -1e30, 1e-30]],
                                           dtype='>f4'))
    le = pattern(3, 4).astype('<f8').tobytes()
    hand = {
        'hdr_reordered': "{'shape': (3, 4), 'fortran_order': False, 'descr': '<f8'}",
        'hdr_spaces': "{  'descr' :'<f8' ,  'fortran_order'  :  False ,'shape' : ( 3 ,  4 , ) , }",
        'hdr_dquote': '{"descr": "<f8", "fortran_order": False, "shape": (3, 4)}',
        'hdr_compact': "{'descr':'<f8','fortran_order':False,'shape':(3,4)}",
        'hdr_multiline': "{'descr': '<f8',\n 'fortran_order': False,\n\t'shape': (3, 4),\n}",
        'hdr_py2long': "{'descr': '<f8', 'fortran_order': False, 'shape': (3L, 4L), }",
        'hdr_native': "{'descr': '=f8', 'fortran_order': False, 'shape': (3, 4), }",
    }
    for name, h in hand.items():
        raw(f'{d}/{name}.npy', h, le)
    raw(f'{d}/hdr_align16.npy', std_header('<f8', (3, 4)), le, align=16)
    raw(f'{d}/hdr_fortran_be_f4.npy', "{'fortran_order': True, 'descr': '>f4', 'shape': (3,4,)}",
        np.asarray(pattern(3, 4), dtype='>f4').T.tobytes())
    for f in sorted(os.listdir(d)):  # NumPy must accept every valid fixture, hand-made ones too
        a = np.load(f'{d}/{f}')
        assert a.ndim == 2 and np.all(np.isfinite(a)), f
        if not f.startswith('extremes'):
            assert np.array_equal(a, pattern(*a.shape).astype(a.dtype)), f


def write_bad(d):
    os.makedirs(d)
    a = pattern(3, 4)
    le = a.tobytes()
    hdr = std_header('<f8', (3, 4))
    for name, arr in [('dtype_i8', a.astype('<i8')), ('dtype_c16', a.astype('<c16')),
                      ('dtype_f2', a.astype('<f2')), ('dtype_b1', a > 0),
                      ('one_d', np.arange(5.0)), ('three_d', np.zeros((2, 3, 4))),
                      ('zero_d', np.array(1.5)), ('zero_rows', np.zeros((0, 4))),
                      ('zero_cols', np.zeros((3, 0)))]:
        save(f'{d}/{name}.npy', arr)
    nan, inf = a.copy(), a.copy()
    nan[1, 2] = np.nan
    inf[2, 0] = -np.inf
    save(f'{d}/nan_f8.npy', nan)
    save(f'{d}/inf_f8.npy', inf)
    two = a.astype('>f4')
    two[0, 3] = np.nan  # first in row-major order ...
    two[2, 0] = np.inf  # ... but not in the Fortran file order
    save(f'{d}/nan_f4_fortran.npy', np.asfortranarray(two), (2, 0))
    raw(f'{d}/trunc_data.npy', hdr, le[:-8])
    raw(f'{d}/overlong.npy', hdr, le + b'\0' * 8)
    raw(f'{d}/shape_lies.npy', std_header('<f8', (30, 4)), le)
    raw(f'{d}/bad_magic.npy', hdr, le, magic=b'\x93NUMPX')
    raw(f'{d}/version_4.npy', hdr, le, version=4)
    raw(f'{d}/version_1_1.npy', hdr, le, minor=1)
    raw(f'{d}/hlen_past_eof.npy', hdr, le, hlen=60000)
    raw(f'{d}/hlen_absurd_v2.npy', hdr, le, version=2, hlen=0xFFFFFFF0)
    for name, content in [('empty', b''), ('short_prefix', b'\x93NUMPY\x01'),
                          ('not_npy', b'hello, world\n' * 4)]:
        with open(f'{d}/{name}.npy', 'wb') as f:
            f.write(content)
    headers = {
        'hdr_garbage': 'this is not a dict',
        'hdr_unterminated': "{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4)",
        'hdr_bad_bool': "{'descr': '<f8', 'fortran_order': Maybe, 'shape': (3, 4), }",
        'hdr_missing_key': "{'descr': '<f8', 'shape': (3, 4), }",
        'hdr_extra_key': "{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), 'foo': 1}",
        'hdr_dup_key': "{'descr': '<f8', 'descr': '<f8', 'fortran_order': False, 'shape': (3, 4)}",
        'hdr_nul': "{'descr': '<f8', 'fortran_order': False,\0 'shape': (3, 4), }",
        'hdr_trailing': "{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), } x",
        'hdr_open_string': "{'descr: '<f8', 'fortran_order': False, 'shape': (3, 4), }",
        'hdr_negative_dim': std_header('<f8', '(-3, 4)'),
        'hdr_float_dim': std_header('<f8', '(3.0, 4)'),
        'hdr_huge_dim': std_header('<f8', '(99999999999999999999999, 4)'),
        'hdr_dim_over_int': std_header('<f8', '(4294967296, 1)'),
        'hdr_product_overflow': std_header('<f8', '(2147483647, 2147483647)'),
        'hdr_structured': "{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (3, 4), }",
        'hdr_empty_dict': '{}',
        'hdr_shape_int': std_header('<f8', '12'),
        'hdr_utf8_key': "{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), '\u00f1': 1}",
    }
    for name, h in headers.items():
        raw(f'{d}/{name}.npy', h, le, version=3 if 'utf8' in name else 1)


# name, K, n, widths d[0..L-1] (d[L] = K), seed
CONFIGS = [('l1_k3_n2', 3, 2, [4], 11), ('l3_k4_n2', 4, 2, [5, 6, 7], 12),
           ('l4_k10_n1', 10, 1, [30, 30, 30, 30], 13)]


def config_arrays(K, n, widths, seed):
    rng = random.Random(seed)
    d = widths + [K]

    def mat(r, c, scale):
        return np.array([[(2 * rng.random() - 1) * scale for _ in range(c)] for _ in range(r)])
    # Weights ~ sqrt(6 / fan_in) so that the output stays of order one through the ReLUs.
    return [mat(d[0], K * n, 1.0)] + [mat(d[l + 1], d[l], (6.0 / d[l]) ** 0.5)
                                      for l in range(len(widths))]


def save_config(d, arrays, kinds):
    for i, (a, (dt, order, v)) in enumerate(zip(arrays, kinds)):
        save(f"{d}/{'H1' if i == 0 else f'W{i}'}.npy", np.asarray(a, dtype=dt, order=order), v)


def scaled(a):
    """a (float64) as integers times 2^-s, exactly."""
    fr = [[float(x).as_integer_ratio() for x in row] for row in a]
    s = max(q.bit_length() - 1 for row in fr for _, q in row)
    return [[p << (s - q.bit_length() + 1) for p, q in row] for row in fr], s


def exact_loss(arrays, K, n, lam_h, lam_w):
    """fit, reg, loss as exact Fractions (theory section 1, per-sample form)."""
    h, s = scaled(arrays[0])
    sq = lambda m, t: Fraction(sum(x * x for row in m for x in row), 1 << (2 * t))
    reg = lam_h / 2 * sq(h, s)
    for l, w_arr in enumerate(arrays[1:]):
        w, sw = scaled(w_arr)
        reg += lam_w[l] / 2 * sq(w, sw)
        cols = list(zip(*h))
        h = [[sum(a * b for a, b in zip(row, col)) for col in cols] for row in w]
        s += sw
        if l < len(arrays) - 2:
            h = [[max(x, 0) for x in row] for row in h]
    y = lambda i, j: (1 << s) if j // n == i else 0
    fit = Fraction(sum((h[i][j] - y(i, j)) ** 2 for i in range(K) for j in range(K * n)),
                   2 * K * n << (2 * s))
    return fit, reg, fit + reg


def numpy_loss(arrays, K, n, lam_h, lam_w):
    h = arrays[0]
    for l, w in enumerate(arrays[1:]):
        h = w @ h if l == len(arrays) - 2 else np.maximum(w @ h, 0)
    fit = np.sum((h - np.kron(np.eye(K), np.ones((1, n)))) ** 2) / (2 * K * n)
    reg = lam_h / 2 * np.sum(arrays[0] ** 2) + sum(
        lam / 2 * np.sum(w ** 2) for lam, w in zip(lam_w, arrays[1:]))
    return fit, reg, fit + reg


def write_configs(d):
    rows = ['config\tform\tL\tK\tn\tlambda_H\tlambda_W\tloss\tfit\treg']
    variants = {'f8c': ('<f8', 'C', (1, 0)), 'f8f': ('<f8', 'F', (1, 0)),
                'f4c': ('<f4', 'C', (1, 0)), 'f4f': ('>f4', 'F', (2, 0))}
    for name, K, n, widths, seed in CONFIGS:
        arrays = config_arrays(K, n, widths, seed)
        L = len(widths)
        for vname, kind in variants.items():
            save_config(f'{d}/{name}_{vname}', arrays, [kind] * (L + 1))
        if name == 'l3_k4_n2':
            save_config(f'{d}/{name}_mixed', arrays, [('>f4', 'F', (2, 0)), ('>f8', 'C', (1, 0)),
                                                      ('<f8', 'F', (3, 0)), ('<f4', 'C', (1, 0))])
    for cname in sorted(os.listdir(d)):
        name = next(c for c in CONFIGS if cname.startswith(c[0] + '_'))
        _, K, n, widths, _ = name
        L = len(widths)
        files = ['H1'] + [f'W{l + 1}' for l in range(L)]
        arrays = [np.load(f'{d}/{cname}/{f}.npy').astype(np.float64) for f in files]
        for lam_h, lam_w in [('0.004', ['0.004'] * L),
                             ('0.01', [f'0.00{l + 2}' for l in range(L)]), ('0', ['0'] * L)]:
            ex = [float(x) for x in exact_loss(arrays, K, n, Fraction(lam_h),
                                               [Fraction(x) for x in lam_w])]
            npv = numpy_loss(arrays, K, n, float(lam_h), [float(x) for x in lam_w])
            for e, v in zip(ex, npv):
                assert abs(e - v) <= 1e-12 * abs(e), (cname, e, v)
            rows.append('\t'.join([cname, 'samples', str(L), str(K), str(n), lam_h,
                                   ','.join(lam_w), repr(ex[2]), repr(ex[0]), repr(ex[1])]))
    # Broken folders, all from the l3_k4_n2 arrays (H1 5x8, W1 6x5, W2 7x6, W3 4x7).
    arrays = config_arrays(4, 2, [5, 6, 7], 12)
    cut = {'w1_chain': (1, np.s_[:, :4]), 'w2_chain': (2, np.s_[:, :5]),
           'cols': (0, np.s_[:, :7]), 'k1': (3, np.s_[:1])}
    drop = {'missing_h1': ['H1'], 'missing_w1': ['W1', 'W2', 'W3'], 'gap': ['W3']}
    for b in ('missing_h1', 'missing_w1', 'gap', 'w1_chain', 'w2_chain', 'cols', 'k1', 'bad_w2'):
        bd, arrs = f'{d}/bad/{b}', list(arrays)
        if b in cut:
            arrs[cut[b][0]] = arrs[cut[b][0]][cut[b][1]]
        save_config(bd, arrs, [('<f8', 'C', (1, 0))] * 4)
        for f in drop.get(b, []):
            os.remove(f'{bd}/{f}.npy')
        if b == 'gap':
            shutil.copy(f'{bd}/W2.npy', f'{bd}/W4.npy')
        if b == 'bad_w2':
            save(f'{bd}/W2.npy', arrays[2].astype('<i8'))
    with open(f'{d}/reference.tsv', 'w') as f:
        f.write('\n'.join(rows) + '\n')


def generate(root):
    write_valid(f'{root}/npy')
    write_bad(f'{root}/npy/bad')
    write_configs(f'{root}/configs')


def tree(root):
    return sorted(os.path.relpath(os.path.join(p, f), root)
                  for sub in ('npy', 'configs') for p, _, fs in os.walk(f'{root}/{sub}') for f in fs)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--check', action='store_true', help='compare with the stored fixtures')
    ap.add_argument('--data', default=os.path.join(os.path.dirname(__file__), '..', 'data'))
    args = ap.parse_args()
    if not args.check:
        for sub in ('npy', 'configs'):
            shutil.rmtree(f'{args.data}/{sub}', ignore_errors=True)
        generate(args.data)
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        generate(tmp)
        new, old = tree(tmp), tree(args.data)
        diff = sorted(set(new) ^ set(old)) + [f for f in new if f in old and not filecmp.cmp(
            f'{tmp}/{f}', f'{args.data}/{f}', shallow=False)]
    for f in diff:
        print(f'fixture differs or is missing: data/{f}', file=sys.stderr)
    if diff:
        print(f'(NumPy {np.__version__}; the stored fixtures were made with 1.24.2)',
              file=sys.stderr)
    return 1 if diff else 0


if __name__ == '__main__':
    sys.exit(main())
