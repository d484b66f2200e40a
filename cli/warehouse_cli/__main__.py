"""`python -m warehouse_cli`, the same as the `warehouse` console script."""

from warehouse_cli.app import main

raise SystemExit(main())
