"""Body measurements in shoppers' words become metric numbers with the right body part."""

from __future__ import annotations

from typing import List, Tuple

import pytest

from storefront.nlu.measurements import Measurement, parse_measurements


def found(text: str) -> List[Tuple[str, str, str]]:
    return [(m.entity, m.text, m.normalized) for m in parse_measurements(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("i'm 5'10\" and need a jacket", [("height", "5'10\"", "177.8 cm")]),
        ("5 ft 10", [("height", "5 ft 10", "177.8 cm")]),
        ("I am 5 foot 4", [("height", "5 foot 4", "162.6 cm")]),
        ("6'", [("height", "6'", "182.9 cm")]),
        ("5\u201910\u201d", [("height", "5\u201910\u201d", "177.8 cm")]),
        ("178cm", [("height", "178cm", "178 cm")]),
        ("1.78 m", [("height", "1.78 m", "178 cm")]),
        ("1,65m", [("height", "1,65m", "165 cm")]),
        ("70kg", [("weight", "70kg", "70 kg")]),
        ("154 lbs", [("weight", "154 lbs", "69.9 kg")]),
        ("i weigh 130 pounds", [("weight", "130 pounds", "59 kg")]),
        ("11 stone", [("weight", "11 stone", "69.9 kg")]),
        ("32 waist", [("waist", "32", "81.3 cm")]),
        ("waist 81 cm", [("waist", "81 cm", "81 cm")]),
        ("my waist is 30", [("waist", "30", "76.2 cm")]),
        ("40 inch chest", [("chest", "40 inch", "101.6 cm")]),
        ("chest is 38 inches", [("chest", "38 inches", "96.5 cm")]),
        ("my chest is 102cm", [("chest", "102cm", "102 cm")]),
        ("27 cm foot", [("foot_length", "27 cm", "27 cm")]),
        ("foot length 26.5cm", [("foot_length", "26.5cm", "26.5 cm")]),
        ("i'm 6 ft 1 and 90kg", [("height", "6 ft 1", "185.4 cm"), ("weight", "90kg", "90 kg")]),
        ("I'm 180cm tall with a 102cm chest", [("height", "180cm", "180 cm"), ("chest", "102cm", "102 cm")]),
    ],
)
def test_measurements_are_parsed_into_metric_values(text: str, expected: List[Tuple[str, str, str]]) -> None:
    assert found(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "free shipping over 50 pounds",  # money
        "size 10 in black",  # "10 in" is not ten inches
        "order 1001",
        "is 32/32 in levis a good fit",
        "ship it in 3 days",
        "27cm",  # a length with no body part and not a plausible height
    ],
)
def test_numbers_that_are_not_measurements_are_ignored(text: str) -> None:
    assert found(text) == []


def test_measurement_keeps_what_the_shopper_wrote() -> None:
    (height,) = parse_measurements("she is 5'4\"")
    assert height == Measurement(
        entity="height",
        start=7,
        end=11,
        text="5'4\"",
        value=162.6,
        unit="cm",
        source_value=5.333,
        source_unit="ft",
    )
    (weight,) = parse_measurements("about 154lbs")
    assert (weight.value, weight.unit, weight.source_value, weight.source_unit) == (69.9, "kg", 154.0, "lb")
