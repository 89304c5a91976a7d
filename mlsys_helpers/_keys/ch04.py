"""Chapter 04 · data is where systems fail. Keys are computed from the helper API with the
chapter's seeds (``SEED`` and the per-experiment offsets of the notebook) or from the shipped data."""

from __future__ import annotations

from typing import Any

from mlsys_helpers._keys import Exercise, close_to, text_is

SEED = 4  # the chapter's seed (notebooks/04_data_is_where_systems_fail.py)


def _default_share_in_biased_table() -> float:
    from mlsys_helpers import collect, world

    train = world.LoanWorld().sample(4000, start="2024-04-15", rng=SEED)
    biased = collect.sampling_bias(train, column="target", keep={1: 0.3}, rng=SEED + 3)
    return float(biased["target"].mean())


def _first_month_files_disagree() -> str:
    from mlsys_helpers import datasets

    original = datasets.load_seattle_weather("original")
    fixed = datasets.load_seattle_weather("fixed")
    return original.loc[original["weather"] != fixed["weather"], "date"].min().strftime("%Y-%m")


def _wet_days_labelled_rain_2014_original() -> float:
    from mlsys_helpers import datasets

    original = datasets.load_seattle_weather("original")
    wet_2014 = (original["precipitation"] > 0) & (original["date"].dt.year == 2014)
    return float((original.loc[wet_2014, "weather"] == "rain").mean())


def _month_is(answer: Any) -> bool:
    return isinstance(answer, str) and answer.strip() == _first_month_files_disagree()


EXERCISES = (
    Exercise(
        "04.1",
        text_is("MNAR"),
        "When the blanks depend on the hidden value itself, the values you do see are a biased "
        "sample, and no statistic on them can reveal it: only knowing how the data was collected can.",
        "Compare each mechanism's 'mean debt_ratio seen' with the true mean printed above the table.",
    ),
    Exercise(
        "04.2",
        close_to(_default_share_in_biased_table, tol=0.002),
        "Far below the world's 30 %: a model trained on this table believes defaults are rare and "
        "misses many of them, although every row in it is correct.",
        "It is the mean of the 0/1 column `target` of the frame `biased`.",
    ),
    Exercise(
        "04.3",
        text_is("label_mix"),
        "The share of defaults moved far more than sampling noise allows. Noise that keeps the "
        "class mix would slip through: no schema check sees individual wrong labels.",
        "Run `mh.quality.validate(noisy['defaults as repaid 40 %'], schema).failures`.",
    ),
    Exercise(
        "04.4",
        _month_is,
        "April 2013: the readings go on unchanged, the label mix does not. A monthly plot of the "
        "label shares is often the fastest way to find a labelling change.",
        "Select the rows where the two `weather` columns differ and take the earliest `date`; "
        "format it with `.strftime('%Y-%m')`.",
    ),
    Exercise(
        "04.5",
        close_to(_wet_days_labelled_rain_2014_original, tol=0.002),
        "About 1 %: by the data set's own rule it should be close to 100 %. A domain rule pins "
        "the bug where a distribution check only says 'something moved'.",
        "Keep the 2014 rows of `original` with precipitation > 0 and take the mean of "
        "`weather == 'rain'`.",
    ),
)
