"""`tokens create|list|revoke` (admin). A new token's secret is printed once: the API keeps
only its hash and never shows it again."""

import argparse
from urllib.parse import quote

from warehouse_cli.api import ApiClient
from warehouse_cli.commands import done
from warehouse_cli.options import Commands, add_command
from warehouse_cli.output import Output, Rows
from warehouse_cli.tables import record_details, tokens_sheet
from warehouse_inventory.domain.access import Role

TOKEN_COLUMNS = ("token_id", "name", "role", "created_at")
ISSUED_LABELS = {
    "token": "Token (shown once)",
    "token_id": "Token id",
    "name": "Name",
    "role": "Role",
    "created_at": "Created (UTC)",
}


def register(commands: Commands) -> None:
    tokens = add_command(commands, "tokens", "API tokens: create, list, revoke (admin)")
    actions = tokens.add_subparsers(dest="action", required=True, metavar="ACTION")

    create = add_command(actions, "create", "a new token; its secret is printed this once")
    create.add_argument(
        "name", metavar="NAME", help="who or what uses it (shown as the actor of movements)"
    )
    roles = [role.value for role in Role]
    create.add_argument(
        "--role", required=True, choices=roles, metavar="ROLE", help=", ".join(roles)
    )
    create.set_defaults(factory=lambda args: done(lambda api, out: create_token(api, out, args)))

    listing = add_command(actions, "list", "the active tokens (never their secrets)")
    listing.set_defaults(factory=lambda args: done(list_tokens))

    revoke = add_command(actions, "revoke", "refuse a token from now on")
    revoke.add_argument("token_id", metavar="TOKEN_ID", help="as `tokens list` shows it (tok_...)")
    revoke.set_defaults(
        factory=lambda args: done(lambda api, out: revoke_token(api, out, args.token_id))
    )


def create_token(api: ApiClient, output: Output, args: argparse.Namespace) -> None:
    issued = api.post("/tokens", {"name": args.name, "role": args.role}).body
    output.result(
        issued,
        Rows((*TOKEN_COLUMNS, "token"), [issued]),
        lambda: record_details("New token", issued, ISSUED_LABELS),
    )
    output.note("Store the token now: the API keeps only its hash and cannot show it again.")


def list_tokens(api: ApiClient, output: Output) -> None:
    tokens = api.get_json("/tokens")
    items = tokens.get("items", [])
    output.result(tokens, Rows(TOKEN_COLUMNS, items), lambda: tokens_sheet(items))


def revoke_token(api: ApiClient, output: Output, token_id: str) -> None:
    api.delete(f"/tokens/{quote(token_id, safe='')}")
    revoked = {"token_id": token_id, "revoked": True}
    output.result(
        revoked,
        Rows(("token_id", "revoked"), [revoked]),
        lambda: record_details("Token revoked", revoked, {"token_id": "Token id"}),
    )
