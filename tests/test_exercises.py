from __future__ import annotations

import pytest

from mlsys_helpers import exercises
from mlsys_helpers.exercises import FAILED, NOT_ATTEMPTED, PASSED, check


@pytest.mark.parametrize("exercise_id", sorted(exercises.EXERCISES))
def test_none_means_not_attempted(exercise_id):
    result = check(exercise_id, None)
    assert result.status == NOT_ATTEMPTED
    assert "not attempted yet" in repr(result)


@pytest.mark.parametrize(
    ("exercise_id", "right", "wrong"),
    [("00.1", " Monitor ", "train"), ("00.2", 8, 9), ("00.3", False, True)],
)
def test_chapter_00_answers(exercise_id, right, wrong):
    assert check(exercise_id, right).status == PASSED
    failed = check(exercise_id, wrong)
    assert failed.status == FAILED
    assert "Hint:" in failed.message


def test_the_seed_exercise_key_is_computed_not_typed():
    import numpy as np

    assert check("00.2", int(np.random.default_rng(42).integers(0, 100))).passed


def test_malformed_answer_is_a_wrong_answer_not_a_crash():
    assert check("00.2", object()).status == FAILED
    assert check("00.1", ["monitor"]).status == FAILED


def test_unknown_exercise_id_raises_value_error():
    with pytest.raises(ValueError, match="exercise_id must be one of"):
        check("99.9", 1)


def test_exercise_id_must_be_a_string():
    with pytest.raises(TypeError, match="exercise_id must be a str"):
        check(1.1, 1)


def test_result_renders_as_html():
    html = check("00.1", "monitor")._repr_html_()
    assert "correct" in html and html.startswith("<div")


def test_close_to_accepts_numbers_within_tolerance_only():
    checker = exercises.close_to(0.85, tol=0.01)
    assert checker(0.851) and checker(0.845)
    assert not checker(0.83) and not checker("0.85") and not checker(True)


def test_close_to_computes_a_callable_key_lazily():
    calls = []
    checker = exercises.close_to(lambda: calls.append(1) or 2.0, tol=0.1)
    assert calls == []
    assert checker(2.05) and calls == [1]


def test_one_of_accepts_any_listed_spelling():
    checker = exercises.one_of("covariate", "covariate drift")
    assert checker(" Covariate Drift") and not checker("concept")
