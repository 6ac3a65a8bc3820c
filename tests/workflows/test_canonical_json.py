"""The one canonical JSON (RFC 8785, JCS) against the RFC's own examples."""

import math
import struct

import pytest

from workflows.canonical_json import canonical_json, canonical_sha256


def from_ieee(bits: str) -> float:
    value: float = struct.unpack(">d", bytes.fromhex(bits))[0]
    return value


def test_rfc_8785_section_3_2_2_example() -> None:
    value = {
        "numbers": [333333333.33333329, 1e30, 4.50, 2e-3, 0.000000000000000000000000001],
        "string": "\u20ac$\u000f\u000aA'\u0042\u0022\u005c\\\"/",
        "literals": [None, True, False],
    }
    expected = (
        '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],'
        '"string":"\u20ac$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}'
    )
    assert canonical_json(value) == expected.encode("utf-8")


def test_rfc_8785_section_3_2_3_keys_sort_by_utf16_code_units() -> None:
    value = {
        "\u20ac": "Euro Sign",
        "\r": "Carriage Return",
        "\ufb33": "Hebrew Letter Dalet With Dagesh",
        "1": "One",
        "\U0001f600": "Emoji: Grinning Face",
        "\u0080": "Control",
        "\u00f6": "Latin Small Letter O With Diaeresis",
    }
    order = [v for _, v in sorted(value.items(), key=lambda kv: kv[0].encode("utf-16-be"))]
    assert order == [
        "Carriage Return",
        "One",
        "Control",
        "Latin Small Letter O With Diaeresis",
        "Euro Sign",
        "Emoji: Grinning Face",  # a surrogate pair sorts before U+FB33
        "Hebrew Letter Dalet With Dagesh",
    ]
    text = canonical_json(value).decode("utf-8")
    positions = [text.index(f'"{v}"') for v in order]
    assert positions == sorted(positions)


@pytest.mark.parametrize(
    ("bits", "written"),
    [
        ("0000000000000000", "0"),
        ("8000000000000000", "0"),
        ("0000000000000001", "5e-324"),
        ("7fefffffffffffff", "1.7976931348623157e+308"),
        ("4340000000000000", "9007199254740992"),
        ("444b1ae4d6e2ef50", "1e+21"),
        ("3eb0c6f7a0b5ed8d", "0.000001"),
    ],
)
def test_rfc_8785_appendix_b_numbers(bits: str, written: str) -> None:
    assert canonical_json(from_ieee(bits)) == written.encode()


def test_a_whole_float_is_written_as_an_integer() -> None:
    assert canonical_json({"x": 100.0, "y": [1.0, -2.5]}) == b'{"x":100,"y":[1,-2.5]}'


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf, 2**53 + 1])
def test_what_jcs_cannot_write_exactly_is_refused(value: float) -> None:
    with pytest.raises(ValueError):
        canonical_json({"v": value})


def test_the_hash_is_sha256_of_the_bytes() -> None:
    # sha256(b'{"a":1}')
    assert (
        canonical_sha256({"a": 1.0})
        == "015abd7f5cc57a2dd94b7590f04ad8084273905ee33ec5cebeae62276a97f862"
    )
