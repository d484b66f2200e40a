"""The rule the documented examples' output is compared by (tests/support/doc_examples.py):
`…` for what varies, JSON compared by keys and value types, never by spacing."""

from pathlib import Path

import pytest

from tests.support.doc_examples import examples_of, mismatch

RESTOCKED = (
    '{"id":4548196308053134,"sku":"WIDGET1","quantity":5,"location_code":null,'
    '"updated_at":"2026-12-07T05:16:14.002182Z","version":1}'
)
SHOWN = '{"id":…,"sku":"WIDGET1","quantity":5,"location_code":null,"updated_at":"…Z","version":1}'


def test_a_json_block_matches_by_keys_and_value_types() -> None:
    assert mismatch(SHOWN, RESTOCKED, "json") is None
    assert mismatch(SHOWN.replace(" ", ""), RESTOCKED.replace(",", ", "), "json") is None


@pytest.mark.parametrize(
    ("actual", "why"),
    [
        (RESTOCKED.replace('"version":1', '"version":2'), "$.version: 1 expected, found 2"),
        (RESTOCKED.replace('"id":4548196308053134', '"id":"4548"'), "$.id: a number expected"),
        (RESTOCKED.replace('"quantity":5,', ""), "keys missing ['quantity']"),
        (RESTOCKED.replace("}", ',"delta":1}'), "keys not shown ['delta']"),
        (RESTOCKED.replace("Z", "+00:00"), "$.updated_at: a string like '…Z' expected"),
        (RESTOCKED.replace("null", '"A-01"'), "$.location_code: None expected"),
        (RESTOCKED.replace('"version":1', '"version":true'), "$.version: 1 expected"),
        ("HTTP/1.1 201 Created", "not one JSON document"),
    ],
)
def test_a_json_block_refuses_another_shape(actual: str, why: str) -> None:
    found = mismatch(SHOWN, actual, "json")
    assert found is not None and why in found


def test_open_objects_and_arrays() -> None:
    shown = '{"items": [{"location_code": null, "sku_count": …, "…": …}, …]}'
    actual = '{"items": [{"location_code": null, "sku_count": 1, "total_quantity": 4}, {}]}'
    assert mismatch(shown, actual, "json") is None
    assert mismatch(shown, '{"items": []}', "json") == "$.items: 1+ elements expected, found 0"
    closed = '{"items": [{"location_code": null, "sku_count": …}]}'
    assert "2 elements" not in (mismatch(closed, actual, "json") or "")
    assert mismatch(closed, actual, "json") is not None


def test_a_text_block_matches_line_by_line_with_wildcards() -> None:
    shown = "HTTP/1.1 401 Unauthorized\n…\nx-request-id: …\n…\n"
    actual = "HTTP/1.1 401 Unauthorized\r\nServer: x\r\nx-request-id: 62ae\r\n\r\n{}\n"
    assert mismatch(shown, actual, "text") is None
    assert mismatch(shown, actual.replace("401 Unauthorized", "200 OK"), "text") == (
        "expected line 1 'HTTP/1.1 401 Unauthorized' does not match 'HTTP/1.1 200 OK'"
    )
    assert mismatch("a\nb", "a\nb\nc", "text") == "output goes on after the expected lines: 'c'"
    assert mismatch("a\n…\nb", "a\nb", "text") is None  # … stands for no line too
    assert mismatch("a\nb", "a\nx\nb", "text") is not None
    assert mismatch("  applied   5", "  applied   5   ", "text") is None  # trailing spaces


def test_a_json_line_in_a_text_block_is_compared_as_json() -> None:
    shown = (
        'x-request-id: …\n{"error": {"code": "unauthorized", "details": null}, "request_id": "…"}'
    )
    actual = 'x-request-id: 1\n{"error":{"code":"unauthorized","details":null},"request_id":"1"}'
    assert mismatch(shown, actual, "text") is None
    assert mismatch(shown, actual.replace("unauthorized", "forbidden"), "text") is not None


def test_examples_are_read_with_their_tags_and_output_blocks(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(
        "Intro\n\n```sh\ncurl -s x\n```\n\n```json\n{}\n```\n\n"
        "```sh exit-2 needs-aws\nwarehouse \\\n  stock X\n```\n\nText.\n\n```text\nlater\n```\n"
    )
    first, second = examples_of(page)
    assert (first.line, first.command, first.language, first.expected) == (
        3,
        "curl -s x",
        "json",
        "{}\n",
    )
    assert (first.exit_status, first.not_run_because) == (0, None)
    assert (second.line, second.command, second.language) == (11, "warehouse    stock X", None)
    assert (second.exit_status, second.not_run_because, second.unknown_tags) == (
        2,
        "needs-aws",
        set(),
    )
