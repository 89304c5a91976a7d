"""The selective-labels option of mlsys_helpers.loop.simulate (chapter 10)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mlsys_helpers.loop import Feedback, Never, Observation, Periodic, Policy, simulate
from mlsys_helpers.world import BikeWorld, LoanWorld

SMALL = {"periods": 4, "period_size": 400}


@pytest.fixture(scope="module")
def frame():
    return LoanWorld().sample(5 * 400, rng=0)


class Recorder(Policy):
    """Keeps what it was shown; retrains every period."""

    def __init__(self):
        self.seen: list[Observation] = []

    def decide(self, observation):
        self.seen.append(observation)
        return True


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"threshold": 0.0}, ValueError, r"threshold must be in \(0, 1\)"),
        ({"threshold": 1.0}, ValueError, r"threshold must be in \(0, 1\)"),
        ({"explore": 1.0}, ValueError, r"explore must be in \[0, 1\)"),
        ({"holdout": -0.1}, ValueError, r"holdout must be in \[0, 1\)"),
        ({"explore": "5%"}, TypeError, "explore must be a float"),
        ({"ipw": True}, ValueError, r"explore must be > 0 when ipw=True .*, got 0.0"),
        ({"ipw": 1, "explore": 0.1}, TypeError, "ipw must be a bool, got int"),
        ({"rng": -1}, ValueError, "rng must be an int >= 0, got -1"),
        ({"rng": 1.5}, TypeError, "rng must be an int or a numpy Generator, got float"),
    ],
)
def test_feedback_validates_its_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        Feedback(**kwargs)


def test_feedback_needs_a_binary_classification(frame):
    with pytest.raises(
        ValueError, match=r"target must be binary \(1 = decline\) when feedback is given"
    ):
        simulate(BikeWorld(), None, Periodic(1), feedback=Feedback(), rng=0, **SMALL)
    with pytest.raises(TypeError, match="feedback must be a Feedback"):
        simulate(frame, None, Periodic(1), feedback={"explore": 0.1}, **SMALL)


def test_without_feedback_the_output_has_its_usual_columns(frame):
    out = simulate(frame, None, Periodic(1), **SMALL)
    assert "approval_rate" not in out.columns
    same = simulate(frame, None, Periodic(1), feedback=None, **SMALL)
    pd.testing.assert_frame_equal(out, same)


def test_only_approved_rows_are_labelled_and_shown_to_the_policy(frame):
    policy = Recorder()
    out = simulate(frame, None, policy, feedback=Feedback(), **SMALL)
    # simulate works on a deep copy: read what the copy saw through a fresh run's columns
    assert (out["approval_rate"] < 1).all()
    labels = out["labels_available"].diff().fillna(out["labels_available"].iloc[0])
    assert np.allclose(labels, out["approval_rate"] * 400)
    assert policy.seen == []  # the caller's policy is untouched


def test_the_policy_sees_errors_of_approved_rows_only(frame):
    seen = []

    class Spy(Policy):
        def decide(self, observation):
            seen.append(observation)
            return False

    simulate(frame, None, Spy(), feedback=Feedback(), **SMALL)
    first = seen[0]
    assert 0 < len(first.errors) < 400
    assert len(first.labelled) == len(first.errors)


def test_holdout_and_exploration_approve_at_random_and_count_their_defaults(frame):
    out = simulate(frame, None, Periodic(1), feedback=Feedback(holdout=0.2, rng=1), **SMALL)
    assert out["explored"].between(40, 120).all()  # about 20 % of 400
    assert out["explored_defaults"].is_monotonic_increasing
    assert out["explored_defaults"].iloc[-1] > 0
    none = simulate(frame, None, Periodic(1), feedback=Feedback(), **SMALL)
    assert (none["explored"] == 0).all() and (none["explored_defaults"] == 0).all()


def test_feedback_runs_are_reproducible_and_seeded(frame):
    one = simulate(frame, None, Periodic(1), feedback=Feedback(explore=0.1, ipw=True), **SMALL)
    two = simulate(frame, None, Periodic(1), feedback=Feedback(explore=0.1, ipw=True), **SMALL)
    pd.testing.assert_frame_equal(one, two)
    other = simulate(frame, None, Periodic(1), feedback=Feedback(explore=0.1, rng=5), **SMALL)
    assert not other["explored"].equals(one["explored"])


def test_a_generator_is_drawn_once_so_the_feedback_replays_the_same_coins(frame):
    feedback = Feedback(explore=0.1, rng=np.random.default_rng(3))
    assert feedback.rng == int(np.random.default_rng(3).integers(0, 2**32))
    one = simulate(frame, None, Periodic(1), feedback=feedback, **SMALL)
    two = simulate(frame, None, Periodic(1), feedback=feedback, **SMALL)
    pd.testing.assert_frame_equal(one, two)
    same = Feedback(explore=0.1, rng=feedback.rng)
    pd.testing.assert_frame_equal(one, simulate(frame, None, Periodic(1), feedback=same, **SMALL))


def test_never_buys_no_labels_even_with_feedback(frame):
    out = simulate(frame, None, Never(), feedback=Feedback(), **SMALL)
    assert (out["labels_available"] == 0).all() and (out["n_retrains"] == 0).all()


def test_accuracy_is_measured_on_every_applicant(frame):
    out = simulate(frame, None, Never(), feedback=Feedback(), **SMALL)
    plain = simulate(frame, None, Never(), **SMALL)
    # a logistic regression's predict is predict_proba >= 0.5: the same decisions
    assert np.allclose(out["accuracy"], plain["accuracy"])
