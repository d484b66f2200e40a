"""`make docs` (`python -m warehouse_devstack.docs`): rewrite every generated section.

    python -m warehouse_devstack.docs [--check] [--bench bench/results/<timestamp>.json]

`--check` changes nothing and exits 1 when a section is stale; `--bench` first makes that
`make bench` run the one docs/performance.md shows.
"""

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from warehouse_devstack.docs import from_bench, from_code, from_openapi, from_template
from warehouse_devstack.docs.sections import rewrites
from warehouse_devstack.template import REPO_ROOT

WRITERS: dict[str, Callable[[], str]] = (
    from_template.WRITERS | from_openapi.WRITERS | from_bench.WRITERS | from_code.WRITERS
)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m warehouse_devstack.docs")
    parser.add_argument("--check", action="store_true", help="exit 1 when a section is stale")
    parser.add_argument("--bench", type=Path, metavar="JSON", help="a `make bench` results file")
    args = parser.parse_args(argv)
    if args.bench:
        from_bench.adopt(args.bench)
    stale = [rewrite for rewrite in rewrites(WRITERS) if rewrite.stale]
    for rewrite in stale:
        name = rewrite.path.relative_to(REPO_ROOT)
        if args.check:
            sys.stderr.write(f"{name} is stale: run `make docs`\n")
        else:
            rewrite.path.write_text(rewrite.fresh)
            sys.stdout.write(f"{name} (updated)\n")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
