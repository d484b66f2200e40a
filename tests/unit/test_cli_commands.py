"""A warehouse's day with the `warehouse` CLI against an in-memory API: one movement per
command with its Idempotency-Key (never applied twice by a re-run with the printed key), items,
tokens and whoami, as tables, JSON and CSV."""

import io
import json
import re
from collections.abc import Callable

import httpx
import pytest

from tests.support.cli_fake_api import BASE_URL, FakeWarehouse
from warehouse_cli.app import run

ENV = {"WAREHOUSE_URL": BASE_URL, "WAREHOUSE_TOKEN": "tok"}
KEY_NOTE = re.compile(r"Idempotency-Key: (cli-[0-9a-f]{32})\n")


def cli(
    api: FakeWarehouse | httpx.BaseTransport, *argv: str, width: int = 200
) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    transport = api.transport() if isinstance(api, FakeWarehouse) else api
    code = run(list(argv), env=ENV, stdout=out, stderr=err, transport=transport, width=width)
    return code, out.getvalue(), err.getvalue()


def posted(api: FakeWarehouse, path: str) -> list[httpx.Request]:
    return [r for r in api.requests if r.method == "POST" and r.url.path == path]


def body_of(request: httpx.Request) -> object:
    return json.loads(request.content)


# One movement per command


def test_restock_prints_the_level_after_and_the_key_it_used() -> None:
    api = FakeWarehouse()
    code, out, err = cli(api, "restock", "BOLT7", "40", "--location", "A-01", "--reference", "PO-1")
    assert code == 0, err
    assert "Restocked BOLT7" in out
    assert re.search(r"BOLT7 .* A-01 .* 40 .* 1 ", out)
    (request,) = posted(api, "/inventory/restock")
    assert body_of(request) == {
        "sku": "BOLT7",
        "quantity": 40,
        "location_code": "A-01",
        "reference": "PO-1",
    }
    key = KEY_NOTE.search(err)
    assert key and request.headers["idempotency-key"] == key[1]


def test_each_run_gets_a_new_key_so_two_identical_picks_are_two_picks() -> None:
    api = FakeWarehouse(stock={("BOLT7", None): 10}, versions={("BOLT7", None): 1})
    assert cli(api, "pick", "BOLT7", "3")[0] == 0
    assert cli(api, "pick", "BOLT7", "3")[0] == 0
    keys = [r.headers["idempotency-key"] for r in posted(api, "/inventory/pick")]
    assert len(set(keys)) == 2
    assert api.stock[("BOLT7", None)] == 4


def test_the_same_key_again_is_a_replay_that_says_so_and_changes_nothing() -> None:
    api = FakeWarehouse(stock={("BOLT7", "A-01"): 10}, versions={("BOLT7", "A-01"): 1})
    pick = ["pick", "BOLT7", "3", "--location", "A-01", "--idempotency-key", "SO-77"]
    first = cli(api, *pick, "--json")
    second = cli(api, *pick, "--json")
    assert (first[0], second[0]) == (0, 0)
    assert json.loads(first[1]) == json.loads(second[1])  # the first answer, replayed
    assert "Idempotency-Key: SO-77" in first[2]
    assert "Replayed" in second[2] and "nothing changed" in second[2]
    assert api.stock[("BOLT7", "A-01")] == 7


def test_an_answer_lost_for_good_tells_how_to_settle_it_without_applying_twice() -> None:
    api = FakeWarehouse(stock={("BOLT7", None): 10}, versions={("BOLT7", None): 1})
    lost: list[httpx.Request] = []

    def applied_then_lost(request: httpx.Request) -> httpx.Response:
        api.handle(request)
        lost.append(request)
        raise httpx.ReadTimeout("no answer", request=request)

    code, out, err = cli(
        httpx.MockTransport(applied_then_lost), "--retries", "0", "pick", "BOLT7", "4"
    )
    assert (code, out) == (3, "")
    advice = re.search(r"Run the same command with --idempotency-key (cli-[0-9a-f]{32})", err)
    assert advice, err
    assert advice[1] == lost[0].headers["idempotency-key"]
    assert api.stock[("BOLT7", None)] == 6

    code, _, err = cli(api, "pick", "BOLT7", "4", "--idempotency-key", advice[1])
    assert code == 0 and "Replayed" in err
    assert api.stock[("BOLT7", None)] == 6  # applied once


def test_a_lost_answer_is_retried_with_the_same_key_and_applied_once() -> None:
    api = FakeWarehouse()
    attempts: list[httpx.Request] = []

    def first_answer_lost(request: httpx.Request) -> httpx.Response:
        attempts.append(request)
        response = api.handle(request)
        if len(attempts) == 1:
            raise httpx.ReadTimeout("no answer", request=request)
        return response

    code, _, err = cli(httpx.MockTransport(first_answer_lost), "restock", "NUT3", "5")
    assert code == 0, err
    assert len({r.headers["idempotency-key"] for r in attempts}) == 1
    assert api.stock[("NUT3", None)] == 5


def test_a_refused_movement_changes_nothing_and_gives_no_key_advice() -> None:
    api = FakeWarehouse(stock={("BOLT7", None): 2}, versions={("BOLT7", None): 1})
    code, out, err = cli(api, "pick", "BOLT7", "5")
    assert (code, out) == (1, "")
    assert "insufficient_stock" in err and "HTTP 409" in err
    assert "--idempotency-key" not in err
    assert api.stock[("BOLT7", None)] == 2


def test_transfer_of_unassigned_stock_sends_an_explicit_null() -> None:
    api = FakeWarehouse(stock={("BOLT7", None): 12}, versions={("BOLT7", None): 1})
    code, out, err = cli(api, "transfer", "BOLT7", "5", "--to", "B-02")
    assert code == 0, err
    (request,) = posted(api, "/inventory/transfer")
    assert body_of(request) == {
        "sku": "BOLT7",
        "quantity": 5,
        "from_location": None,
        "to_location": "B-02",
    }
    assert re.search(r"from .* \(unassigned\) .* 7 ", out)
    assert re.search(r"to .* B-02 .* 5 ", out)
    code, out, _ = cli(api, "transfer", "BOLT7", "1", "--from", "B-02", "--csv")
    rows = out.splitlines()
    assert rows[0] == "side,id,sku,location_code,quantity,version,updated_at"
    assert [row.split(",")[:5:3] for row in rows[1:]] == [["from", "B-02"], ["to", ""]]


def test_adjust_takes_a_reason_from_the_contract_s_list() -> None:
    api = FakeWarehouse(stock={("BOLT7", "A-01"): 25}, versions={("BOLT7", "A-01"): 3})
    code, _, err = cli(api, "adjust", "BOLT7", "24", "--location", "A-01", "--reason", "broken")
    assert code == 2 and "invalid choice: 'broken'" in err
    assert api.requests == []
    code, out, err = cli(
        api, "adjust", "BOLT7", "24", "--location", "A-01", "--reason", "damaged", "--json"
    )
    assert code == 0, err
    assert json.loads(out)["delta"] == -1
    (request,) = posted(api, "/inventory/adjust")
    assert body_of(request) == {
        "sku": "BOLT7",
        "counted_quantity": 24,
        "reason": "damaged",
        "location_code": "A-01",
    }


@pytest.mark.parametrize(
    ("argv", "complaint"),
    [
        (["restock", "bolt7", "1"], "sku 'bolt7' must be 3-20 characters"),
        (["restock", "BOLT7", "0"], "quantity 0 must be between 1 and 1,000,000"),
        (["pick", "BOLT7", "1", "--location", "A_01"], "location_code 'A_01' must be"),
        (["restock", "BOLT7", "1", "--idempotency-key", "a b"], "visible ASCII characters"),
        (["adjust", "BOLT7", "-1", "--reason", "lost"], "quantity -1 must be between 0"),
        (["transfer", "BOLT7", "1", "--from", ""], "a location code cannot be empty"),
    ],
)
def test_bad_arguments_send_nothing(argv: list[str], complaint: str) -> None:
    api = FakeWarehouse()
    code, out, err = cli(api, *argv)
    assert (code, out) == (2, "")
    assert complaint in err
    assert api.requests == []


# Items


def test_items_put_creates_an_item_and_needs_a_name_for_it() -> None:
    api = FakeWarehouse()
    code, _, err = cli(api, "items", "put", "GEAR9", "--unit", "box")
    assert code == 2 and "--name is needed" in err
    assert [r.method for r in api.requests] == ["GET"]
    code, out, err = cli(api, "items", "put", "GEAR9", "--name", "Gear", "--unit", "box", "--json")
    assert code == 0, err
    created = json.loads(out)
    assert (created["name"], created["unit"], created["reorder_point"], created["version"]) == (
        "Gear",
        "box",
        0,
        1,
    )


def test_items_put_changes_only_the_fields_given_if_still_the_version_read() -> None:
    api = FakeWarehouse()
    cli(api, "items", "put", "GEAR9", "--name", "Gear", "--description", "Steel", "--unit", "box")
    code, out, err = cli(api, "items", "put", "GEAR9", "--reorder-point", "10", "--csv")
    assert code == 0, err
    assert api.items["GEAR9"] | {"created_at": "", "updated_at": ""} == {
        "sku": "GEAR9",
        "name": "Gear",
        "description": "Steel",
        "unit": "box",
        "reorder_point": 10,
        "version": 2,
        "created_at": "",
        "updated_at": "",
    }
    put = [r for r in api.requests if r.method == "PUT"][-1]
    assert put.headers["if-match"] == '"1"'
    assert (
        out.splitlines()[0]
        == "sku,name,description,unit,reorder_point,created_at,updated_at,version"
    )


def test_items_put_with_an_old_version_is_refused() -> None:
    api = FakeWarehouse()
    cli(api, "items", "put", "GEAR9", "--name", "Gear")
    cli(api, "items", "put", "GEAR9", "--name", "Gear 2")
    code, _, err = cli(api, "items", "put", "GEAR9", "--name", "Gear 3", "--if-match", "1")
    assert code == 1 and "precondition_failed" in err and "HTTP 412" in err
    assert api.items["GEAR9"]["name"] == "Gear 2"


def test_items_get_list_and_delete() -> None:
    api = FakeWarehouse()
    for n in range(5):
        cli(api, "items", "put", f"GEAR{n}", "--name", f"Gear {n}")
    code, out, _ = cli(api, "items", "get", "GEAR3")
    assert code == 0 and "Gear 3" in out
    code, out, err = cli(api, "items", "list", "--limit", "2", "--json")
    page = json.loads(out)
    assert [item["sku"] for item in page["items"]] == ["GEAR0", "GEAR1"]
    assert page["next_cursor"] == "c2" and "--cursor c2" in err
    code, out, _ = cli(api, "items", "list", "--cursor", "c2", "--csv")
    assert [row.split(",")[0] for row in out.splitlines()] == ["sku", "GEAR2", "GEAR3", "GEAR4"]
    assert cli(api, "items", "delete", "GEAR3")[0] == 0
    code, _, err = cli(api, "items", "get", "GEAR3")
    assert code == 1 and "not_found" in err


def test_an_item_with_stock_is_not_deleted() -> None:
    api = FakeWarehouse()
    cli(api, "restock", "BOLT7", "1")
    code, out, err = cli(api, "items", "delete", "BOLT7")
    assert (code, out) == (1, "")
    assert "conflict" in err
    assert "BOLT7" in api.items


# Tokens and whoami


def test_tokens_create_shows_the_secret_once_and_list_never_does() -> None:
    api = FakeWarehouse()
    code, out, err = cli(api, "tokens", "create", "picker-1", "--role", "operator")
    assert code == 0, err
    assert "wh_secret-1" in out and "shown once" in out
    assert "Store the token now" in err
    code, out, _ = cli(api, "tokens", "list", "--json")
    (token,) = json.loads(out)["items"]
    assert token["name"] == "picker-1" and "token" not in token
    code, out, _ = cli(api, "tokens", "list", "--csv")
    assert out.splitlines() == [
        "token_id,name,role,created_at",
        f"{token['token_id']},picker-1,operator,{token['created_at']}",
    ]
    assert cli(api, "tokens", "revoke", token["token_id"])[0] == 0
    assert api.tokens == {}
    code, _, err = cli(api, "tokens", "revoke", token["token_id"])
    assert code == 1 and "not_found" in err


def test_tokens_create_takes_only_the_contract_s_roles() -> None:
    api = FakeWarehouse()
    code, _, err = cli(api, "tokens", "create", "x", "--role", "root")
    assert code == 2 and "invalid choice: 'root'" in err
    assert api.requests == []


def test_whoami_names_the_calling_token() -> None:
    api = FakeWarehouse()
    code, out, _ = cli(api, "whoami")
    assert code == 0
    assert "tok_0" in out and "tester" in out and "admin" in out
    assert json.loads(cli(api, "whoami", "--json")[1]) == api.caller
    assert cli(api, "whoami", "--csv")[1] == "token_id,name,role\ntok_0,tester,admin\n"


# The day, in order


Step = tuple[list[str], Callable[[str], bool]]


def one_transfer_in(table: str) -> bool:
    return "transfer_in" in table and "restock" not in table and " 1 movement " in table


def test_a_day_in_the_warehouse() -> None:
    api = FakeWarehouse()
    steps: list[Step] = [
        (
            ["items", "put", "BOLT7", "--name", "Bolt M7", "--reorder-point", "30"],
            lambda o: "Bolt M7" in o,
        ),
        (["restock", "BOLT7", "40", "--location", "A-01"], lambda o: "40" in o),
        (["pick", "BOLT7", "15", "--location", "A-01"], lambda o: "25" in o),
        (["transfer", "BOLT7", "5", "--from", "A-01", "--to", "B-02"], lambda o: "B-02" in o),
        (
            ["adjust", "BOLT7", "19", "--location", "A-01", "--reason", "cycle_count"],
            lambda o: "-1" in o,
        ),
        (["report", "low-stock"], lambda o: "BOLT7" in o and "24" in o),
        (["movements", "--sku", "BOLT7", "--type", "transfer_in"], one_transfer_in),
    ]
    for argv, shows in steps:
        code, out, err = cli(api, *argv)
        assert code == 0, (argv, err)
        assert shows(out), (argv, out)
    assert api.stock == {("BOLT7", "A-01"): 19, ("BOLT7", "B-02"): 5}
