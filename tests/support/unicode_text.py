"""Hypothesis strategies for text that probes Unicode's edges: arbitrary code points mixed with
the boundaries of what SQS, UTF-8 and the API's free-text rule refuse (controls, surrogates,
noncharacters in several planes)."""

from hypothesis import strategies as st

EDGES = (
    "\x00\x08\t\n\x0b\x0c\r\x0e\x1f\x20\x7e\x7f\x85\x9f\xa0\ud7ff\ud800\udbff\udc00\udfff\ue000"
    "\ufdcf\ufdd0\ufdef\ufdf0\ufffd\ufffe\uffff\U00010000\U0001fffd\U0001fffe\U0001ffff"
    "\U000efffe\U0010fffd\U0010fffe\U0010ffff"
)
UTF8_EDGES = "".join(char for char in EDGES if not 0xD800 <= ord(char) <= 0xDFFF)


def text_of(
    characters: st.SearchStrategy[str], edges: str, max_size: int | None = None
) -> st.SearchStrategy[str]:
    """About half the characters from `edges` (a list joined: st.text draws them too rarely)."""
    choice = st.one_of(st.sampled_from(edges), characters)
    return st.lists(choice, min_size=1, max_size=max_size).map("".join)


# Any str, lone surrogates included (JSON can spell one; json.loads makes a str of it).
any_text = text_of(st.characters(exclude_categories=[]), EDGES)
# What a stock record can hold: DynamoDB stores UTF-8, which has no lone surrogates.
stored_text = text_of(st.characters(exclude_categories=["Cs"]), UTF8_EDGES)
