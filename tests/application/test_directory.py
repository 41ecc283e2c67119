"""The district's schools and people: registered, changed, deactivated and reactivated
through events, on every backend; the read models follow, and a deactivated person
can no longer act."""

from __future__ import annotations

import msgspec
import pytest

from projections import district_view as docs
from walkthrough.access import Actor
from walkthrough.district import unique_user_id
from walkthrough.errors import Conflict, DomainError, Forbidden, Unauthorized
from walkthrough.events import (
    DistrictNamed,
    PersonChanged,
    PersonDeactivated,
    PersonReactivated,
    PersonRegistered,
    SchoolChanged,
    SchoolRegistered,
)
from web.composition.bootstrap import Services

SCHOOL = SchoolRegistered(school_id="north-high", name="North High", level="high",
                          source_id="org-7", identifier="0042")
PRINCIPAL = PersonRegistered(user_id="ann.lee", name="Ann Lee", roles=("host", "coach"),
                             school_id="north-high", email="ann.lee@district.example",
                             source_id="usr-1")
ORGANIZER = PersonRegistered(user_id="bo.kim", name="Bo Kim", roles=("organizer",),
                             email="bo.kim@district.example")


@pytest.fixture
def district(services: Services) -> Services:
    services.app.administer([DistrictNamed(name="North District"), SCHOOL, PRINCIPAL,
                             ORGANIZER])
    return services


def test_a_new_district_is_named_and_finds_people_by_email_in_any_case(
        district: Services) -> None:
    found = district.app.district()
    assert found.name == "North District"
    assert found.is_set_up()
    person = found.person_by_email("  Ann.Lee@DISTRICT.example ")
    assert person is not None
    assert person.user_id == "ann.lee"
    assert found.person_by_email("nobody@district.example") is None
    assert found.person_by_source("usr-1") == PRINCIPAL
    assert found.school_by_source("org-7") == SCHOOL


def test_an_email_belongs_to_one_person(district: Services) -> None:
    other = PersonRegistered(user_id="cy", name="Cy Doe", roles=("coach",),
                             school_id="north-high", email="ann.lee@district.example")
    with pytest.raises(Conflict) as refused:
        district.app.administer([other])
    assert refused.value.code == "email_taken"
    assert "cy" not in district.app.district().people  # all or nothing


def test_a_batch_is_all_or_nothing(district: Services) -> None:
    fine = PersonRegistered(user_id="cy", name="Cy Doe", roles=("coach",),
                            school_id="north-high")
    orphan = PersonRegistered(user_id="di", name="Di Roe", roles=("coach",),
                              school_id="no-such-school")
    with pytest.raises(DomainError):
        district.app.administer([fine, orphan])
    assert "cy" not in district.app.district().people


def test_a_change_changes_the_person_and_frees_the_old_email(district: Services) -> None:
    app = district.app
    app.administer([PersonChanged(user_id="ann.lee", name="Ann Lee-Park",
                                  email="ann.leepark@district.example")])
    found = app.district()
    assert found.people["ann.lee"].name == "Ann Lee-Park"
    assert found.people["ann.lee"].school_id == "north-high"  # untouched
    assert found.person_by_email("ann.lee@district.example") is None
    assert found.person_by_email("ann.leepark@district.example") == found.people["ann.lee"]
    with pytest.raises(DomainError) as same:
        app.administer([PersonChanged(user_id="ann.lee", name="Ann Lee-Park")])
    assert same.value.code == "no_change"
    district.projector.catch_up()
    doc = district.read_models.get(docs.PERSON, "ann.lee")
    assert doc is not None
    assert docs.person_decoder.decode(doc) == found.people["ann.lee"]


def test_a_school_is_renamed(district: Services) -> None:
    district.app.administer([SchoolChanged(school_id="north-high", name="North High School")])
    assert district.app.district().schools["north-high"].name == "North High School"
    assert district.app.district().schools["north-high"].identifier == "0042"
    district.projector.catch_up()
    doc = district.read_models.get(docs.SCHOOL, "north-high")
    assert doc is not None
    assert docs.school_decoder.decode(doc).name == "North High School"


def test_a_host_needs_a_school(district: Services) -> None:
    with pytest.raises(DomainError) as refused:
        district.app.administer([PersonChanged(user_id="ann.lee", school_id=None)])
    assert refused.value.code == "host_without_school"


def test_a_person_holds_at_least_one_role(district: Services) -> None:
    """An event built in the server is not decoded on the way in: the rule is checked,
    so nothing is stored that the log could not read back."""
    with pytest.raises(DomainError) as refused:
        district.app.administer([PersonChanged(user_id="ann.lee", roles=())])
    assert refused.value.code == "no_roles"


def test_a_deactivated_person_cannot_act_until_reactivated(district: Services) -> None:
    app = district.app
    app.administer([PersonDeactivated(user_id="ann.lee", reason="left the district")])
    with pytest.raises(Unauthorized) as refused:
        app.actor("ann.lee")
    assert refused.value.code == "deactivated"
    assert "ann.lee" in app.district().people  # history is kept
    with pytest.raises(DomainError):
        app.administer([PersonDeactivated(user_id="ann.lee")])
    app.administer([PersonReactivated(user_id="ann.lee")])
    assert app.actor("ann.lee").roles == ("host", "coach")


def test_only_organizers_change_the_directory(district: Services) -> None:
    host = Actor(user_id="ann.lee", roles=("host", "coach"), school_id="north-high")
    with pytest.raises(Forbidden):
        district.app.administer([SchoolChanged(school_id="north-high", name="Mine")], host)


def test_an_unknown_email_decodes_as_a_schema_error() -> None:
    with pytest.raises(msgspec.ValidationError):
        msgspec.convert({"user_id": "x", "name": "X", "roles": ["coach"],
                         "email": "not-an-email"}, PersonRegistered)


def test_user_ids_come_from_the_email_and_stay_unique(district: Services) -> None:
    found = district.app.district()
    assert unique_user_id(found, "Ann.Lee@other.example") == "ann.lee-2"
    assert unique_user_id(found, "o'brien+x@district.example") == "o-brien-x"
