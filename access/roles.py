"""What each role may open and do. A client sees only its own clients, a team lead its own
teams (``access.viewer.Viewer.restrictions``); this says which pages and actions are theirs."""
from __future__ import annotations

from data.users import ROLES
from i18n import N_

# what a person reads for each role
ROLE_NAMES = {"admin": N_("administrator"), "director": N_("director"), "team_lead": N_("team lead"),
              "client": N_("client")}
STAFF = ("admin", "director", "team_lead")
MANAGERS = ("admin", "director")

# page path -> the roles that may open it
PAGES = {
    "/": ROLES, "/explore": ROLES, "/focus": ROLES, "/committee": ROLES, "/definitions": ROLES, "/comments": ROLES,
    "/actions": ROLES, "/service": STAFF, "/alerts": STAFF, "/wall": STAFF, "/campaigns": STAFF, "/alignment": STAFF,
    "/staffing": STAFF, "/sponsors": ROLES,
    "/needs": STAFF,
    "/import": MANAGERS, "/settings": MANAGERS,
    "/admin": ("admin",),
}
# action -> the roles that may do it
RIGHTS = {
    "targets": MANAGERS, "import": MANAGERS,
    "campaign_contracts": MANAGERS, "focus": STAFF, "decisions": STAFF, "actions": STAFF, "alerts": STAFF,
    "users": ("admin",), "audit": ("admin",),
}


def may_open(role: str | None, path: str) -> bool:
    """Whether a role may open a page (an unknown path is the "not found" page)."""
    return path not in PAGES or role in PAGES[path]


def may(role: str | None, right: str) -> bool:
    return role in RIGHTS[right]
