"""Command line: ``python -m mlsys_helpers check`` and ``python -m mlsys_helpers serve``."""

from __future__ import annotations

import argparse
import sys
import threading

USAGE = """usage: python -m mlsys_helpers check    (checks this environment for the workbook)
       python -m mlsys_helpers serve [--port PORT] [--contract defensive|strict|bare]
                                     (serves a demo loan model on http://127.0.0.1:PORT)"""


def demo_service(seed: int = 0):
    """The chapter-05 service on a small LoanWorld history: boosting pipeline, rule fallback."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    from mlsys_helpers.quality import infer_schema
    from mlsys_helpers.serve import ModelService
    from mlsys_helpers.train import RuleClassifier, make_pipeline_for
    from mlsys_helpers.world import LoanWorld

    world = LoanWorld()
    train = world.sample(4_000, rng=seed)
    features = list(world.features)
    model = make_pipeline_for(train, model=HistGradientBoostingClassifier(random_state=seed))
    model.fit(train, train["target"])
    rule = RuleClassifier(feature="debt_ratio").fit(train[["debt_ratio"]], train["target"])
    return ModelService(model, schema=infer_schema(train[features]), fallback=rule, rng=seed)


def serve(argv: list[str], stop: threading.Event | None = None) -> int:
    """Serve the demo model until Ctrl-C (or until ``stop`` is set)."""
    from mlsys_helpers.serve import CONTRACTS, serve_http

    parser = argparse.ArgumentParser(prog="python -m mlsys_helpers serve")
    parser.add_argument("--port", type=int, default=8000, help="0 picks a free port")
    parser.add_argument("--contract", choices=CONTRACTS, default="defensive")
    args = parser.parse_args(argv)
    server = serve_http(demo_service(), "127.0.0.1", args.port, contract=args.contract)
    print(f"serving a demo loan model ({args.contract} contract) on {server.url}", flush=True)
    print(f"  POST {server.url}/predict, GET {server.url}/docs, GET {server.url}/metrics")
    print("  Ctrl-C stops it.", flush=True)
    try:
        (stop or threading.Event()).wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv == ["check"]:
        from mlsys_helpers import envcheck

        return envcheck.main()
    if argv[:1] == ["serve"]:
        return serve(argv[1:])
    print(USAGE, file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
