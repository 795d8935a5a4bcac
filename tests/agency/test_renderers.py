"""The API's JSON written by orjson (``agency.renderers.JSONRenderer``) is DRF's JSON byte for
byte, whatever the data; what orjson cannot write the same is written by DRF itself."""

import datetime as dt
import json
import uuid
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils.translation import gettext_lazy, override
from hypothesis import given, settings
from hypothesis import strategies as st
from rest_framework import renderers as drf

from agency.renderers import JSONRenderer

SHANGHAI = ZoneInfo("Asia/Shanghai")

text = st.text(st.characters(exclude_categories=["Cs"]))  # any Unicode but lone surrogates
moments = st.datetimes(
    min_value=dt.datetime(1900, 1, 1),
    max_value=dt.datetime(2100, 1, 1),
    timezones=st.sampled_from([None, dt.UTC, SHANGHAI, dt.timezone(dt.timedelta(hours=-3))]),
)
scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**64 - 1)
    | text
    | st.sampled_from(["客服\u2028交接", "a\u2029b", '"\\/\b\f\n\r\t\x00\x1f\x7f', "😀"])
    | st.decimals(allow_nan=False, allow_infinity=False, places=2)
    | moments
    | st.dates()
    | st.times()
    | st.uuids()
    | st.just(gettext_lazy("Invalid token."))
)
documents = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=5)
        | st.tuples(inner, inner)
        | st.dictionaries(text, inner, max_size=5)
    ),
    max_leaves=30,
)


def _drf(data, media_type=None) -> bytes:
    return drf.JSONRenderer().render(data, media_type)


@settings(max_examples=300, deadline=None)
@given(documents)
def test_the_renderer_writes_drfs_json_byte_for_byte(data):
    assert JSONRenderer().render(data) == _drf(data)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_lazy_translations_are_written_in_the_active_language(language):
    with override(language):
        data = {"detail": gettext_lazy("Invalid token."), "when": dt.date(2026, 11, 30)}
        assert JSONRenderer().render(data) == _drf(data)
        assert json.loads(JSONRenderer().render(data))["detail"] == str(data["detail"])


@pytest.mark.parametrize(
    "data",
    [
        {1: "keys that are not strings", 2.5: "b", None: "c", False: "d"},
        {"beyond 64 bits": 2**70, "below": -(2**64)},
        {"bytes": b"abc", "set": {3, 1, 2}, "float subclass": type("F", (float,), {})(1.5)},
    ],
    ids=["keys", "big-ints", "others"],
)
def test_what_orjson_refuses_is_written_by_drf(data):
    assert JSONRenderer().render(data) == _drf(data)


def test_what_drf_refuses_is_refused_the_same_way():
    for data in ({"lone surrogate": "\ud800"}, {"object": object()}):
        with pytest.raises(Exception) as drfs:
            _drf(data)
        with pytest.raises(drfs.type):
            JSONRenderer().render(data)


def test_indented_json_is_drfs_own():
    data = {"shop": "客服", "lines": [1, 2]}
    asked = "application/json; indent=4"
    assert JSONRenderer().render(data, asked) == _drf(data, asked)
    assert b"\n    " in JSONRenderer().render(data, asked)
    assert JSONRenderer().render(
        data, "application/json", {"indent": 2}
    ) == drf.JSONRenderer().render(data, "application/json", {"indent": 2})


def test_no_data_is_no_body():
    assert JSONRenderer().render(None) == b""


def test_floats_are_the_same_numbers():
    """The API writes no floats (money and ratios are decimal strings); were one written, it
    would be the same number, a very small one spelt without an exponent."""
    data = {"values": [0.1, 1.5, 1e-05, 2.5e-07, 1e16, 123456789.0]}
    assert json.loads(JSONRenderer().render(data)) == json.loads(_drf(data))


def test_uuids_dates_and_times_as_drf_writes_them():
    data = {
        "id": uuid.UUID("12345678-1234-5678-1234-567812345678"),
        "utc": dt.datetime(2026, 11, 30, 1, 2, 3, 4000, tzinfo=dt.UTC),
        "local": dt.datetime(2026, 11, 30, 9, 2, 3, tzinfo=SHANGHAI),
        "naive": dt.datetime(2026, 11, 30, 9, 2, 3),
        "day": dt.date(2026, 11, 30),
        "time": dt.time(17, 0),
        "amount": Decimal("1500.00"),
    }
    written = JSONRenderer().render(data)
    assert written == _drf(data)
    assert b'"utc":"2026-11-30T01:02:03.004000Z"' in written
