"""Command line: ``python -m mlsys_helpers check``."""

from __future__ import annotations

import sys

USAGE = "usage: python -m mlsys_helpers check    (checks this environment for the workbook)"


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv == ["check"]:
        from mlsys_helpers import envcheck

        return envcheck.main()
    print(USAGE, file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
