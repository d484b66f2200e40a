"""Lambda SnapStart hooks (template parameter SnapStart=on), registered by every function.

With SnapStart, Lambda runs a function's init once per published version and starts new
environments from a snapshot of its memory. Init already imports everything a request needs;
before the snapshot the hooks also build the AWS clients, so botocore's service models (the slow
part of a first client) are in the snapshot. After a restore, many environments resume from one
memory image, so the hooks undo what must not be shared:
- `random`'s state: every environment would draw the same retry jitter (transfer conflicts);
- the clients: they hold connections opened before the snapshot. They are rebuilt on first use,
  cheaply, from the models already loaded in the session.

Lambda's Python runtimes ship `snapshot_restore_py` (the dev virtualenv installs it for the
tests); where it is missing nothing is registered. Registered hooks run only when Lambda takes
or restores a snapshot: never while SnapStart is off, in the local stack or under sam local.
"""

import random
from functools import cache

from warehouse_inventory import aws_clients, services


def before_snapshot() -> None:
    aws_clients.dynamodb_client()
    aws_clients.sqs_client()


def after_restore() -> None:
    random.seed()  # from os.urandom: a fresh state per environment
    services.forget_services()


@cache
def register_hooks() -> bool:
    """Once per process, however many handlers a module builds; False when not in Lambda."""
    try:
        from snapshot_restore_py import register_after_restore, register_before_snapshot
    except ImportError:
        return False
    register_before_snapshot(before_snapshot)
    register_after_restore(after_restore)
    return True
