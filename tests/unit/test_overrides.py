"""Local overrides: the shipped figure is never edited, every change has who, when and why."""

import pytest

from carbon import factors as fx


def test_override_replaces_the_figure_and_revert_restores_it(store):
    shipped = fx.library(store).quantity("car_petrol_average").value.magnitude
    assert shipped == pytest.approx(0.16272)  # DESNZ 2025, average petrol car per vehicle-km
    fx.set_override(store, "car_petrol_average", 0.19, "our pool cars' fuel-card data", "alice")
    res = fx.library(store).quantity("car_petrol_average")
    assert res.overridden and res.value.magnitude == pytest.approx(0.19)
    # the range follows the shipped range scaled to the new value (DESNZ gives a point figure)
    assert res.low.magnitude == pytest.approx(0.19) and res.high.magnitude == pytest.approx(0.19)
    assert store.execute("SELECT value FROM factor WHERE id = 'car_petrol_average'").fetchone()[0] == 0.16272
    assert fx.revert_override(store, "car_petrol_average", "bob") is True
    assert fx.library(store).quantity("car_petrol_average").value.magnitude == pytest.approx(0.16272)
    hist = fx.override_history(store, "car_petrol_average")
    assert list(hist["who"]) == ["alice"] and list(hist["reverted_by"]) == ["bob"]
    assert hist["reason"].iloc[0] == "our pool cars' fuel-card data"


def test_override_flows_into_factors_derived_from_it(store):
    """Overriding a GWP changes every factor whose formula uses it (here the desflurane bottle)."""
    lib = fx.library(store)
    before = lib.quantity("desflurane_bottle", "AR5").value.to("kgCO2e/bottle").magnitude
    fx.set_override(store, "gwp_desflurane_ar5", 1790 * 2, "sensitivity test", "alice")
    after = fx.library(store).quantity("desflurane_bottle", "AR5").value.to("kgCO2e/bottle").magnitude
    assert after == pytest.approx(2 * before)


def test_a_new_override_supersedes_the_old_one(store):
    fx.set_override(store, "rail_national", 0.04, "first", "alice")
    fx.set_override(store, "rail_national", 0.05, "second", "bob")
    assert fx.library(store).quantity("rail_national").value.magnitude == pytest.approx(0.05)
    hist = fx.override_history(store, "rail_national")
    assert len(hist) == 2 and hist["reverted_at"].isna().sum() == 1


@pytest.mark.parametrize(
    "fid, value, reason, who, message",
    [
        ("no_such_factor", 1, "x", "alice", "no factor with id"),
        ("rail_national", -1, "x", "alice", "zero or more"),
        ("rail_national", float("nan"), "x", "alice", "finite"),
        ("rail_national", "lots", "x", "alice", "not a number"),
        ("rail_national", 0.04, "  ", "alice", "needs a reason"),
        ("rail_national", 0.04, "audit", "", "who"),
    ],
)
def test_bad_overrides_are_refused_and_change_nothing(store, fid, value, reason, who, message):
    with pytest.raises(fx.OverrideError, match=message):
        fx.set_override(store, fid, value, reason, who)
    assert fx.override_history(store).empty
