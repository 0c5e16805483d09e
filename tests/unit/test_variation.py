"""Funnel-plot limits against hand calculation (Spiegelhalter 2005, normal approximations)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from carbon import variation as v


def test_z_values_are_the_two_sided_normal_quantiles():
    # 95 %: 2.5 % in each tail; 99.8 %: 0.1 % in each tail
    assert v.Z95 == pytest.approx(1.959964, abs=1e-6)
    assert v.Z998 == pytest.approx(3.090232, abs=1e-6)
    assert 0.5 * math.erfc(v.Z95 / math.sqrt(2)) == pytest.approx(0.025)
    assert 0.5 * math.erfc(v.Z998 / math.sqrt(2)) == pytest.approx(0.001)


def test_proportion_limits_by_hand():
    # p0 = 0.2, n = 100: se = sqrt(0.2 x 0.8 / 100) = 0.04
    lim = v.limits("proportion", 0.2, [100]).iloc[0]
    assert lim["lower95"] == pytest.approx(0.2 - 1.959964 * 0.04, abs=1e-6)  # 0.12160
    assert lim["upper95"] == pytest.approx(0.2 + 1.959964 * 0.04, abs=1e-6)  # 0.27840
    assert lim["lower998"] == pytest.approx(0.2 - 3.090232 * 0.04, abs=1e-6)  # 0.07639
    assert lim["upper998"] == pytest.approx(0.2 + 3.090232 * 0.04, abs=1e-6)  # 0.32361


def test_proportion_limits_are_clipped_to_0_and_1():
    # p0 = 0.5, n = 4: se = 0.25, 99.8 % limits 0.5 -/+ 0.7726 -> clipped
    lim = v.limits("proportion", 0.5, [4]).iloc[0]
    assert (lim["lower998"], lim["upper998"]) == (0.0, 1.0)
    assert lim["upper95"] == pytest.approx(0.5 + 1.959964 * 0.25, abs=1e-6)


def test_rate_limits_by_hand():
    # theta = 50 kgCO2e per 1,000 patients, w = 10,000, n = 5,000: se = sqrt(50 x 10000 / 5000) = 10
    lim = v.limits("rate", 50.0, [5000], weight=10_000).iloc[0]
    assert lim["lower95"] == pytest.approx(50 - 1.959964 * 10, abs=1e-4)
    assert lim["upper95"] == pytest.approx(50 + 1.959964 * 10, abs=1e-4)
    assert lim["upper998"] == pytest.approx(50 + 3.090232 * 10, abs=1e-4)
    # the limits narrow as volume grows: at 4x the volume the half-width halves
    wide = v.limits("rate", 50.0, [5000, 20000], weight=10_000)
    half = wide["upper95"] - 50
    assert half.iloc[1] == pytest.approx(half.iloc[0] / 2)


def test_z_scores_and_flags():
    z = v.z_scores("proportion", 0.2, [0.3, 0.2, 0.05, 0.35], [100, 100, 100, 100])
    assert z.tolist() == pytest.approx([2.5, 0.0, -3.75, 3.75])
    assert v.flag(z).tolist() == ["above 95% limit", "within limits", "below 99.8% limit", "above 99.8% limit"]


def test_curve_spans_the_volumes_on_a_log_scale():
    c = v.curve("proportion", 0.2, 10, 1000, points=3)
    assert c["n"].tolist() == pytest.approx([10, 100, 1000])
    assert np.all(np.diff(c["upper95"]) < 0)  # narrowing
