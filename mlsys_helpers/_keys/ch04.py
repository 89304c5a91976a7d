"""Chapter 04 · data is where systems fail. Keys are computed from the helper API with the
chapter's seeds (``SEED`` and the per-experiment offsets of the notebook) or from the shipped data.
Each exercise asks for a value no cell above it prints: another strength, share, period or count."""

from __future__ import annotations

import functools

from mlsys_helpers._keys import Exercise, Number, WholeNumber

SEED = 4  # the chapter's seed (notebooks/.sources/04_data_is_where_systems_fail.py)
RATE = 0.4  # share of blanks in section 1
WEAK = 1.0  # exercise 04.1: the MNAR strength asked about (the chapter uses 3.0)
KEEP = 0.5  # exercise 04.2: share of defaults kept (the chapter uses 0.3)
STEPS = [round(0.05 * k, 2) for k in range(1, 11)]  # exercise 04.3: 5 %, 10 %, ..., 50 %


@functools.cache
def _train():
    from mlsys_helpers import world

    return world.LoanWorld().sample(4000, start="2024-04-15", rng=SEED)


def _mnar_gap(strength: float = WEAK, mechanism: str = "MNAR", **how) -> float:
    """True mean debt_ratio minus the mean seen after blanking with ``mechanism``."""
    from mlsys_helpers import collect

    train = _train()
    seen = collect.make_missing(
        train,
        columns="debt_ratio",
        rate=RATE,
        mechanism=mechanism,
        strength=strength,
        rng=SEED + 2,
        **how,
    )
    return float(train["debt_ratio"].mean() - seen["debt_ratio"].mean())


def _wrong_04_1() -> dict:
    return {
        "the printed gap (strength 3)": _mnar_gap(3.0),
        "the sign flipped (observed - true)": -_mnar_gap(),
        "MCAR": _mnar_gap(mechanism="MCAR"),
        "MAR on age": _mnar_gap(mechanism="MAR", depends_on="age"),
        "the observed mean itself": float(_train()["debt_ratio"].mean()) - _mnar_gap(),
    }


def _default_share_in_biased_table(keep: float = KEEP) -> float:
    from mlsys_helpers import collect

    biased = collect.sampling_bias(_train(), column="target", keep={1: keep}, rng=SEED + 3)
    return float(biased["target"].mean())


def _wrong_04_2() -> dict:
    world_rate = float(_train()["target"].mean())
    return {
        "the printed table (keep 30 %)": _default_share_in_biased_table(0.3),
        "the world's rate (printed)": world_rate,
        "half the world's rate (forgetting that repaid rows stay)": KEEP * world_rate,
        "the share of defaults lost": 1 - KEEP,
    }


@functools.cache
def _smallest_caught_share() -> float:
    """Smallest share of defaults recorded as repaid (in 5 % steps) that label_mix catches."""
    from mlsys_helpers import collect, quality, world

    trusted = world.LoanWorld().sample(3000, start="2024-03-01", rng=SEED + 7)
    schema = quality.infer_schema(trusted, exclude=("drift_weight", "true_proba"))
    for share in STEPS:
        noisy = collect.label_noise(
            _train(), rate={1: share}, kind="class_conditional", rng=SEED + 5
        )
        if "label_mix" in set(quality.validate(noisy, schema).failures["check"]):
            return share
    raise RuntimeError("label_mix caught none of the shares")  # pragma: no cover


def _wrong_04_3() -> dict:
    caught = _smallest_caught_share()
    return {
        "the printed 40 %": 0.4,
        "one step smaller (not caught)": round(caught - 0.05, 2),
        "one step larger": round(caught + 0.05, 2),
        "the check's tolerance 0.05": 0.05,
        "the name of the check": "label_mix",
    }


@functools.cache
def _seattle():
    from mlsys_helpers import datasets

    return datasets.load_seattle_weather("original"), datasets.load_seattle_weather("fixed")


def _days_relabelled(year: int | None = 2013) -> int:
    original, fixed = _seattle()
    differ = original["weather"] != fixed["weather"]
    if year is not None:
        differ &= original["date"].dt.year == year
    return int(differ.sum())


def _wrong_04_4() -> dict:
    original, fixed = _seattle()
    differ = original["weather"] != fixed["weather"]
    month = original["date"].dt.to_period("M")
    return {
        "every year": _days_relabelled(None),
        "2014": _days_relabelled(2014),
        "April 2013 only": int(differ[month == "2013-04"].sum()),
        "the first month as a string": "2013-04",
        "days of 2013": 365,
    }


def _wet_days_labelled_rain(start: str, end: str, version: str = "original") -> float:
    original, fixed = _seattle()
    frame = original if version == "original" else fixed
    wet = (original["precipitation"] > 0) & (original["date"] >= start) & (original["date"] < end)
    return float((frame.loc[wet, "weather"] == "rain").mean())


APRIL_TO_DECEMBER_2013 = ("2013-04-01", "2014-01-01")


def _wrong_04_5() -> dict:
    return {
        "all of 2013 (printed)": _wet_days_labelled_rain("2013-01-01", "2014-01-01"),
        "2014 (printed)": _wet_days_labelled_rain("2014-01-01", "2015-01-01"),
        "the fixed file": _wet_days_labelled_rain(*APRIL_TO_DECEMBER_2013, version="fixed"),
        "2012": _wet_days_labelled_rain("2012-01-01", "2013-01-01"),
        "the complement": 1 - _wet_days_labelled_rain(*APRIL_TO_DECEMBER_2013),
    }


EXERCISES = (
    Exercise(
        "04.1",
        Number(_mnar_gap, decimals=3),
        "Smaller than with strength 3, and still far from zero: the weaker the link between the "
        "blanks and the hidden value, the smaller the lie, but no statistic on the values you see "
        "can tell you how strong that link is: only knowing how the data was collected can.",
        "Call `blank` with the mechanism and the strength as keyword arguments; compare the mean "
        "of its 'debt_ratio' with `train['debt_ratio'].mean()` (true minus seen).",
        wrong=_wrong_04_1,
    ),
    Exercise(
        "04.2",
        Number(_default_share_in_biased_table, decimals=3, fraction=True),
        "Keeping half the defaults does not halve their share: the repaid rows all stay, so the "
        "share falls less than the count. A model trained on it still believes defaults are rarer "
        "than they are, although every row is correct.",
        "Call `mh.collect.sampling_bias` like the cell of section 2 does, with the share kept "
        "changed and the same rng; the mean of the 0/1 column 'target' is the share of defaults.",
        wrong=_wrong_04_2,
    ),
    Exercise(
        "04.3",
        Number(_smallest_caught_share, decimals=2, fraction=True),
        "Below that share the default rate moves less than the check's tolerance and the "
        "mislabelled table passes: a distribution check catches only errors big enough to move a "
        "distribution. Smaller ones need audited labels.",
        "Loop over the shares 0.05, 0.10, ... with `mh.collect.label_noise` (kind and rng as in "
        "the `noisy` cell) and look at the 'check' column of the failures "
        "that `mh.quality.validate` reports against `schema`.",
        wrong=_wrong_04_3,
    ),
    Exercise(
        "04.4",
        WholeNumber(_days_relabelled),
        "More than a hundred days of 2013 carry a different label: from April on, rain became "
        "something else day after day while the readings stayed the same. A monthly plot of the "
        "label shares is often the fastest way to find a labelling change.",
        "Compare the 'weather' columns of `original` and `fixed` row by row, keep the rows whose "
        "'date' lies in 2013, and count the differences (an int).",
        wrong=_wrong_04_4,
    ),
    Exercise(
        "04.5",
        Number(lambda: _wet_days_labelled_rain(*APRIL_TO_DECEMBER_2013), decimals=3, fraction=True),
        "About 1 %: by the fix's rule (a wet day is rain) it would be close to 100 %. A domain "
        "rule pins the bug where a distribution check only says 'something moved', and the yearly table "
        "blurs it, because 2013 mixes three good months with nine broken ones.",
        "Build the mask like the `wet` cell does, add the date window the exercise names, and "
        "take the share of `original`'s labels on those days that are 'rain'.",
        wrong=_wrong_04_5,
    ),
)
