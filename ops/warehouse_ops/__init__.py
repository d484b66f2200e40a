"""Commands that act on a deployed stack (or the local one): the first admin token, rebuilding
the report projections, redriving the relay's dead letters."""
