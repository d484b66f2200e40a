"""`sam local invoke` and `sam local start-api` with the real SAM CLI, against a local stack of
their own: every events/ file, invoked twice, answers as two real requests (or deliveries) would,
and start-api serves the API behind the template's TOKEN authorizer.

It needs a Docker engine: this machine's, else the samlocal.sh harness's, started here when it is
found (see warehouse_devstack.sam_cli). Without either the module is skipped, with the reason in
the summary, or fails when WAREHOUSE_REQUIRE_SAM_LOCAL is set (CI sets it). Each invocation starts
a container (seconds), so they run a few at a time, in stages that keep the order the events need:
stock before the movements that take it, the count alone on its record.
"""

import json
import os
import re
import signal
import subprocess
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import boto3
import httpx
import pytest

from tests.support.event_files import EVENTS_DIR, event_files, function_for, load_event
from tests.support.event_samples import STREAM_SKU, seed_event_targets
from tests.support.local_stack import StackProcess, start_stack, stop_stack
from warehouse_devstack.backends.dynamodb_local import free_port, wait_for_port
from warehouse_devstack.sam_cli import LOCAL_BUILD_DIR, NoDockerEngine, SamCli, sam_cli
from warehouse_devstack.template import REPO_ROOT, Template
from warehouse_inventory.domain.stock import movement_id

# The whole module's invocations run in one fixture; `make sam-local` runs it apart, last.
pytestmark = [pytest.mark.sam_local, pytest.mark.timeout(1800)]

REQUIRED = "WAREHOUSE_REQUIRE_SAM_LOCAL"
# events/authorizer.json's token: the stack's admin token here
SAMPLE_TOKEN = "wh_example-local-admin-not-a-real-token"
ENV_VARS = REPO_ROOT / "devstack" / "sam-local-env.json"
SUMMARY = REPO_ROOT / "test-output" / "sam-local-invoke.txt"
START_API_SUMMARY = REPO_ROOT / "test-output" / "sam-local-start-api.txt"
REPORT_DURATION = re.compile(r"\tDuration: ([0-9.]+) ms")
PARALLEL_INVOKES = 3
INVOKE_TIMEOUT_SECONDS = 300
AUDIT_DEADLINE_SECONDS = 60
STAGES = [
    [  # the stream samples on empty tables (their own SKU), and what needs no stock
        *("projector.json", "stream_relay.json", "audit_consumer.json", "authorizer.json"),
        *("health.json", "docs.json", "create_token.json", "list_tokens.json"),
        *("revoke_token.json", "delete_item.json", "list_items.json", "list_movements.json"),
        *("low_stock_report.json", "locations_report.json", "restock.json", "me.json"),
        "batch_movements.json",  # a restock and a count, at locations of their own
    ],
    ["pick.json", "transfer.json", "put_item.json", "get_item.json"],  # WIDGET1 in stock
    ["adjust.json", "get_inventory.json", "list_inventory.json"],  # nothing else moves A-01
]
STATUSES = {  # the first and the second answer, as for two real requests
    "restock.json": (201, 201),
    "pick.json": (200, 200),  # the second replays the first (same Idempotency-Key)
    "transfer.json": (200, 200),
    "adjust.json": (200, 200),
    "batch_movements.json": (200, 200),  # restocks again; counts again (delta 0)
    "put_item.json": (200, 200),  # WIDGET1's item exists since its first restock
    "get_item.json": (200, 200),
    "list_items.json": (200, 200),
    "delete_item.json": (204, 404),
    "list_movements.json": (200, 200),
    "low_stock_report.json": (200, 200),
    "locations_report.json": (200, 200),
    "get_inventory.json": (200, 200),
    "list_inventory.json": (200, 200),
    "health.json": (200, 200),
    "docs.json": (200, 200),
    "create_token.json": (201, 201),
    "list_tokens.json": (200, 200),
    "revoke_token.json": (204, 404),
    "me.json": (200, 200),
}
BATCH_EVENTS = ["projector.json", "stream_relay.json", "audit_consumer.json"]
BROWSER_ORIGIN = "http://localhost:5173"

Answers = dict[str, list[dict[str, Any]]]


@pytest.fixture(scope="module")
def sam() -> SamCli:
    """The SAM CLI with a Docker engine, and the build it runs (once, when sources changed)."""
    try:
        cli = sam_cli()
    except NoDockerEngine as exc:
        if os.environ.get(REQUIRED):
            pytest.fail(f"{REQUIRED} is set, but: {exc}")
        pytest.skip(f"sam local invoke/start-api NOT TESTED: {exc}")
    build = subprocess.run(
        ["make", "--no-print-directory", "sam-local-build"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert build.returncode == 0, build.stdout[-3000:] + build.stderr[-3000:]
    assert (LOCAL_BUILD_DIR / "template.yaml").is_file()
    return cli


@pytest.fixture(scope="module")
def stack(sam: SamCli, tmp_path_factory: pytest.TempPathFactory) -> Iterator[StackProcess]:
    """After `sam`: the stack also serves SQS on the Docker bridge, once the engine made one."""
    stack = start_stack(tmp_path_factory.mktemp("sam-local-stack"), SAMPLE_TOKEN)
    yield stack
    stop_stack(stack)


@pytest.fixture(scope="module")
def env_vars(stack: StackProcess, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """devstack/sam-local-env.json with this stack's ports instead of `make run`'s."""
    document = json.loads(ENV_VARS.read_text())
    parameters = document["Parameters"]
    ports = {
        "AWS_ENDPOINT_URL_DYNAMODB": stack.dynamodb_port,
        "AWS_ENDPOINT_URL_SQS": stack.sqs_port,
    }
    for name, port in ports.items():
        url = urlsplit(parameters[name])
        parameters[name] = url._replace(netloc=f"{url.hostname}:{port}").geturl()
    parameters["ALLOWED_ORIGINS"] = BROWSER_ORIGIN  # for the preflight through start-api
    path = tmp_path_factory.mktemp("sam-local-env") / "env.json"
    path.write_text(json.dumps(document))
    return path


@pytest.fixture(scope="module")
def api(stack: StackProcess) -> Iterator[httpx.Client]:
    """The stack's own API, to look at what the invocations did."""
    headers = {"authorization": f"Bearer {SAMPLE_TOKEN}"}
    with httpx.Client(base_url=stack.base_url, headers=headers, timeout=10) as client:
        yield client


@dataclass(frozen=True)
class Invocation:
    answer: dict[str, Any]
    duration: str  # as SAM's REPORT line gives it: the function's time in its container

    def describe(self) -> str:
        answer = self.answer
        if "statusCode" in answer:
            outcome = str(answer["statusCode"])
        elif "batchItemFailures" in answer:
            outcome = f"batchItemFailures={len(answer['batchItemFailures'])}"
        else:  # the authorizer's policy
            effects = {statement["Effect"] for statement in answer["policyDocument"]["Statement"]}
            outcome = f"{'/'.join(sorted(effects))} role={answer['context']['role']}"
        return f"{outcome} ({self.duration})"


def invoke(sam: SamCli, function: str, event: str, env_vars: Path) -> Invocation:
    """One `sam local invoke`; its standard output is the function's answer."""
    command = sam.command("local", "invoke", function, "--event", str(EVENTS_DIR / event))
    command += ["--env-vars", str(env_vars)]
    result = subprocess.run(
        command,
        cwd=REPO_ROOT,
        env=sam.environment(),
        capture_output=True,
        text=True,
        timeout=INVOKE_TIMEOUT_SECONDS,
        check=False,
    )
    # SAM exits 0 with nothing on stdout when the function timed out or crashed.
    assert result.returncode == 0, f"{function} {event}:\n{result.stderr[-4000:]}"
    assert result.stdout.strip(), f"{function} {event}, no answer:\n{result.stderr[-4000:]}"
    report = REPORT_DURATION.search(result.stderr)
    return Invocation(json.loads(result.stdout), f"{report[1]} ms" if report else "?")


def invoke_twice(sam: SamCli, function: str, event: str, env_vars: Path) -> list[Invocation]:
    return [invoke(sam, function, event, env_vars) for _ in range(2)]


@pytest.fixture(scope="module")
def answers(sam: SamCli, stack: StackProcess, env_vars: Path, template: Template) -> Answers:
    """Every event file invoked twice (the second after the first), stage after stage."""
    dynamodb = boto3.session.Session().client(
        "dynamodb", endpoint_url=f"http://127.0.0.1:{stack.dynamodb_port}"
    )
    table, tokens = (
        str(template.resolve({"Ref": name})) for name in ["InventoryTable", "TokensTable"]
    )
    seed_event_targets(dynamodb, table, tokens)
    invocations: dict[str, list[Invocation]] = {}
    started = time.monotonic()
    with ThreadPoolExecutor(PARALLEL_INVOKES) as pool:
        for stage in STAGES:
            futures = {
                event: pool.submit(
                    invoke_twice, sam, function_for(template, event).logical_id, event, env_vars
                )
                for event in stage
            }
            invocations |= {event: future.result() for event, future in futures.items()}
    lines = [f"sam local invoke, every event twice, with {sam.engine}:"]
    for event in [event for stage in STAGES for event in stage]:
        function = function_for(template, event).logical_id
        outcomes = " then ".join(invocation.describe() for invocation in invocations[event])
        lines.append(f"  {function:<24} {event:<22} {outcomes}")
    lines.append(f"  {2 * len(invocations)} invocations in {time.monotonic() - started:.0f} s")
    SUMMARY.parent.mkdir(exist_ok=True)
    SUMMARY.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))  # noqa: T201 - shown with -s; also in test-output/
    results = {event: [run.answer for run in runs] for event, runs in invocations.items()}
    return results


def body(answer: dict[str, Any]) -> Any:
    return json.loads(answer["body"])


def test_the_stages_cover_every_event_file_once() -> None:
    staged = [event for stage in STAGES for event in stage]
    assert sorted(staged) == sorted(path.name for path in event_files())
    assert set(STATUSES) | set(BATCH_EVENTS) | {"authorizer.json"} == set(staged)


@pytest.mark.parametrize("event", sorted(STATUSES))
def test_api_event_answers_as_two_requests_would(event: str, answers: Answers) -> None:
    first, second = answers[event]
    assert (first["statusCode"], second["statusCode"]) == STATUSES[event], (first, second)
    request_id = load_event(event)["requestContext"]["requestId"]
    assert first["headers"]["x-request-id"] == second["headers"]["x-request-id"] == request_id


def test_a_replayed_restock_applies_again(answers: Answers) -> None:
    first, second = map(body, answers["restock.json"])
    assert (second["quantity"], second["version"]) == (first["quantity"] + 5, first["version"] + 1)


def test_a_replayed_pick_with_its_idempotency_key_answers_the_first_pick(answers: Answers) -> None:
    first, second = answers["pick.json"]
    assert body(second) == body(first)
    assert {name.lower(): value for name, value in second["headers"].items()}.get(
        "idempotent-replayed"
    ) == "true"


def test_a_replayed_transfer_moves_again(answers: Answers) -> None:
    """Only the transfer moves stock into B-02 (a pick may take from A-01 in between)."""
    first, second = map(body, answers["transfer.json"])
    assert second["destination"]["quantity"] == first["destination"]["quantity"] + 1
    assert second["source"]["quantity"] <= first["source"]["quantity"] - 1


def test_a_replayed_adjust_counts_again(answers: Answers) -> None:
    first, second = map(body, answers["adjust.json"])
    assert first["quantity"] == second["quantity"] == 10
    assert second["delta"] == 0


def test_a_replayed_batch_applies_again(answers: Answers) -> None:
    """Two invocations are two requests: the restock adds again, the count sets again."""
    first, second = (body(answer)["results"] for answer in answers["batch_movements.json"])
    assert second[0]["quantity"] == first[0]["quantity"] + 4
    assert second[0]["version"] == first[0]["version"] + 1
    assert first[1]["quantity"] == second[1]["quantity"] == 6
    assert second[1]["delta"] == 0


def test_a_replayed_token_request_issues_a_second_token(answers: Answers) -> None:
    first, second = map(body, answers["create_token.json"])
    assert first["token_id"] != second["token_id"]


def test_the_authorizer_allows_the_token_the_stack_knows(
    answers: Answers, api: httpx.Client
) -> None:
    """events/authorizer.json carries the stack's admin token (WAREHOUSE_ADMIN_TOKEN)."""
    tokens = api.get("/tokens").json()["items"]
    (admin,) = [token["token_id"] for token in tokens if token["name"] == "bootstrap-admin"]
    method_arn = load_event("authorizer.json")["methodArn"]
    for answer in answers["authorizer.json"]:
        assert answer["principalId"] == admin
        assert answer["context"]["role"] == "admin"
        (statement,) = answer["policyDocument"]["Statement"]
        assert statement["Effect"] == "Allow"
        assert method_arn in statement["Resource"]


@pytest.mark.parametrize("event", BATCH_EVENTS)
def test_stream_and_queue_events_report_no_failures(event: str, answers: Answers) -> None:
    assert answers[event] == [{"batchItemFailures": []}] * 2


def test_the_projector_event_projects_its_change_once(answers: Answers, api: httpx.Client) -> None:
    """The sample's newest version (quantity 3) at C-03, taken in once for two deliveries."""
    lines = api.get("/reports/locations").json()["items"]
    assert [line for line in lines if line["location_code"] == "C-03"] == [
        {"location_code": "C-03", "sku_count": 1, "total_quantity": 3}
    ]


def relayed_movement_ids() -> set[str]:
    images = [
        record["dynamodb"]["NewImage"] for record in load_event("stream_relay.json")["Records"]
    ]
    return {
        movement_id(image["sku"]["S"], image["location_code"]["S"], int(image["version"]["N"]))
        for image in images
    }


def test_relayed_and_consumed_movements_reach_the_audit_log_once(
    answers: Answers, api: httpx.Client
) -> None:
    """The relay's messages reach the audit log through the stack's queue and consumer; the
    consumer event's through the invoked consumer. Each movement once, though delivered twice."""
    consumed = {
        json.loads(record["body"])["movement_id"]
        for record in load_event("audit_consumer.json")["Records"]
    }
    expected = relayed_movement_ids() | consumed
    assert len(expected) == 4 and relayed_movement_ids().isdisjoint(consumed)
    deadline = time.monotonic() + AUDIT_DEADLINE_SECONDS
    while True:
        page = api.get("/reports/movements", params={"sku": STREAM_SKU, "limit": 100}).json()
        logged = [movement["movement_id"] for movement in page["items"]]
        if set(logged) >= expected or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert sorted(logged) == sorted(expected)


def test_start_api_serves_the_api_behind_the_token_authorizer(
    sam: SamCli, stack: StackProcess, env_vars: Path, api: httpx.Client, tmp_path: Path
) -> None:
    port = free_port()
    command = sam.command("local", "start-api", "--port", str(port), "--env-vars", str(env_vars))
    log = tmp_path / "start-api.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            command,
            cwd=REPO_ROOT,
            env=sam.environment(),
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, stopped as one below
        )
    try:
        wait_for_port(port, timeout=120, alive=lambda: process.poll() is None)
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=180) as client:
            assert client.get("/health").status_code == 200, log.read_text()[-3000:]
            token = {"authorization": f"Bearer {SAMPLE_TOKEN}"}
            restock = {"sku": "SAMAPI1", "quantity": 3, "location_code": "A-01"}
            allowed = client.post("/inventory/restock", json=restock, headers=token)
            assert allowed.status_code == 201, allowed.text + log.read_text()[-3000:]
            assert allowed.json()["quantity"] == 3
            refused = client.post("/inventory/restock", json=restock | {"sku": "SAMAPI2"})
            assert refused.status_code == 401, refused.text
            # The preflight route of the same path and function has no authorizer (see
            # devstack/sam_entry.py): the function answers it.
            preflight = {"origin": BROWSER_ORIGIN, "access-control-request-method": "POST"}
            options = client.options("/inventory/restock", headers=preflight)
            assert options.status_code == 200, options.text
            assert options.headers["access-control-allow-origin"] == BROWSER_ORIGIN
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    assert api.get("/inventory/SAMAPI1").json()["total_quantity"] == 3  # in the stack's table
    assert api.get("/inventory/SAMAPI2").status_code == 404  # the refused one wrote nothing
    START_API_SUMMARY.parent.mkdir(exist_ok=True)
    START_API_SUMMARY.write_text(
        "sam local start-api: GET /health 200, restock 201, without a token 401, preflight 200\n"
    )
