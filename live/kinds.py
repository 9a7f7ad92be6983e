"""Every kind of event the log holds: one enum, the vocabulary of the audit trail and the screens.

The names follow STYLE.md (`"<entity>.<past-tense verb>"`). A kind is added here first; event_append
refuses any other string, so a typo cannot create a kind no screen or report knows. The builders of
each kind's payload live with the domain that appends it (calls.events, responders.events, ...).
"""

from __future__ import annotations

from enum import StrEnum


class EventKind(StrEnum):
    # calls: a call's lifecycle
    CALL_CREATED = "call.created"
    CALL_TRIAGED = "call.triaged"
    CALL_OVERRIDDEN = "call.overridden"
    CALL_STATUS_CHANGED = "call.status_changed"
    CALL_CLOSED = "call.closed"
    CALL_CANCELLED = "call.cancelled"
    CALL_MARKED_DUPLICATE = "call.marked_duplicate"
    CALL_AGENCY_WAIVED = "call.agency_waived"
    CALL_LOCATED = "call.located"  # an unverified address placed by a map pick
    CALL_EIDO_RECEIVED = "call.eido_received"  # exchange: a call handed over by another center
    BACKUP_REQUESTED = "backup.requested"
    NOTE_ADDED = "note.added"  # ACS health information: calls.policies.CLINICAL_EVENT_KINDS
    CAUTION_FLAG_ADDED = "caution_flag.added"
    CALL_TYPES_LOADED = "call_types.loaded"
    DISPOSITIONS_LOADED = "dispositions.loaded"
    # calls: the units on a call
    UNIT_ASSIGNED = "unit.assigned"
    UNIT_UNASSIGNED = "unit.unassigned"
    UNIT_STATUS_CHANGED = "unit.status_changed"
    ASSIGNMENT_ACKNOWLEDGED = "assignment.acknowledged"
    ASSIGNMENT_SCENE_SAFE = "assignment.scene_safe"
    # calls: the floor's clocks
    ALERT_RAISED = "alert.raised"
    ALERT_ACKNOWLEDGED = "alert.acknowledged"
    ALERT_RESOLVED = "alert.resolved"
    THRESHOLD_UPDATED = "threshold.updated"
    # responders: the roster and the map
    UNIT_CREATED = "unit.created"
    UNIT_MOVED = "unit.moved"  # AVL: at most one per unit per AVL_PUSH_INTERVAL
    UNIT_AVL_TOKEN_ISSUED = "unit.avl_token_issued"
    ZONES_IMPORTED = "zones.imported"
    ADDRESSES_IMPORTED = "addresses.imported"
    STREETS_IMPORTED = "streets.imported"
    PLACES_LOADED = "places.loaded"
    FACILITIES_LOADED = "facilities.loaded"
    FACILITY_BEDS_UPDATED = "facility.beds_updated"  # shelters, detox, crisis beds (ACS streams)
    # triage: the rules
    RULESET_DRAFTED = "ruleset.drafted"
    RULESET_EDITED = "ruleset.edited"
    RULESET_PUBLISHED = "ruleset.published"
    RULESET_DISCARDED = "ruleset.discarded"
    TRIAGE_TEST_SAVED = "triage_test.saved"
    TRIAGE_TEST_DELETED = "triage_test.deleted"
    # accounts
    USER_CREATED = "user.created"
    USER_ROLE_CHANGED = "user.role_changed"
    USER_LOGGED_IN = "user.logged_in"
    USER_LOGGED_OUT = "user.logged_out"
    USER_UNLOCKED = "user.unlocked"
    USER_PASSWORD_CHANGED = "user.password_changed"
    USER_DEACTIVATED = "user.deactivated"
    USER_TOKENS_REVOKED = "user.tokens_revoked"
    USER_MFA_ENROLLED = "user.mfa_enrolled"
    USER_MFA_RESET = "user.mfa_reset"
    USER_LOGIN_FAILED = "user.login_failed"
    USER_LOCKED_OUT = "user.locked_out"
