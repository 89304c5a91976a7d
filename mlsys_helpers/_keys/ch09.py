"""Chapter 09 · the incident lab. One exercise per incident: ``"09.k"`` checks a diagnosis
``{"cause": "<category>", "start": "YYYY-MM-DD"}`` of ``incidents.open_case(k, rng=SEED)``.

The scheme (also described in :mod:`mlsys_helpers.incidents`): the cause is stored here only as
``sha256(f"{SALT}|{k}|{cause}")`` (tests/test_lessons_09.py proves each digest is the hash of the
generator's cause); the start day is derived from the seed by ``incidents._start_of(k, SEED)``
when an answer is checked, and passes within ``incidents.TOLERANCE_DAYS`` days.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from mlsys_helpers._keys import Checker, Date, Exercise, describe_type

SEED = (
    9  # the chapter's seed (notebooks/.sources/09_incident_lab.py opens every case with rng=SEED)
)
SALT = "mlsys-workbook/09/incident-lab"
CAUSE_SHA256 = {
    1: "f546c02c05d5c700becef92b82e8ca48b221d689552f827c38ba182174f1d394",
    2: "67ef7efe714534b49378f1eea725f107aa7bcb86e2bc23ee2f6056100ad0af03",
    3: "f2a2f5f43989d2260a685281915b6259d8cdbfd3340cf4c678b2e3149583c4eb",
    4: "278e547537595535171805240839421cb666862afeeeb7359ad21139df81d0c1",
    5: "a21cbfe6ff4e632099ec932c41ebccb9974c4be7deb46f7944dcdb3b4616e539",
    6: "8cbe540ae6181164b933df63c975eb22c09e735574aa624efbd1d96c12a1c9df",
}


def cause_digest(number: int, cause: str) -> str:
    """The salted hash under which the cause of case ``number`` is stored."""
    return hashlib.sha256(f"{SALT}|{number}|{cause.strip().lower()}".encode()).hexdigest()


def cause_is_right(number: int, cause: Any) -> bool:
    """Whether ``cause`` is the root cause of case ``number`` (case and spaces ignored)."""
    return isinstance(cause, str) and cause_digest(number, cause) == CAUSE_SHA256[number]


def start_is_right(number: int, start: Any, *, seed: int = SEED) -> bool:
    """Whether ``start`` (any date-like value: a ``"YYYY-MM-DD"`` string, ``date``, ``Timestamp``,
    ``np.datetime64``, time-zone aware) is within the tolerance of the truth, read on its own
    wall clock."""
    from mlsys_helpers import incidents

    return Date(lambda: incidents._start_of(number, seed), tol_days=incidents.TOLERANCE_DAYS)(start)


class Diagnosis(Checker):
    """Checker: a dict with the right ``cause`` and a ``start`` within the tolerance."""

    kind = 'a dict {"cause": ..., "start": "YYYY-MM-DD"}'

    def __init__(self, number: int, *, seed: int = SEED):
        self.number, self.seed = number, seed

    def key(self) -> dict:
        """The right diagnosis (for the tests; the notebook never shows it)."""
        from mlsys_helpers import incidents

        cause = incidents._SCENARIOS[self.number].cause
        return {"cause": cause, "start": f"{incidents._start_of(self.number, self.seed):%Y-%m-%d}"}

    def accepts(self, answer: Any) -> bool:
        if not isinstance(answer, dict) or set(answer) != {"cause", "start"}:
            return False
        return cause_is_right(self.number, answer["cause"]) and start_is_right(
            self.number, answer["start"], seed=self.seed
        )

    def plausible_wrong(self) -> dict:
        """The diagnoses a hurried team gives (the tests probe every case with them)."""
        return _wrong_diagnoses(self.number)()

    def diagnose(self, answer: Any) -> str | None:
        from mlsys_helpers import incidents

        if not isinstance(answer, dict):
            return f"expected {self.kind}, got {describe_type(answer)}"
        if set(answer) != {"cause", "start"}:
            return f"expected exactly the keys 'cause' and 'start', got {sorted(map(str, answer))}"
        cause, start = answer["cause"], answer["start"]
        if not isinstance(cause, str) or cause.strip().lower() not in incidents.CATEGORIES:
            return f"the cause must be one of mh.incidents.CATEGORIES, got {cause!r}"
        problem = Date("2000-01-01").diagnose(start)
        if problem:
            return f"the start: {problem}"
        right_cause = cause_is_right(self.number, cause)
        right_start = start_is_right(self.number, start, seed=self.seed)
        if right_cause and not right_start:
            return "the cause is right; the start is more than 3 days off"
        if right_start and not right_cause:
            return "the start is within 3 days; the cause is not the root cause"
        return None


def diagnosis(number: int, *, seed: int = SEED) -> Diagnosis:
    """Checker: a dict with the right ``cause`` and a ``start`` within the tolerance."""
    return Diagnosis(number, seed=seed)


#: The cause a hurried diagnosis mistakes each incident for.
CONFUSED_WITH = {
    1: "concept_drift",
    2: "concept_drift",
    3: "label_pipeline_bug",
    4: "concept_drift",
    5: "upstream_unit_change",
}


def _wrong_diagnoses(number: int) -> Callable[[], dict]:
    def wrong() -> dict:
        import pandas as pd

        from mlsys_helpers import incidents

        right = Diagnosis(number).key()
        confused = CONFUSED_WITH.get(number, "concept_drift")
        if confused == right["cause"]:  # a case added later whose root cause is concept drift
            confused = "seasonal_covariate_shift"
        day = pd.Timestamp(right["start"])
        delay = incidents.LABEL_DELAY
        past = pd.Timedelta(days=incidents.TOLERANCE_DAYS + 1)
        return {
            "the confusable cause": right | {"cause": confused},
            "no incident": right | {"cause": "no_incident"},
            "the application day of the first loans labelled after the start": right
            | {"start": f"{day - delay:%Y-%m-%d}"},
            "the day the labels reveal it": right | {"start": f"{day + delay:%Y-%m-%d}"},
            "just past the tolerance": right | {"start": f"{day + past:%Y-%m-%d}"},
            "only the cause": right["cause"],
            "an extra key": right | {"channel": "online"},
        }

    return wrong


_FORMAT = (
    'Answer a dict {"cause": one of mh.incidents.CATEGORIES, "start": "YYYY-MM-DD"}; both must be '
    "right (the start within 3 days). The start is the first day the cause was at work, on the "
    "clock where it happened: the request day for a change in the world or the inputs, the day "
    "the outcome was written for a fault in the label pipeline. "
)

EXERCISES = (
    Exercise(
        "09.1",
        diagnosis(1),
        "Income from the online channel arrives in thousands: the values are 1000 times smaller, "
        "still inside the service's loose range check, and the model declines almost everyone "
        "there. The service was healthy the whole time; the inputs were not.",
        _FORMAT + "Which field fails validation, for which channel, and from which day?",
        wrong=_wrong_diagnoses(1),
    ),
    Exercise(
        "09.2",
        diagnosis(2),
        "The inputs and the model's decisions never changed; the recorded outcomes did, from the "
        "day the label pipeline started writing most defaults as repaid. A model retrained on "
        "these labels would learn the bug.",
        _FORMAT + "Compare the share of recorded defaults per day of 'label_time' (when the "
        "outcome was written), not per day of the request; look at which kind of error grew. "
        "The start is a day of 'label_time', not the application day of the first bad label.",
        wrong=_wrong_diagnoses(2),
    ),
    Exercise(
        "09.3",
        diagnosis(3),
        "Inputs, decisions and the model's confidence stay the same while realised accuracy "
        "slides over about ten days: the relation between features and outcome moved. Only "
        "labels show it; the estimate from scores cannot.",
        _FORMAT + "Fit a ramp (`mh.incidents.change_start` with gradual=True) to daily accuracy "
        "by request day; its start, not its middle, is the answer.",
        wrong=_wrong_diagnoses(3),
    ),
    Exercise(
        "09.4",
        diagnosis(4),
        "The channel mix moved (a summer campaign brought online applicants) and accuracy held: "
        "the concept did not change, so the model was right for the new mix. An alert is not an "
        "incident; the fix is the alert rule, not the model.",
        _FORMAT + "Which feature drifted, did accuracy change when labels arrived, and when did "
        "the daily share of that category start to rise?",
        wrong=_wrong_diagnoses(4),
    ),
    Exercise(
        "09.5",
        diagnosis(5),
        "One field went missing for one channel from one day: a join that stopped matching. "
        "The drift tests skip missing values, so only the null-rate check and the service log saw "
        "it; the imputer hid it from the model.",
        _FORMAT + "Which field is missing in the logged problems, for which channel, and from "
        "which day?",
        wrong=_wrong_diagnoses(5),
    ),
    Exercise(
        "09.6",
        diagnosis(6),
        "Inputs, labels and the validated model never changed; the model answering the requests "
        "did. Model v8 was promoted to all traffic at once, trained by a pipeline that read the "
        "debt ratio in percent while serving still sends fractions, so everyone looked debt-free. "
        "A shadow comparison or a canary on the decline rate (chapter 10) would have caught it "
        "before it reached every applicant.",
        _FORMAT + "Compare the decisions in the service log with what `case6.model` (the "
        "validated model) says for the same requests, day by day: when did they part ways?",
    ),
)
