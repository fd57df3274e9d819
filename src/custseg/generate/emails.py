"""Email engagement of one chunk: sent -> delivered/bounced -> opened -> clicked ...

Only email campaigns are sent, only to contacts who existed and had granted
email_marketing at send time and had not unsubscribed. Opens of churned
customers decay after they stopped buying and fade out completely.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from . import columns as col
from . import personas as P
from .catalog import CAMPAIGN_CHANNELS, SEGMENTS, Campaigns
from .customers import People
from .names import INDUSTRIES
from .timestamps import DAY, HOUR, Clock

EMAIL_EVENT_TYPES = (
    "sent",
    "delivered",
    "opened",
    "clicked",
    "bounced",
    "unsubscribed",
    "complained",
)
SENT, DELIVERED, OPENED, CLICKED, BOUNCED, UNSUBSCRIBED, COMPLAINED = range(7)
P_BOUNCE = 0.02
P_COMPLAIN = 0.001
CHURN_DECAY_DAYS = 75
CHURN_SILENT_DAYS = 180


def make_email_events(
    rng: np.random.Generator,
    clock: Clock,
    people: People,
    grant_at: np.ndarray,
    withdraw_at: np.ndarray,
    campaigns: Campaigns,
    first_number: int,
) -> pa.Table:
    end = clock.end
    n = people.n
    persona = people.persona
    agency = people.industry == INDUSTRIES.index("marketing_agency")
    churned = persona == P.CHURNED
    gone = np.zeros(n, dtype=bool)  # unsubscribed or complained
    out_c, out_k, out_t, out_type = [], [], [], []
    email_idx = np.flatnonzero(campaigns.channel == CAMPAIGN_CHANNELS.index("email"))
    for k in email_idx:
        t0 = int(campaigns.start[k])
        if t0 >= end - 7 * DAY:
            continue
        seg = int(campaigns.segment[k])
        eligible = (people.created < t0) & (grant_at <= t0) & (withdraw_at > t0) & ~gone
        if seg < 0:
            reach = np.full(n, P.NEWSLETTER_REACH)
        else:
            reach = P.SEGMENT_REACH[persona, seg]
            if SEGMENTS[seg] == "b2b_marketing_agencies":
                reach = np.where(agency, 0.8, 0.0)
            elif SEGMENTS[seg] == "new_customers_30d":
                reach = np.where(t0 - people.created < 30 * DAY, 0.9, 0.0)
        c = np.flatnonzero(eligible & (rng.random(n) < reach))
        m = len(c)
        if m == 0:
            continue
        sent = t0 + (rng.random(m) * 6 * HOUR).astype(np.int64)
        bounced = rng.random(m) < P_BOUNCE
        p_open = P.P_OPEN[persona[c]]
        after = t0 - people.active_end[c]
        decay = np.where(churned[c] & (after > 0), np.exp(-after / (CHURN_DECAY_DAYS * DAY)), 1.0)
        decay = np.where(churned[c] & (after > CHURN_SILENT_DAYS * DAY), 0.0, decay)
        opened = ~bounced & (rng.random(m) < p_open * decay)
        clicked = opened & (rng.random(m) < P.P_CLICK[persona[c]])
        p_unsub = P.P_UNSUB[persona[c]] * np.where(churned[c] & (after > 0), 3.0, 1.0)
        unsub = opened & (rng.random(m) < p_unsub)
        complained = ~bounced & ~opened & (rng.random(m) < P_COMPLAIN)
        t_deliver = sent + 2 + (rng.random(m) * 118).astype(np.int64)
        t_open = sent + 60 + np.minimum(rng.exponential(5 * HOUR, m), 4 * DAY).astype(np.int64)
        t_click = t_open + 5 + (rng.random(m) * 600).astype(np.int64)
        t_unsub = t_open + 10 + (rng.random(m) * 300).astype(np.int64)
        t_complain = sent + HOUR + (rng.random(m) * 2 * DAY).astype(np.int64)
        for mask, typ, tt in (
            (np.ones(m, dtype=bool), SENT, sent),
            (~bounced, DELIVERED, t_deliver),
            (bounced, BOUNCED, t_deliver),
            (opened, OPENED, t_open),
            (clicked, CLICKED, t_click),
            (unsub, UNSUBSCRIBED, t_unsub),
            (complained, COMPLAINED, t_complain),
        ):
            out_c.append(c[mask])
            out_k.append(np.full(int(mask.sum()), k))
            out_t.append(tt[mask])
            out_type.append(np.full(int(mask.sum()), typ))
        gone[c[unsub | complained]] = True
    if out_c:
        cust, camp, when, typ = (np.concatenate(a) for a in (out_c, out_k, out_t, out_type))
    else:
        cust = camp = when = typ = np.zeros(0, dtype=np.int64)
    order = np.lexsort((typ, when))
    cust, camp, when, typ = cust[order], camp[order], when[order], typ[order]
    return pa.table(
        {
            "event_id": col.ids("M", first_number + np.arange(len(cust)) + 1, 11),
            "occurred_at": clock.render(when, people.tz[cust], rng),
            "customer_id": people.cid.take(pa.array(cust)),
            "campaign_id": col.strings(campaigns.ids, camp),
            "event_type": col.strings(EMAIL_EVENT_TYPES, typ),
        }
    )
