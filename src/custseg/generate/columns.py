"""Vectorised builders of Arrow columns (no per-row Python for the big tables)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc


def strings(vocab: Sequence[str | None] | pa.Array, codes, null=None) -> pa.Array:
    """String column from integer codes into ``vocab``; a code < 0 (or ``null``) gives null."""
    codes = np.asarray(codes, dtype=np.int64)
    mask = codes < 0
    if null is not None:
        mask = mask | np.asarray(null, dtype=bool)
    if not isinstance(vocab, pa.Array):
        vocab = list(vocab)
        if any(v is None for v in vocab):  # None in a vocabulary also means null
            none_codes = [i for i, v in enumerate(vocab) if v is None]
            mask = mask | np.isin(codes, none_codes)
            vocab = ["" if v is None else v for v in vocab]
        vocab = pa.array(vocab, pa.string())
    if len(vocab) == 0:
        return pa.nulls(len(codes), pa.string())
    idx = pa.array(np.where(mask, 0, codes).astype(np.int32), mask=mask if mask.any() else None)
    return pa.DictionaryArray.from_arrays(idx, vocab).dictionary_decode()


def ids(prefix: str, numbers, width: int) -> pa.Array:
    """Identifiers ``prefix`` + zero-padded number, e.g. ids("O", [7], 9) -> "O000000007"."""
    digits = pa.array(np.asarray(numbers, dtype=np.int64)).cast(pa.string())
    return pc.binary_join_element_wise(prefix, pc.utf8_lpad(digits, width=width, padding="0"), "")


def decimals(units, precision: int, scale: int, null=None) -> pa.Array:
    """decimal128(precision, scale) from integer units of 10**-scale (cents for scale 2)."""
    units = np.ascontiguousarray(np.asarray(units, dtype=np.int64))
    n = len(units)
    buf = np.empty((n, 2), dtype=np.int64)
    buf[:, 0] = units
    buf[:, 1] = units >> 63  # sign extension to 128 bits
    arr = pa.Array.from_buffers(
        pa.decimal128(precision, scale), n, [None, pa.py_buffer(buf.tobytes())]
    )
    if null is not None and np.any(null):
        arr = pc.if_else(pa.array(np.asarray(null, dtype=bool)), pa.scalar(None, arr.type), arr)
    return arr


def integers(values, null=None) -> pa.Array:
    values = np.asarray(values, dtype=np.int64)
    mask = None if null is None or not np.any(null) else np.asarray(null, dtype=bool)
    return pa.array(values, pa.int64(), mask=mask)


def booleans(values, null=None) -> pa.Array:
    mask = None if null is None or not np.any(null) else np.asarray(null, dtype=bool)
    return pa.array(np.asarray(values, dtype=bool), pa.bool_(), mask=mask)


def dates(days, null=None) -> pa.Array:
    """date32 from days since 1970-01-01."""
    mask = None if null is None or not np.any(null) else np.asarray(null, dtype=bool)
    return pa.array(np.asarray(days, dtype=np.int32), pa.int32(), mask=mask).cast(pa.date32())


def pystrings(values: Sequence[str | None]) -> pa.Array:
    return pa.array(values, pa.string())


def group_starts(counts: np.ndarray) -> np.ndarray:
    """Start offsets of consecutive groups of the given sizes."""
    return np.cumsum(counts) - counts


def rank_in_group(counts: np.ndarray) -> np.ndarray:
    """0..n-1 within each consecutive group of the given sizes."""
    total = int(counts.sum())
    return np.arange(total) - np.repeat(group_starts(counts), counts)


def sample_cdf(cdf: np.ndarray, rows: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Sample one column per draw from row ``rows`` of a matrix of row-wise CDFs."""
    width = cdf.shape[1]
    flat = (cdf + np.arange(cdf.shape[0])[:, None]).ravel()
    pos = np.searchsorted(flat, rows + np.minimum(u, 1 - 1e-12), side="right")
    return np.minimum(pos - rows * width, width - 1)


def choice(rng: np.random.Generator, weights, size) -> np.ndarray:
    """Vectorised categorical draw of ``size`` codes with the given weights."""
    w = np.asarray(weights, dtype=float)
    cdf = np.cumsum(w / w.sum())
    return np.minimum(np.searchsorted(cdf, rng.random(size), side="right"), len(w) - 1)


def choice_rows(rng: np.random.Generator, weight_matrix: np.ndarray, rows) -> np.ndarray:
    """Categorical draw per element, with the weight row selected by ``rows``."""
    w = np.asarray(weight_matrix, dtype=float)
    cdf = np.cumsum(w / w.sum(axis=1, keepdims=True), axis=1)
    rows = np.asarray(rows, dtype=np.int64)
    return sample_cdf(cdf, rows, rng.random(len(rows)))
