"""Roles: the closed set of what a person is in the peer observation program.

| role | who |
|---|---|
| `coach` | a peer administrator on visit teams at other campuses |
| `host` | the administrator of the visited school (needs a school) |
| `organizer` | the district's coordinator of the program |
| `analyst` | a program evaluator: the pseudonymised log and district trends, never a visit |
| `teacher_leader` | a member of a cross-role network: never a visit's host, no growth record |

A person may hold several. `Role` is a Literal, so a role name mistyped anywhere it is
used - `Actor.has("organiser")`, a route's `roles=("organzer",)`, `"host" in roles` -
fails `mypy --strict`.

What a role may do is decided in one place, walkthrough.access: `grants` gives each
role's capabilities (a `match` ending in `assert_never`), the visibility rules
(`visit_relation`, `may_see_school`...) decide about the one visit or school asked
for, and `GET /api/me` answers the caller's capabilities (`can`), which the tablet
asks instead of role names.

How to add a role (say `"mentor"`):

1. Add it to `Role` below (and a row to the table above).
2. Run `mypy`: it names `walkthrough.access.grants`; say there what the role may do,
   adding a `Capability` if the tablet must show something new (then run
   `python -m web.http.tablet_schema` and ask for it in the view with `can(me, "...")` from
   web/static/js/access.js; tests/js/access.test.js fails on a capability the server
   does not answer, or a view that reads role names).
3. Give routes to the role where its people may call them: an `Endpoint`'s `roles`
   (web routes); the finer rules in walkthrough.access (`visit_relation`,
   `may_see_school`...) say whether they see one visit or school.
4. Where a role arrives from outside - a OneRoster import (walkthrough.roster_import
   maps OneRoster roles), the district API's person forms (a msgspec Literal rejects an
   unknown role with 422) - decide whether it can arrive at all.
5. tests/unit/test_kinds.py shows steps 1-2 on a copy of the code.
"""

from __future__ import annotations

from typing import Literal, get_args

Role = Literal["coach", "host", "organizer", "analyst", "teacher_leader"]
ROLES: tuple[Role, ...] = get_args(Role)
