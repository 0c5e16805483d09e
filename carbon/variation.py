"""Funnel-plot statistics: control limits for comparing practices of very different sizes.

A funnel plot puts each unit (a GP practice) at its volume on the x axis and its indicator on
the y axis, with control limits around the overall value that narrow as volume grows
(Spiegelhalter, *Funnel plots for comparing institutional performance*, Stat Med 2005;24:1185).
A point outside the 95 % limits is unusual; outside the 99.8 % limits, very unusual (about
3 standard errors). Two indicators are used here:

* **a proportion** (share of inhalers that are low-carbon): with target p0 (all practices
  pooled) and a practice's n inhalers, the normal approximation to the binomial gives
  ``p0 ± z * sqrt(p0 * (1 - p0) / n)``, clipped to [0, 1];
* **a rate with a weight** (kgCO2e per 1,000 patients): inhalers are treated as Poisson events
  among a practice's n registered patients, each carrying the pooled mean footprint m
  (kgCO2e per inhaler). With target theta (kgCO2e per 1,000 patients pooled), the variance of
  the rate is ``theta * w / n`` with ``w = 1000 * m``, so the limits are
  ``theta ± z * sqrt(theta * w / n)``, floored at 0.

z is 1.959964 for 95 % and 3.090232 for 99.8 % (two-sided normal quantiles).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

Z95 = 1.959963984540054
Z998 = 3.090232306167813
LEVELS = {"95%": Z95, "99.8%": Z998}


def proportion_se(p0: float, n) -> np.ndarray:
    """Standard error of a proportion p0 over n trials (binomial, normal approximation)."""
    n = np.asarray(n, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.sqrt(p0 * (1.0 - p0) / n)


def rate_se(theta: float, n, weight: float) -> np.ndarray:
    """Standard error of a weighted Poisson rate theta per unit of n (see the module docstring)."""
    n = np.asarray(n, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.sqrt(theta * weight / n)


def limits(kind: str, target: float, n, weight: float = 1.0) -> pd.DataFrame:
    """Lower and upper 95 % and 99.8 % limits at each volume ``n``.

    ``kind`` is ``"proportion"`` or ``"rate"``; columns n, lower95, upper95, lower998, upper998.
    """
    n = np.asarray(n, dtype=float)
    se = proportion_se(target, n) if kind == "proportion" else rate_se(target, n, weight)
    hi_cap = 1.0 if kind == "proportion" else np.inf
    out = {"n": n}
    for name, z in (("95", Z95), ("998", Z998)):
        out[f"lower{name}"] = np.clip(target - z * se, 0.0, hi_cap)
        out[f"upper{name}"] = np.clip(target + z * se, 0.0, hi_cap)
    return pd.DataFrame(out)


def z_scores(kind: str, target: float, value, n, weight: float = 1.0) -> np.ndarray:
    """How many standard errors each value lies from the target (NaN where n is 0)."""
    se = proportion_se(target, n) if kind == "proportion" else rate_se(target, n, weight)
    with np.errstate(divide="ignore", invalid="ignore"):
        return (np.asarray(value, dtype=float) - target) / se


def curve(kind: str, target: float, n_min: float, n_max: float, weight: float = 1.0,
          points: int = 120) -> pd.DataFrame:
    """The limit lines sampled on a log scale between the smallest and largest volume."""
    lo = max(float(n_min), 1.0)
    hi = max(float(n_max), lo * 1.01)
    return limits(kind, target, np.geomspace(lo, hi, points), weight)


def flag(z) -> np.ndarray:
    """A plain-English band for each z-score."""
    z = np.asarray(z, dtype=float)
    return np.select(
        [z > Z998, z > Z95, z < -Z998, z < -Z95],
        ["above 99.8% limit", "above 95% limit", "below 99.8% limit", "below 95% limit"],
        default="within limits",
    )
