"""The locustfile :func:`mlsys_helpers.loadtest.load_test` runs (``locust --headless -f``).

Each simulated user posts the request bodies of the JSON-lines file named by the environment
variable ``MLSYS_LOAD_BODIES`` to ``MLSYS_LOAD_PATH``, in turn (user k starts at body k), with
no wait between requests (a closed loop). A request fails when no HTTP answer arrives or the
answer is a 5xx; a 4xx is the contract answering (counted apart by the status in the name).
Locust runs under gevent, which patches the standard library: that is why it runs in its own
process, never inside the test session or a notebook kernel.
"""

from __future__ import annotations

import itertools
import os

from locust import FastHttpUser, constant, task

with open(os.environ["MLSYS_LOAD_BODIES"], "rb") as _file:
    BODIES = [line.rstrip(b"\n") for line in _file if line.strip()]
PATH = os.environ.get("MLSYS_LOAD_PATH", "/predict")
_users = itertools.count()


class Client(FastHttpUser):
    """One client on one keep-alive connection."""

    wait_time = constant(0)

    def on_start(self) -> None:
        start = next(_users) % len(BODIES)
        self.bodies = itertools.cycle(BODIES[start:] + BODIES[:start])

    @task
    def predict(self) -> None:
        headers = {"Content-Type": "application/json"}
        with self.client.post(
            PATH, data=next(self.bodies), headers=headers, catch_response=True, name=PATH
        ) as response:
            if not response.status_code or response.status_code >= 500:
                response.failure(f"status {response.status_code}")
            else:
                response.success()
