"""Answers to the read routes, from the read models only, scoped to the caller."""

from __future__ import annotations

from typing import Any

import msgspec

from projections.debrief import agenda
from projections.projector import (
    PERSON,
    SCHOOL,
    VISIT,
    person_decoder,
    school_decoder,
    view_decoder,
    visit_uuid,
)
from projections.store import SQLiteReadModelStore
from projections.summary import Summary, summarise
from projections.visit_view import VisitView
from walkthrough.catalog import catalog
from walkthrough.errors import NotFound
from walkthrough.visit import Actor


class Reader:
    def __init__(self, store: SQLiteReadModelStore) -> None:
        self.store = store

    def me(self, actor: Actor) -> dict[str, Any]:
        person = self._person(actor.user_id)
        relations = dict(self.store.visits_of(actor.user_id))
        if actor.has("organizer"):
            for visit_id in self.store.all_of(VISIT):
                relations.setdefault(visit_id, "organizer")
        visits = [self._view(visit_id) for visit_id in relations]
        visits.sort(key=lambda v: (v.date, v.id), reverse=True)
        return {
            "user": {"id": actor.user_id, "name": person["name"], "roles": list(actor.roles),
                     "school_id": actor.school_id},
            "visits": [{"id": v.id, "school": self._school(v.school_id), "phase": v.phase,
                        "date": v.date.isoformat(), "focus": v.focus,
                        "relation": relations[v.id]} for v in visits],
        }

    def visit(self, actor: Actor, visit_id: str) -> dict[str, Any]:
        view = self.visible_visit(actor, visit_id)
        return {
            "id": view.id,
            "school": self._school(view.school_id),
            "host": self._person(view.host),
            "team": [self._person(member) for member in view.team],
            "phase": view.phase,
            "focus": view.focus,
            "date": view.date.isoformat(),
            "catalog_version": view.catalog_version,
            "catalog": msgspec.to_builtins(catalog(view.catalog_version)),
            "teachers_notified": view.teachers_notified,
            "classrooms": msgspec.to_builtins(list(view.rooms.values())),
            "can_capture": actor.user_id in view.team and view.phase != "closed",
        }

    def summary(self, actor: Actor, visit_id: str) -> Summary:
        view = self.visible_visit(actor, visit_id)
        return summarise(view, catalog(view.catalog_version))

    def debrief(self, actor: Actor, visit_id: str) -> dict[str, Any]:
        view = self.visible_visit(actor, visit_id)
        summary = summarise(view, catalog(view.catalog_version))
        return {
            "visit_id": view.id,
            "school": self._school(view.school_id),
            "focus": view.focus,
            "date": view.date.isoformat(),
            "phase": view.phase,
            "sections": agenda(summary, school_update=view.school_update, focus=view.focus,
                               visit_date=view.date),
        }

    def visible_visit(self, actor: Actor, visit_id: str) -> VisitView:
        """The visit if the actor may see it; 404 otherwise (no hint that it exists)."""
        uuid = visit_uuid(visit_id)
        doc = self.store.get(VISIT, str(uuid)) if uuid else None
        if doc is not None:
            view = view_decoder.decode(doc)
            if (actor.user_id in view.team or actor.user_id == view.host
                    or actor.has("organizer")):
                return view
        raise NotFound("no visit with that id that you can see", code="visit_not_found")

    def _view(self, visit_id: str) -> VisitView:
        doc = self.store.get(VISIT, visit_id)
        assert doc is not None
        return view_decoder.decode(doc)

    def _school(self, school_id: str) -> dict[str, Any]:
        doc = self.store.get(SCHOOL, school_id)
        if doc is None:
            return {"id": school_id, "name": school_id, "level": None}
        school = school_decoder.decode(doc)
        return {"id": school.school_id, "name": school.name, "level": school.level}

    def _person(self, user_id: str) -> dict[str, Any]:
        doc = self.store.get(PERSON, user_id)
        if doc is None:
            return {"id": user_id, "name": user_id}
        person = person_decoder.decode(doc)
        return {"id": person.user_id, "name": person.name}
