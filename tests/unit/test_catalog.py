"""Catalog validation: each kind of look-for accepts exactly its values."""

from __future__ import annotations

import pytest

from walkthrough.catalog import DEFAULT_CATALOG, catalog
from walkthrough.errors import DomainError


def validate(key: str, value: str | int, method: str | None = None,
             present: int | None = None) -> None:
    DEFAULT_CATALOG.item(key).validate(value, method, present)


def test_version_one_has_the_fifteen_look_fors_of_the_domain() -> None:
    assert catalog(1).version == 1
    assert [item.key for item in catalog(1).items] == [
        "target_posted", "target_explained", "on_task", "engagement", "rigor", "cfu",
        "student_talk", "open_questions", "grouping", "small_group_instruction",
        "monitoring", "grade_level", "routines", "students_doing", "work_sample",
    ]


def test_unknown_catalog_version_is_refused() -> None:
    with pytest.raises(DomainError) as refused:
        catalog(99)
    assert refused.value.code == "unknown_catalog"


def test_unknown_item_is_refused_with_its_code() -> None:
    with pytest.raises(DomainError) as refused:
        DEFAULT_CATALOG.item("teacher_rating")
    assert refused.value.code == "unknown_item"


@pytest.mark.parametrize(("key", "value"), [
    ("target_posted", "yes"), ("target_posted", "no"), ("target_posted", "not_observed"),
    ("grade_level", "unsure"), ("on_task", 0), ("on_task", 24), ("engagement", 1),
    ("engagement", 6), ("routines", 3), ("rigor", "analyze"), ("grouping", "small_groups"),
    ("open_questions", 12), ("students_doing", "Pairs compare two solutions aloud."),
])
def test_valid_values_pass(key: str, value: str | int) -> None:
    validate(key, value, present=24)


@pytest.mark.parametrize(("key", "value"), [
    ("target_posted", "unsure"),      # only grade_level allows unsure
    ("target_posted", "maybe"),
    ("target_posted", 1),
    ("on_task", -1),
    ("on_task", "12"),
    ("engagement", 0),
    ("engagement", 7),
    ("routines", 4),
    ("rigor", "synthesize"),
    ("grouping", "whole class"),      # options are snake_case keys
    ("students_doing", ""),
    ("students_doing", "x" * 2001),
    ("work_sample", 3),
])
def test_invalid_values_are_refused(key: str, value: str | int) -> None:
    with pytest.raises(DomainError) as refused:
        validate(key, value)
    assert refused.value.code == "invalid_value"


def test_on_task_may_not_exceed_students_present() -> None:
    validate("on_task", 20, present=20)
    with pytest.raises(DomainError, match="exceeds the 20 students present"):
        validate("on_task", 21, present=20)
    validate("on_task", 21)  # without a head count there is nothing to compare with


def test_cfu_method_must_be_listed_and_goes_with_yes() -> None:
    validate("cfu", "yes", method="whiteboards")
    with pytest.raises(DomainError):
        validate("cfu", "yes", method="telepathy")
    with pytest.raises(DomainError):
        validate("cfu", "no", method="whiteboards")
    with pytest.raises(DomainError):
        validate("target_posted", "yes", method="whiteboards")
