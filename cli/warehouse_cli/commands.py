"""What a parsed command line turns into: a function of the API client and the output, or, for
what needs no API (`warehouse report` listing the kinds), of the output alone."""

import argparse
from collections.abc import Callable
from dataclasses import dataclass

from warehouse_cli import exit_codes
from warehouse_cli.api import ApiClient
from warehouse_cli.output import Output

Command = Callable[[ApiClient, Output], int]


@dataclass(frozen=True)
class Offline:
    """Runs without a token or a connection."""

    show: Callable[[Output], None]


Factory = Callable[[argparse.Namespace], Command | Offline]
"""Each command's parser sets one as its `factory` default."""


def done(show: Callable[[ApiClient, Output], None]) -> Command:
    """A command succeeds when it returns; its failures are exceptions."""

    def command(api: ApiClient, output: Output) -> int:
        show(api, output)
        return exit_codes.OK

    return command
