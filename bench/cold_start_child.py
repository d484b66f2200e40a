"""One cold start, run by the runtime's Python in a fresh process (see run.py, `cold_start`):

    python3.12 -S -P bench/cold_start_child.py RESULT_FD EVENT_FILE HANDLER DIR [DIR ...]

`-S -P` leave sys.path at the standard library; the DIRs (function code, layer, runtime's boto3)
are put in front, as Lambda mounts /var/task, /opt/python and its runtime. Imports the handler
module, serves the event once and writes timings and the status code as JSON to RESULT_FD.
Only the standard library is imported here before the handler, as in Lambda's bootstrap.
"""

import time

STARTED = time.perf_counter()

import importlib  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
from typing import Any  # noqa: E402


class Context:
    """The attributes of Lambda's context object that Powertools and Mangum read."""

    def __init__(self, function_name: str) -> None:
        self.function_name = function_name
        self.function_version = "$LATEST"
        self.memory_limit_in_mb = int(os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "512"))
        # unique per invocation, as Lambda's: the stock writes' retry guard is keyed on it
        hexa = os.urandom(16).hex()
        self.aws_request_id = f"{hexa[:8]}-{hexa[8:12]}-{hexa[12:16]}-{hexa[16:20]}-{hexa[20:]}"
        self.log_group_name = f"/aws/lambda/{function_name}"
        self.log_stream_name = "bench"
        self.invoked_function_arn = (
            f"arn:aws:lambda:us-east-1:123456789012:function:{function_name}"
        )

    def get_remaining_time_in_millis(self) -> int:
        return 10_000


def main() -> None:
    result_fd, event_file, handler_spec, *directories = sys.argv[1:]
    sys.path[:0] = directories
    with open(event_file, encoding="utf-8") as file:
        event: dict[str, Any] = json.load(file)
    module_name, handler_name = handler_spec.rsplit(".", 1)
    before_import = time.perf_counter()
    handler = getattr(importlib.import_module(module_name), handler_name)
    imported = time.perf_counter()
    response = handler(event, Context(os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "bench")))
    served = time.perf_counter()
    result = {
        "status": response.get("statusCode"),
        "body": str(response.get("body"))[:500],
        "startup_ms": (before_import - STARTED) * 1000,
        "import_ms": (imported - before_import) * 1000,
        "invoke_ms": (served - imported) * 1000,
        "modules": len(sys.modules),
    }
    os.write(int(result_fd), json.dumps(result).encode())
    os.close(int(result_fd))
    sys.stdout.flush()
    os._exit(0)  # the interpreter's teardown is no part of a cold start: skip it


if __name__ == "__main__":
    main()
