"""Zero-party data of one chunk: consent log and survey answers."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from . import columns as col
from . import personas as P
from .catalog import CATEGORY_NAMES
from .customers import People
from .names import INDUSTRIES
from .timestamps import DAY, HOUR, Clock

PURPOSES = ("email_marketing", "sms_marketing", "personalized_ads", "profiling")
CONSENT_STATUSES = ("granted", "denied", "withdrawn")
CONSENT_SOURCES = ("signup_form", "checkout", "preference_center", "crm_import", "app_settings")
_P_RECORD = np.array([0.90, 0.35, 0.50, 0.40])
_P_GRANT = np.array([0.88, 0.60, 0.70, 0.65])
P_WITHDRAW = 0.05
NEVER = np.iinfo(np.int64).max


def make_consents(
    rng: np.random.Generator, clock: Clock, people: People
) -> tuple[pa.Table, int, np.ndarray, np.ndarray]:
    """Consent log; returns (table, superseded versions, email grant time, withdrawal time)."""
    n = people.n
    end = clock.end
    has = rng.random((n, 4)) < _P_RECORD
    granted = rng.random((n, 4)) < _P_GRANT
    t = people.created[:, None] + (rng.random((n, 4)) * 2 * DAY).astype(np.int64)
    t = np.minimum(t, end - 2)
    t = np.maximum(t, people.created[:, None])
    p_w = np.where(people.persona == P.CHURNED, 0.12, P_WITHDRAW)[:, None]
    withdraw = has & granted & (rng.random((n, 4)) < p_w) & (end - t > 2 * DAY)
    tw = t + DAY + (rng.random((n, 4)) * np.maximum(end - t - 2 * DAY, 0)).astype(np.int64)
    source = col.choice(rng, (0.45, 0.2, 0.15, 0.12, 0.08), (n, 4))
    source_w = col.choice(rng, (0.0, 0.0, 0.6, 0.0, 0.4), (n, 4))

    cust, purpose = np.nonzero(has)
    w_cust, w_purpose = np.nonzero(withdraw)
    rows_c = np.concatenate([cust, w_cust])
    rows_p = np.concatenate([purpose, w_purpose])
    status = np.concatenate([np.where(granted[cust, purpose], 0, 1), np.full(len(w_cust), 2)])
    when = np.concatenate([t[cust, purpose], tw[w_cust, w_purpose]])
    src = np.concatenate([source[cust, purpose], source_w[w_cust, w_purpose]])
    order = np.lexsort((when, rows_c))
    rows_c, rows_p, status, when, src = (a[order] for a in (rows_c, rows_p, status, when, src))
    table = pa.table(
        {
            "customer_id": people.cid.take(pa.array(rows_c)),
            "purpose": col.strings(PURPOSES, rows_p),
            "status": col.strings(CONSENT_STATUSES, status),
            "recorded_at": clock.render(when, people.tz[rows_c], rng),
            "source": col.strings(CONSENT_SOURCES, src),
        }
    )
    grant_at = np.where(has[:, 0] & granted[:, 0], t[:, 0], NEVER)
    withdraw_at = np.where(withdraw[:, 0], tw[:, 0], NEVER)
    return table, len(w_cust), grant_at, withdraw_at


# ------------------------------------------------------------------ surveys
QUESTIONS = (
    "interests",
    "values",
    "personality",
    "needs",
    "preferred_channel",
    "contact_frequency",
    "budget",
    "purchase_intent",
    "nps",
)
_P_QUESTION = np.array([0.8, 0.5, 0.4, 0.6, 0.5, 0.4, 0.55, 0.45, 0.5])
INTERESTS = (
    "sustainability",
    "adventure_travel",
    "fitness",
    "fashion",
    "technology",
    "home_garden",
    "cooking",
    "gaming",
    "beauty",
    "outdoor",
    "social_media",
    "photography",
    "reading",
)
_CATEGORY_INTERESTS = {
    "electronics": ("technology", "gaming", "photography"),
    "fashion": ("fashion", "beauty"),
    "home_garden": ("home_garden", "cooking"),
    "sports_outdoor": ("fitness", "outdoor", "adventure_travel"),
    "beauty": ("beauty", "fashion"),
    "books": ("reading",),
    "toys": ("gaming",),
    "food_beverage": ("cooking", "sustainability"),
    "travel_gear": ("adventure_travel", "outdoor", "photography"),
    "office_supplies": ("technology",),
}
_CAT_INT = np.array([[i in _CATEGORY_INTERESTS[c] for i in INTERESTS] for c in CATEGORY_NAMES])
VALUES = ("sustainability", "quality", "price", "convenience", "innovation", "community")
NEEDS = (
    "premium_quality",
    "low_price",
    "fast_delivery",
    "expert_advice",
    "eco_friendly",
    "bulk_purchasing",
)
PERSONALITY = ("adventurous", "cautious", "social", "analytical", "creative")
CHANNELS = ("email", "sms", "app_push", "phone", "post")
FREQUENCY = ("weekly", "monthly", "quarterly", "never")
BUDGET = ("low", "medium", "high")
INTENT = ("none", "browsing", "next_3_months", "next_month")
SURVEY_SOURCES = (
    "preference_center",
    "quiz",
    "checkout_survey",
    "nps_survey",
    "onboarding",
    "other",
)
_SURVEY_IDS = (
    "SRV-PREFERENCES",
    "SRV-STYLE-QUIZ",
    "SRV-CHECKOUT",
    "SRV-NPS",
    "SRV-ONBOARDING",
    "SRV-MISC",
)


def _rows(default, **by_persona) -> np.ndarray:
    table = np.array([default] * P.N_PERSONAS, dtype=float)
    for name, w in by_persona.items():
        table[P.PERSONAS.index(name)] = w
    return table


_VALUES_P = _rows(
    [0.3, 0.5, 0.4, 0.4, 0.3, 0.2],
    loyal_big_spender=[0.3, 0.85, 0.05, 0.5, 0.5, 0.2],
    bargain_hunter=[0.15, 0.2, 0.9, 0.4, 0.1, 0.2],
    b2b_buyer=[0.2, 0.6, 0.4, 0.7, 0.5, 0.1],
    b2b_prospect=[0.2, 0.6, 0.4, 0.7, 0.5, 0.1],
    churned=[0.2, 0.4, 0.5, 0.3, 0.2, 0.1],
)
_NEEDS_P = _rows(
    [0.3, 0.4, 0.3, 0.15, 0.25, 0.03],
    loyal_big_spender=[0.85, 0.03, 0.5, 0.2, 0.2, 0.02],
    bargain_hunter=[0.03, 0.9, 0.15, 0.05, 0.15, 0.1],
    b2b_buyer=[0.3, 0.2, 0.4, 0.5, 0.1, 0.7],
    b2b_prospect=[0.3, 0.2, 0.4, 0.6, 0.1, 0.5],
)
_PERSONALITY_W = _rows(
    [0.2, 0.2, 0.2, 0.2, 0.2],
    loyal_big_spender=[0.25, 0.1, 0.3, 0.15, 0.2],
    bargain_hunter=[0.1, 0.35, 0.2, 0.25, 0.1],
    window_shopper=[0.2, 0.3, 0.25, 0.1, 0.15],
    b2b_buyer=[0.1, 0.15, 0.15, 0.45, 0.15],
    b2b_prospect=[0.1, 0.2, 0.15, 0.4, 0.15],
)
_CHANNEL_W = _rows(
    [0.55, 0.15, 0.15, 0.05, 0.10],
    bargain_hunter=[0.6, 0.2, 0.1, 0.02, 0.08],
    b2b_buyer=[0.55, 0.03, 0.02, 0.35, 0.05],
    b2b_prospect=[0.55, 0.03, 0.02, 0.35, 0.05],
)
_FREQUENCY_W = _rows(
    [0.1, 0.5, 0.3, 0.1],
    loyal_big_spender=[0.3, 0.5, 0.15, 0.05],
    bargain_hunter=[0.6, 0.3, 0.08, 0.02],
    churned=[0.02, 0.15, 0.4, 0.43],
    one_time_buyer=[0.05, 0.35, 0.4, 0.2],
)
_BUDGET_W = _rows(
    [0.3, 0.55, 0.15],
    loyal_big_spender=[0.02, 0.28, 0.7],
    bargain_hunter=[0.8, 0.18, 0.02],
    window_shopper=[0.45, 0.45, 0.1],
    b2b_buyer=[0.1, 0.45, 0.45],
    b2b_prospect=[0.1, 0.5, 0.4],
)
_INTENT_W = _rows(
    [0.15, 0.4, 0.3, 0.15],
    loyal_big_spender=[0.02, 0.18, 0.3, 0.5],
    window_shopper=[0.05, 0.6, 0.3, 0.05],
    churned=[0.65, 0.3, 0.04, 0.01],
    new_customer=[0.05, 0.25, 0.3, 0.4],
    b2b_prospect=[0.05, 0.35, 0.4, 0.2],
)
_NPS_MEAN = P._p(9.3, 7.5, 7.6, 6.0, 4.0, 6.5, 8.0, 8.0, 7.0)


def _multi(rng, probs: np.ndarray, options: tuple[str, ...], fallback: np.ndarray) -> list[str]:
    """'a|b' answers: each option drawn with its probability, at least one (fallback)."""
    m = len(probs)
    bits = rng.random(probs.shape) < probs
    none = ~bits.any(axis=1)
    bits[np.flatnonzero(none), fallback[none]] = True
    mask = bits @ (1 << np.arange(len(options)))
    uniq, inv = np.unique(mask, return_inverse=True)
    text = ["|".join(o for k, o in enumerate(options) if int(u) >> k & 1) for u in uniq]
    return [text[i] for i in inv] if m else []


def make_surveys(
    rng: np.random.Generator, clock: Clock, people: People, n_orders: np.ndarray, first_number: int
) -> pa.Table:
    n = people.n
    end = clock.end
    persona = people.persona
    answers = rng.random(n) < P.P_SURVEY[persona] * 0.95
    ask = (rng.random((n, len(QUESTIONS))) < _P_QUESTION) & answers[:, None]
    ask[answers & ~ask.any(axis=1), 0] = True
    cust, q = np.nonzero(ask)
    m = len(cust)
    pc = persona[cust]

    text = np.empty(m, dtype=object)
    # interests
    sel = np.flatnonzero(q == 0)
    c = cust[sel]
    probs = 0.1 + 0.75 * _CAT_INT[people.fav[c]] + 0.35 * _CAT_INT[people.fav2[c]]
    agency = people.industry[c] == INDUSTRIES.index("marketing_agency")
    social = INTERESTS.index("social_media")
    probs[:, social] = np.where(agency, 0.85, np.where(people.b2b[c], 0.3, probs[:, social]))
    fallback = np.argmax(_CAT_INT[people.fav[c]], axis=1)
    text[sel] = _multi(rng, np.minimum(probs, 0.95), INTERESTS, fallback)
    # values, needs
    for qi, table, options in ((1, _VALUES_P, VALUES), (3, _NEEDS_P, NEEDS)):
        sel = np.flatnonzero(q == qi)
        text[sel] = _multi(rng, table[pc[sel]], options, np.argmax(table[pc[sel]], axis=1))
    # single choice
    app_user = np.isin(people.profile[cust, 0], np.flatnonzero(P.PROFILE_IS_APP))
    for qi, weights, options in (
        (2, _PERSONALITY_W, PERSONALITY),
        (4, _CHANNEL_W, CHANNELS),
        (5, _FREQUENCY_W, FREQUENCY),
        (6, _BUDGET_W, BUDGET),
        (7, _INTENT_W, INTENT),
    ):
        sel = np.flatnonzero(q == qi)
        code = col.choice_rows(rng, weights, pc[sel])
        if qi == 4:
            code = np.where(app_user[sel] & (rng.random(len(sel)) < 0.6), 2, code)
        text[sel] = np.array(options, dtype=object)[code]
    sel = np.flatnonzero(q == 8)
    nps = np.clip(np.round(rng.normal(_NPS_MEAN[pc[sel]], 1.5)), 0, 10).astype(int)
    text[sel] = np.array([str(k) for k in range(11)], dtype=object)[nps]

    # when and where
    created = people.created[cust]
    hi = np.minimum(np.where(pc == P.CHURNED, people.active_end[cust] + 30 * DAY, end), end) - 1
    lo = np.minimum(created + HOUR, hi - 1)
    source = col.choice(rng, (0.35, 0.2, 0.15, 0.0, 0.2, 0.1), m)
    source = np.where((source == 2) & (n_orders[cust] == 0), 0, source)
    source = np.where((q == 8) & (rng.random(m) < 0.8), 3, source)
    at = lo + (rng.random(m) * (hi - lo)).astype(np.int64)
    onboarding = source == 4
    at = np.where(
        onboarding, np.minimum(created + (rng.random(m) * 3 * DAY).astype(np.int64), hi), at
    )
    at = np.maximum(at, created)
    # some questions answered twice: the later answer wins, both rows are kept
    again = np.flatnonzero((rng.random(m) < 0.05) & (end - 1 - at > 2 * DAY))
    at2 = at[again] + DAY + (rng.random(len(again)) * (end - 2 - at[again] - DAY)).astype(np.int64)
    q_count = np.bincount(q, minlength=len(QUESTIONS))
    by_q = np.argsort(q, kind="stable")
    donor = by_q[
        col.group_starts(q_count)[q[again]]
        + (rng.random(len(again)) * q_count[q[again]]).astype(np.int64)
    ]
    text2 = np.where(rng.random(len(again)) < 0.5, text[donor], text[again])

    rows = np.concatenate([np.arange(m), again])
    all_at = np.concatenate([at, at2])
    all_text = np.concatenate([text, text2])
    all_source = np.concatenate([source, source[again]])
    order = np.lexsort((all_at, cust[rows]))
    rows, all_at, all_text, all_source = (
        rows[order],
        all_at[order],
        all_text[order],
        all_source[order],
    )
    r_cust = cust[rows]
    return pa.table(
        {
            "response_id": col.ids("R", first_number + np.arange(len(rows)) + 1, 10),
            "customer_id": people.cid.take(pa.array(r_cust)),
            "survey_id": col.strings(_SURVEY_IDS, all_source),
            "question_key": col.strings(QUESTIONS, q[rows]),
            "answer": pa.array(list(all_text), pa.string()),
            "answered_at": clock.render(all_at, people.tz[r_cust], rng),
            "source": col.strings(SURVEY_SOURCES, all_source),
        }
    )
