"""Behavioural personas: hidden per customer, visible only through behaviour.

Every parameter table below is indexed by persona code (the order of
``PERSONAS``). The output never names a persona; the manifest only counts them.
"""

from __future__ import annotations

import numpy as np

PERSONAS = (
    "loyal_big_spender",
    "bargain_hunter",
    "regular",
    "one_time_buyer",
    "churned",
    "window_shopper",
    "new_customer",
    "b2b_buyer",
    "b2b_prospect",
)
(LOYAL, BARGAIN, REGULAR, ONE_TIME, CHURNED, WINDOW, NEW, B2B_BUYER, B2B_PROSPECT) = range(
    len(PERSONAS)
)
N_PERSONAS = len(PERSONAS)

B2B_SHARE = 0.20
B2B_BUYER_SHARE = 0.60
# shares among B2C customers: loyal, bargain, regular, one-time, churned, window, new
B2C_SHARES = np.array([0.10, 0.15, 0.20, 0.17, 0.15, 0.15, 0.08])

BUYERS = np.array([True, True, True, True, True, False, False, True, False])


def _p(*values) -> np.ndarray:
    assert len(values) == N_PERSONAS
    return np.array(values, dtype=float)


#                    loyal bargain regular one   churn window new  b2bB  b2bP
ORDERS_PER_YEAR = _p(6.0, 4.5, 1.4, 0.0, 2.5, 0.0, 0.0, 3.0, 0.0)
MIN_ORDERS = _p(3, 2, 1, 1, 1, 0, 0, 1, 0)
LINES_LAMBDA = _p(1.3, 0.6, 0.8, 0.6, 0.8, 0.3, 0.8, 1.8, 0.0)
# product price preference: weight ~ price ** alpha
PRICE_ALPHA = _p(0.55, -0.6, 0.0, -0.1, 0.0, 0.1, 0.0, 0.3, 0.0)
P_COUPON = _p(0.04, 0.65, 0.08, 0.12, 0.08, 0.15, 0.30, 0.03, 0.0)
P_SALE_ITEM = _p(0.05, 0.45, 0.15, 0.15, 0.15, 0.2, 0.15, 0.05, 0.1)
P_EXPRESS = _p(0.35, 0.03, 0.08, 0.08, 0.08, 0.08, 0.1, 0.30, 0.1)
P_SAME_DAY = _p(0.06, 0.0, 0.01, 0.01, 0.01, 0.01, 0.01, 0.02, 0.0)

# web behaviour
BROWSE_PER_YEAR = _p(1.2, 1.8, 0.8, 0.5, 1.1, 5.0, 6.0, 0.7, 1.3)
MIN_BROWSE = _p(1, 1, 0, 0, 1, 4, 2, 0, 1)
PRODUCT_VIEWS = _p(1.2, 1.6, 1.2, 1.0, 1.2, 3.0, 1.8, 1.0, 1.5)  # Poisson mean per session
P_ADD_TO_CART = _p(0.25, 0.35, 0.2, 0.15, 0.15, 0.45, 0.3, 0.15, 0.15)
P_CHECKOUT = _p(0.15, 0.2, 0.15, 0.1, 0.1, 0.35, 0.2, 0.1, 0.1)  # given add to cart
P_SEARCH = _p(0.3, 0.5, 0.3, 0.25, 0.25, 0.4, 0.35, 0.4, 0.4)
P_DEAL_SEARCH = _p(0.02, 0.55, 0.08, 0.1, 0.08, 0.15, 0.15, 0.02, 0.05)
P_TRACKED_ORDER = 0.45  # share of online orders whose session is tracked (consent banner)
P_SECOND_DEVICE = _p(0.6, 0.35, 0.35, 0.2, 0.3, 0.45, 0.25, 0.35, 0.3)

# device groups: app, mobile web, tablet, desktop
DEVICE_GROUP_WEIGHTS = np.array(
    [
        [0.45, 0.10, 0.07, 0.38],
        [0.10, 0.60, 0.08, 0.22],
        [0.15, 0.40, 0.10, 0.35],
        [0.05, 0.50, 0.08, 0.37],
        [0.10, 0.42, 0.10, 0.38],
        [0.10, 0.55, 0.12, 0.23],
        [0.15, 0.50, 0.05, 0.30],
        [0.03, 0.12, 0.05, 0.80],
        [0.02, 0.13, 0.05, 0.80],
    ]
)
# (name, device_type, os, browser, app_platform, group, weight within group)
DEVICE_PROFILES = (
    ("ios_app", "mobile", "iOS", None, "ios", 0, 0.6),
    ("android_app", "mobile", "Android", None, "android", 0, 0.4),
    ("iphone_safari", "mobile", "iOS", "Safari", "web", 1, 0.45),
    ("android_chrome", "mobile", "Android", "Chrome", "web", 1, 0.40),
    ("android_samsung", "mobile", "Android", "Samsung Internet", "web", 1, 0.15),
    ("ipad_safari", "tablet", "iPadOS", "Safari", "web", 2, 0.75),
    ("android_tablet", "tablet", "Android", "Chrome", "web", 2, 0.25),
    ("windows_chrome", "desktop", "Windows", "Chrome", "web", 3, 0.35),
    ("windows_edge", "desktop", "Windows", "Edge", "web", 3, 0.15),
    ("windows_firefox", "desktop", "Windows", "Firefox", "web", 3, 0.07),
    ("mac_safari", "desktop", "macOS", "Safari", "web", 3, 0.18),
    ("mac_chrome", "desktop", "macOS", "Chrome", "web", 3, 0.18),
    ("linux_firefox", "desktop", "Linux", "Firefox", "web", 3, 0.04),
    ("smart_tv", "other", "Tizen", "Samsung Internet", "web", 3, 0.03),
)
PROFILE_GROUP = np.array([p[5] for p in DEVICE_PROFILES])
PROFILE_IS_APP = PROFILE_GROUP == 0
DEVICE_TYPES = ("desktop", "mobile", "tablet", "other")
PROFILE_DEVICE_TYPE = np.array([DEVICE_TYPES.index(p[1]) for p in DEVICE_PROFILES])


def profile_weights(persona_group_weights: np.ndarray) -> np.ndarray:
    """Weights over DEVICE_PROFILES for each row of group weights."""
    within = np.array([p[6] for p in DEVICE_PROFILES])
    return persona_group_weights[:, PROFILE_GROUP] * within[None, :]


PROFILE_WEIGHTS = profile_weights(DEVICE_GROUP_WEIGHTS)

# email engagement
P_OPEN = _p(0.42, 0.55, 0.30, 0.20, 0.35, 0.28, 0.50, 0.30, 0.25)
P_CLICK = _p(0.25, 0.45, 0.15, 0.12, 0.12, 0.20, 0.25, 0.18, 0.12)  # given opened
P_UNSUB = _p(0.003, 0.004, 0.008, 0.015, 0.02, 0.01, 0.006, 0.006, 0.012)  # given opened
# probability of receiving a campaign aimed at each target segment (catalog.SEGMENTS order)
SEGMENT_REACH = np.array(
    [
        # champions cart   lapsed  new    agency bargain window
        [0.85, 0.10, 0.02, 0.02, 0.00, 0.10, 0.05],  # loyal
        [0.05, 0.35, 0.05, 0.02, 0.00, 0.85, 0.20],  # bargain
        [0.10, 0.15, 0.10, 0.02, 0.00, 0.15, 0.10],  # regular
        [0.00, 0.10, 0.30, 0.05, 0.00, 0.10, 0.10],  # one-time
        [0.02, 0.05, 0.75, 0.00, 0.00, 0.10, 0.05],  # churned
        [0.00, 0.60, 0.05, 0.05, 0.00, 0.15, 0.75],  # window shopper
        [0.00, 0.20, 0.00, 0.90, 0.00, 0.10, 0.20],  # new
        [0.15, 0.05, 0.05, 0.02, 0.00, 0.02, 0.02],  # b2b buyer (+ agency by industry)
        [0.00, 0.05, 0.02, 0.05, 0.00, 0.02, 0.05],  # b2b prospect (+ agency by industry)
    ]
)
NEWSLETTER_REACH = 0.40

# review ratings 1..5
RATING_PROBS = np.array(
    [
        [0.02, 0.03, 0.07, 0.23, 0.65],
        [0.06, 0.08, 0.20, 0.36, 0.30],
        [0.04, 0.06, 0.15, 0.35, 0.40],
        [0.08, 0.08, 0.18, 0.33, 0.33],
        [0.20, 0.20, 0.25, 0.20, 0.15],
        [0.05, 0.07, 0.15, 0.35, 0.38],
        [0.04, 0.06, 0.15, 0.35, 0.40],
        [0.03, 0.05, 0.15, 0.40, 0.37],
        [0.05, 0.07, 0.15, 0.35, 0.38],
    ]
)
P_REVIEW = _p(0.12, 0.06, 0.07, 0.08, 0.06, 0.05, 0.08, 0.03, 0.0)  # per order line
P_LOYALTY = _p(0.70, 0.35, 0.30, 0.05, 0.20, 0.10, 0.15, 0.25, 0.0)  # among buyers
P_EVENT = _p(0.15, 0.05, 0.05, 0.03, 0.03, 0.05, 0.06, 0.35, 0.30)
P_SURVEY = _p(0.70, 0.60, 0.50, 0.35, 0.35, 0.45, 0.60, 0.50, 0.45)

# lifecycle stage among non-buyers: subscriber, lead, mql, sql, opportunity
NON_BUYER_STAGES_B2C = np.array([0.55, 0.33, 0.09, 0.02, 0.01])
NON_BUYER_STAGES_B2B = np.array([0.05, 0.25, 0.30, 0.22, 0.18])
P_EVANGELIST = _p(0.35, 0.05, 0.05, 0.0, 0.0, 0.0, 0.0, 0.15, 0.0)

# age distribution (mean, sd) and income multiplier
AGE = np.array(
    [[44, 11], [36, 12], [42, 14], [40, 15], [45, 14], [29, 9], [33, 11], [42, 10], [40, 10]],
    dtype=float,
)
INCOME_FACTOR = _p(1.45, 0.8, 1.0, 0.95, 0.95, 0.85, 1.0, 1.2, 1.15)
