"""Exit codes, so scripts can tell "the API said no" from "nothing was sent" and "no API"."""

OK = 0
API_ERROR = 1  # the API answered with an error, or refused some import lines
USAGE = 2  # bad arguments, missing token, invalid import file: nothing was sent
UNREACHABLE = 3  # no answer from the API after every retry
INTERRUPTED = 130  # Ctrl-C or --stop-after: re-run the same file to finish it
