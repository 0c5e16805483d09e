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


# ---------------------------------------------------------------------------------------------
# Over-dispersion (Spiegelhalter 2005, as NHS-R FunnelPlotR does by default)
# ---------------------------------------------------------------------------------------------
#: Share of each tail Winsorised (proportions) or truncated (ratios) before phi is estimated.
TRIM = 0.1


def _transform(kind: str, target: float, value, n) -> tuple[np.ndarray, float, np.ndarray]:
    """(Y, target on the same scale, within-unit standard error s) as FunnelPlotR transforms them.

    ``"proportion"`` (FunnelPlotR data_type "PR"): Y = asin(sqrt(p)), s = 1 / (2 sqrt(n)).
    ``"ratio"`` (data_type "SR", sr_method "SHMI"): value is observed / expected and n the expected
    count; Y = log(value), s = 1 / sqrt(n), target 1 (log 0).
    """
    v = np.asarray(value, dtype=float)
    n = np.asarray(n, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        if kind == "proportion":
            return np.arcsin(np.sqrt(np.clip(v, 0.0, 1.0))), float(np.arcsin(np.sqrt(target))), 1 / (2 * np.sqrt(n))
        return np.log(v), 0.0, 1 / np.sqrt(n)


def _trimmed(kind: str, z: np.ndarray, trim: float) -> np.ndarray:
    """z-scores kept for phi: Winsorised at the ``trim`` quantiles (proportions, as Spiegelhalter and
    the CQC), or with the lowest and highest ``trim`` share left out (ratios, as the SHMI does)."""
    z = z[np.isfinite(z)] if kind == "proportion" else z
    if kind == "proportion":
        lo, hi = np.quantile(z, [trim, 1 - trim]) if len(z) else (0.0, 0.0)
        return np.clip(z, lo, hi)
    k = 1 / trim
    ranks = pd.Series(z).rank(method="average").to_numpy()
    group = np.floor(ranks * k / (len(z) + 1))
    kept = z[(group > 0) & (group < k - 1)]
    return kept[np.isfinite(kept)]


def overdispersion(kind: str, target: float, value, n, trim: float = TRIM) -> dict:
    """Spiegelhalter's (2005) over-dispersion estimate for a funnel plot, as FunnelPlotR computes it.

    phi = mean of the trimmed z-scores squared; if n x phi > n - 1, the between-unit variance is
    tau2 = (n phi - (n - 1)) / (sum w - sum w^2 / sum w), w = 1 / s^2 over the units kept (else 0),
    added to each unit's own s^2 (an additive random-effects model, DerSimonian & Laird 1986).
    Returns phi, tau2, the units used (n) and each unit's unadjusted z.
    """
    y, t, s = _transform(kind, target, value, n)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (y - t) / s
    kept = _trimmed(kind, z, trim)
    s_kept = s[np.isfinite(z)] if kind == "proportion" else s[np.isin(z, kept) & np.isfinite(z)]
    m = len(kept)
    phi = float(np.mean(kept ** 2)) if m else 0.0
    tau2 = 0.0
    if m and m * phi >= m - 1 and len(s_kept):
        w = 1 / s_kept ** 2
        tau2 = max(0.0, (m * phi - (m - 1)) / (w.sum() - (w ** 2).sum() / w.sum()))
    return {"phi": phi, "tau2": tau2, "units": m, "z_unadjusted": z}


def adjusted_z(kind: str, target: float, value, n, tau2: float) -> np.ndarray:
    """Standard errors from the target with the between-unit variance added: (Y - target) / sqrt(s^2 + tau2)."""
    y, t, s = _transform(kind, target, value, n)
    with np.errstate(divide="ignore", invalid="ignore"):
        return (y - t) / np.sqrt(s ** 2 + tau2)


def adjusted_limits(kind: str, target: float, n, tau2: float, scale: float = 1.0) -> pd.DataFrame:
    """95 % and 99.8 % funnel limits at each ``n`` with the over-dispersion ``tau2`` added.

    Proportions: sin^2(asin(sqrt(p0)) +/- z sqrt(1/(4n) + tau2)), the angle kept within [0, pi/2]
    so the limits stay in [0, 1]; ratios: exp(+/- z sqrt(1/n + tau2)). ``scale`` multiplies the
    limits (a ratio's limits times the target rate give the limits in the rate's own units).
    """
    n = np.asarray(n, dtype=float)
    out = {"n": n}
    with np.errstate(divide="ignore", invalid="ignore"):
        for name, z in (("95", Z95), ("998", Z998)):
            if kind == "proportion":
                s = np.sqrt(1 / (4 * n) + tau2)
                t = np.arcsin(np.sqrt(target))
                out[f"lower{name}"] = scale * np.sin(np.clip(t - z * s, 0, np.pi / 2)) ** 2
                out[f"upper{name}"] = scale * np.sin(np.clip(t + z * s, 0, np.pi / 2)) ** 2
            else:
                s = np.sqrt(1 / n + tau2)
                out[f"lower{name}"] = scale * np.exp(-z * s)
                out[f"upper{name}"] = scale * np.exp(z * s)
    return pd.DataFrame(out)


# ---------------------------------------------------------------------------------------------
# SPC: XmR charts with NHS England "Making Data Count" rules
# ---------------------------------------------------------------------------------------------
#: XmR constants: process limits at mean +/- 2.66 x mean moving range; a moving range above
#: 3.267 x the mean moving range is screened out before the limits are set (NHSRplotthedots).
XMR_LIMIT = 2.66
MR_SCREEN = 3.267
RUN = 7


def xmr(values) -> pd.DataFrame:
    """An XmR (individuals) chart of ``values`` in time order, with Making Data Count's special causes.

    Columns: value, mean, moving_range, lower, upper (process limits), special_cause: in priority
    order "above upper limit" / "below lower limit"; "run of 7 rising" / "run of 7 falling" (seven
    points each higher, or lower, than the one before); "2 of 3 near the upper (lower) limit" (two of
    three in a row beyond two-thirds of the way to a limit, on the same side); "7 above (below)
    the mean"; else "common cause". Rules and constants as NHS-R NHSRplotthedots implements them.
    """
    y = np.asarray(values, dtype=float)
    n = len(y)
    mr = np.abs(np.diff(y)) if n > 1 else np.array([])
    amr = float(mr.mean()) if len(mr) else 0.0
    if len(mr):
        screened = mr[mr < MR_SCREEN * amr]
        amr = float(screened.mean()) if len(screened) else amr
    mean = float(y.mean()) if n else float("nan")
    upper, lower = mean + XMR_LIMIT * amr, mean - XMR_LIMIT * amr
    near_up, near_low = mean + 2 / 3 * XMR_LIMIT * amr, mean - 2 / 3 * XMR_LIMIT * amr
    side = np.sign(y - mean)
    outside = (y > upper) | (y < lower)
    close = ~outside & ((y > near_up) | (y < near_low))
    cause = np.array(["common cause"] * n, dtype=object)

    def mark(start: int, length: int, label: str, mask: np.ndarray):
        """Label the points of ``mask`` that no rule of higher priority has labelled."""
        free = mask[start:start + length] & (cause[start:start + length] == "common cause")
        cause[start:start + length][free] = label

    trend = np.zeros(n)
    for i in range(RUN - 1, n):
        d = np.sign(np.diff(y[i - RUN + 1:i + 1]))
        if (d > 0).all() or (d < 0).all():
            trend[i - RUN + 1:i + 1] = d[0]
    two_of_three = np.zeros(n, dtype=bool)
    for i in range(n - 2):
        window = slice(i, i + 3)
        if close[window].sum() >= 2 and abs(side[window].sum()) == 3:
            two_of_three[window] |= close[window]
    shift = np.zeros(n)
    for i in range(RUN - 1, n):
        s = side[i - RUN + 1:i + 1]
        if s[0] != 0 and (s == s[0]).all():
            shift[i - RUN + 1:i + 1] = s[0]
    cause[outside & (y > upper)] = "above upper limit"
    cause[outside & (y < lower)] = "below lower limit"
    mark(0, n, "run of 7 rising", trend > 0)
    mark(0, n, "run of 7 falling", trend < 0)
    mark(0, n, "2 of 3 near the upper limit", two_of_three & (side > 0))
    mark(0, n, "2 of 3 near the lower limit", two_of_three & (side < 0))
    mark(0, n, "7 above the mean", shift > 0)
    mark(0, n, "7 below the mean", shift < 0)
    return pd.DataFrame({"value": y, "mean": mean, "moving_range": np.concatenate([[np.nan], mr]),
                         "lower": lower, "upper": upper, "special_cause": cause})
