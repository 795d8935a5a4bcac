"""JSON bodies read by orjson (``agency.parsers.JSONParser``) give exactly the data DRF's own
parser gives, and the same errors: orjson reads only what it reads the same way."""

import io
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rest_framework import parsers as drf
from rest_framework.exceptions import ParseError
from rest_framework.settings import api_settings

from agency.parsers import JSONParser
from seats.apis.workloads import WorkloadViewSet

documents = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()  # past 64 bits too, which orjson would read as floats
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),  # lone surrogates too, written as \ud800 escapes below
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(), inner, max_size=5),
    max_leaves=30,
)


def _read(parser, body: bytes, charset: str | None = None):
    """What the parser reads (with its types), or the error it gives."""
    context = {} if charset is None else {"encoding": charset}
    try:
        return ("data", repr(parser.parse(io.BytesIO(body), "application/json", context)))
    except ParseError as error:
        return ("error", str(error.detail))


def _same(body: bytes, charset: str | None = None):
    ours = _read(JSONParser(), body, charset)
    assert ours == _read(drf.JSONParser(), body, charset)
    return ours


@settings(max_examples=300, deadline=None)
@given(documents, st.booleans())
def test_a_body_reads_as_drf_reads_it(document, ascii_only):
    _same(json.dumps(document, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass"))


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=40) | st.text(max_size=40).map(str.encode))
def test_any_bytes_read_or_fail_as_drf_reads_them(body):
    _same(body)


@pytest.mark.parametrize(
    "body",
    [
        b'{"inquiries": 123456789012345678901234567890}',
        b"[-9223372036854775809, 18446744073709551616]",
        b'{"sales_amount": 1e400}',
        b'["\\ud800"]',
        b'\xef\xbb\xbf{"a": 1}',  # a byte order mark
        b"[NaN]",
        b'{"a": 1, "a": 2}',
        '[{"agent": "王小明", "date": "2026-11-30", "inquiries": 420}]'.encode(),
        b"",
    ],
)
def test_what_orjson_would_read_otherwise_is_read_by_drf(body):
    _same(body)


def test_another_charset_is_read_by_drf():
    assert _same('["客服"]'.encode("gb18030"), "gb18030") == ("data", "['客服']")


def test_the_api_reads_json_with_this_parser():
    assert api_settings.DEFAULT_PARSER_CLASSES[0] is JSONParser
    assert JSONParser in WorkloadViewSet.bulk.kwargs["parser_classes"]
