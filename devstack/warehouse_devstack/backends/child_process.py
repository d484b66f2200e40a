"""Children that do not outlive their parent: DynamoDB Local, the SQS server, the test stacks.

Linux's PR_SET_PDEATHSIG sends the child SIGTERM when the process that started it dies, however
it dies (a killed stack or test run leaves no orphan holding a port). Stdlib only, so the SQS
child imports nothing else of the stack.
"""

import ctypes
import signal

PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """In a child before exec (`preexec_fn`): SIGTERM when its parent dies."""
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
