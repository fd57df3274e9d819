"""The generator's clock: history window, seasonality and timestamp rendering.

Instants are int64 seconds since the Unix epoch (UTC). Rendering mixes the
three shapes real exports use, always for the same instant:
about 70 % ``YYYY-MM-DDTHH:MM:SSZ``, 20 % local time with the UTC offset of
the row's timezone (``2024-03-01T11:00:00+01:00``), 10 % naive
``YYYY-MM-DD HH:MM:SS`` meaning UTC.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

DAY = 86_400
HOUR = 3_600
YEAR = 365 * DAY
HISTORY_DAYS = 3 * 365

P_UTC_Z = 0.70
P_OFFSET = 0.20  # the remaining 10 % are naive UTC

# relative order volume per calendar month (Nov/Dec peak, summer dip)
MONTH_WEIGHT = np.array([0.85, 0.80, 0.95, 1.0, 1.0, 0.85, 0.72, 0.75, 0.95, 1.05, 1.55, 1.65])
# relative activity per local hour of day
HOUR_WEIGHT = np.array(
    [
        0.25,
        0.15,
        0.1,
        0.08,
        0.08,
        0.12,
        0.3,
        0.55,
        0.8,
        0.9,
        0.95,
        1.0,
        1.0,
        0.95,
        0.9,
        0.9,
        0.95,
        1.0,
        1.1,
        1.25,
        1.35,
        1.3,
        1.0,
        0.6,
    ]
)

_OFFSET_STEP = 15 * 60
_OFFSET_MIN = -14 * HOUR


def _offset_suffix(seconds: int) -> str:
    sign = "+" if seconds >= 0 else "-"
    m = abs(seconds) // 60
    return f"{sign}{m // 60:02d}:{m % 60:02d}"


_N_OFFSETS = (28 * HOUR) // _OFFSET_STEP + 1
# suffix vocabulary: 0 -> "Z", 1 -> "" (naive), 2.. -> "+HH:MM" offsets
_SUFFIXES = pa.array(
    ["Z", ""] + [_offset_suffix(_OFFSET_MIN + k * _OFFSET_STEP) for k in range(_N_OFFSETS)],
    pa.string(),
)


class Clock:
    """History window ending at ``as_of`` and UTC offsets for a set of timezones."""

    def __init__(self, as_of: dt.date, timezones: tuple[str, ...]):
        self.as_of = as_of
        # every instant is strictly before as_of 00:00 UTC, so no row is dated after as_of
        self.end = int(dt.datetime(as_of.year, as_of.month, as_of.day, tzinfo=dt.UTC).timestamp())
        self.start = self.end - HISTORY_DAYS * DAY
        self.timezones = timezones
        # hourly UTC-offset table covering eight years before as_of
        self._t0 = self.end - 8 * YEAR - (self.end % HOUR)
        hours = (self.end - self._t0) // HOUR + 48
        grid = pd.date_range(pd.Timestamp(self._t0, unit="s", tz="UTC"), periods=hours, freq="h")
        naive = grid.tz_localize(None)
        table = np.empty((len(timezones), hours), dtype=np.int32)
        for i, tz in enumerate(timezones):
            local = grid.tz_convert(tz).tz_localize(None)
            table[i] = ((local - naive) // pd.Timedelta(seconds=1)).to_numpy()
        self._offsets = table
        self.std_offset = table.min(axis=1)  # winter offset per timezone

    @property
    def end_day(self) -> int:
        """as_of as days since the epoch."""
        return self.end // DAY

    def offsets(self, t: np.ndarray, tz: np.ndarray) -> np.ndarray:
        h = np.clip((np.asarray(t) - self._t0) // HOUR, 0, self._offsets.shape[1] - 1)
        return self._offsets[np.asarray(tz), h]

    def render(self, t, tz, rng: np.random.Generator, null=None) -> pa.Array:
        """ISO-8601 strings for instants ``t`` of rows living in timezones ``tz``."""
        t = np.asarray(t, dtype=np.int64)
        n = len(t)
        tz = np.broadcast_to(np.asarray(tz, dtype=np.int64), (n,))
        u = rng.random(n)
        off = self.offsets(t, tz)
        use_off = (u >= P_UTC_Z) & (u < P_UTC_Z + P_OFFSET)
        naive = u >= P_UTC_Z + P_OFFSET
        local = t + np.where(use_off, off, 0)
        text = pc.strftime(pa.array(local.astype("datetime64[s]")), format="%Y-%m-%dT%H:%M:%S")
        if naive.any():
            spaced = pc.replace_substring(text, "T", " ", max_replacements=1)
            text = pc.if_else(pa.array(naive), spaced, text)
        code = np.where(naive, 1, np.where(use_off, 2 + (off - _OFFSET_MIN) // _OFFSET_STEP, 0))
        suffix = pa.DictionaryArray.from_arrays(pa.array(code.astype(np.int32)), _SUFFIXES)
        out = pc.binary_join_element_wise(text, suffix.dictionary_decode(), "")
        if null is not None and np.any(null):
            out = pc.if_else(
                pa.array(np.asarray(null, dtype=bool)), pa.scalar(None, pa.string()), out
            )
        return out

    def seasonal_times(self, rng: np.random.Generator, lo, hi, tz=None) -> np.ndarray:
        """Instants in [lo, hi) drawn with the monthly and hour-of-day weights."""
        lo = np.asarray(lo, dtype=np.int64)
        hi = np.maximum(np.asarray(hi, dtype=np.int64), lo + 1)
        n = len(lo)
        out = np.empty(n, dtype=np.int64)
        todo = np.arange(n)
        shift = 0 if tz is None else self.std_offset[np.asarray(tz)]
        shift = np.broadcast_to(shift, (n,))
        peak = MONTH_WEIGHT.max() * HOUR_WEIGHT.max()
        for attempt in range(30):
            span = (hi[todo] - lo[todo]).astype(np.float64)
            cand = lo[todo] + (rng.random(len(todo)) * span).astype(np.int64)
            month = cand.astype("datetime64[s]").astype("datetime64[M]").astype(np.int64) % 12
            hour = ((cand + shift[todo]) // HOUR) % 24
            w = MONTH_WEIGHT[month] * HOUR_WEIGHT[hour] / peak
            ok = (rng.random(len(todo)) < w) | (attempt == 29)
            out[todo[ok]] = cand[ok]
            todo = todo[~ok]
            if len(todo) == 0:
                break
        return out
