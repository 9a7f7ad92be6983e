"""REST endpoints of calls: intake, the lifecycle, notes, history, events and reference lists.

Thin: each method validates, calls one service or selector, serializes. Refusals are DispatchError
subclasses mapped to HTTP by acs_dispatch.exceptions.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from acs_dispatch.permissions import IsCallTaker, IsDispatcher, IsStaffRole, roles_permission
from acs_dispatch.roles import Role
from calls.events import call_summary
from calls.models import Call, CallerLanguage
from calls.policies import may_read_clinical_notes
from calls.selectors import (
    call_assignments_active,
    call_get,
    call_history,
    call_types_search,
    calls_list,
    clinical_notes_for,
    dispositions_active,
    events_after,
)
from calls.services import (
    backup_request,
    call_cancel,
    call_close,
    call_create_once,
    call_mark_duplicate,
    call_override,
    caution_flag_add,
    clinical_note_add,
    clinical_note_summary,
)
from responders.facility_api import facility_or_400  # issue 14
from responders.models import Agency

IsResponder = roles_permission(Role.RESPONDER)
IsNoteWriter = roles_permission(Role.RESPONDER, Role.ACS_SUPERVISOR, Role.ADMIN)


class TriStateField(serializers.BooleanField):
    """A screening answer: true / false / null (also "yes" / "no" / "unknown")."""

    NULL_VALUES = {"null", "Null", "NULL", "", None, "unknown", "Unknown", "UNKNOWN"}

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_null", True)
        kwargs.setdefault("default", None)
        super().__init__(**kwargs)


def call_or_404(request: Request, call_id: int) -> Call:
    """The call if the user may see it; 404 otherwise (a responder does not learn other calls exist)."""
    call = call_get(call_id=call_id, user=request.user)
    if call is None:
        raise Http404("No such call.")
    return call


def call_payload(call: Call) -> dict[str, Any]:
    """The call summary from the prefetched rows, plus the clinical notes when the reader may see them."""
    payload: dict[str, Any] = dict(
        call_summary(
            call,
            assignments=call_assignments_active(call),
            backup_requests=list(call.backup_requests.all()),
            waivers=list(call.agency_waivers.all()),
        )
    )
    notes = getattr(call, "clinical_notes_visible", None)
    if notes is not None:
        payload["clinical_notes"] = [clinical_note_summary(note=n) for n in notes]
    return payload


class _TriageFields(serializers.Serializer):
    """The triage decision under the keys `manage.py triage_preview` prints (DESIGN.md)."""

    agencies = serializers.ListField(child=serializers.ChoiceField(choices=Agency.Code.values))
    lead = serializers.CharField()
    priority = serializers.IntegerField(allow_null=True)
    rule = serializers.CharField()
    ruleset_version = serializers.IntegerField(allow_null=True)
    reasons = serializers.ListField(child=serializers.CharField())
    mode = serializers.CharField()
    guards = serializers.ListField(child=serializers.CharField())
    acs_eligible = serializers.BooleanField()
    acs_exclusion = serializers.CharField()
    recognised = serializers.BooleanField()
    signals = serializers.ListField(child=serializers.DictField())


class _CallFields(serializers.Serializer):
    """A call as every endpoint returns it, read or created (calls.events.call_summary + `triage`)."""

    id = serializers.IntegerField()
    number = serializers.CharField()
    status = serializers.ChoiceField(choices=Call.Status.choices)
    received_at = serializers.DateTimeField()
    call_type = serializers.DictField(child=serializers.CharField(), allow_null=True)
    narrative = serializers.CharField()
    address = serializers.CharField()
    lat = serializers.FloatField(allow_null=True)
    lon = serializers.FloatField(allow_null=True)
    zone = serializers.CharField(allow_null=True)
    outside_service_area = serializers.BooleanField()
    location_unverified = serializers.BooleanField()
    caller_name = serializers.CharField()
    caller_phone = serializers.CharField()
    caller_language = serializers.ChoiceField(choices=CallerLanguage.choices, allow_blank=True)
    interpreter_needed = serializers.BooleanField()
    weapons = serializers.CharField()
    violence = serializers.CharField()
    medical = serializers.CharField()
    caller_is_subject = serializers.CharField()
    agencies = serializers.ListField(child=serializers.CharField())
    lead = serializers.CharField()
    mode = serializers.CharField()
    priority = serializers.IntegerField(allow_null=True)
    rule = serializers.CharField()
    ruleset_version = serializers.IntegerField(allow_null=True)
    reasons = serializers.ListField(child=serializers.CharField())
    guards = serializers.ListField(child=serializers.CharField())
    recognised = serializers.BooleanField()
    signals = serializers.ListField(child=serializers.DictField())
    acs_eligible = serializers.BooleanField()
    acs_exclusion = serializers.CharField()
    triage = _TriageFields(source="*")
    overridden = serializers.BooleanField()
    override_reason = serializers.CharField()
    original_decision = serializers.JSONField(allow_null=True)
    disposition = serializers.CharField()
    closed_at = serializers.DateTimeField(allow_null=True)
    units = serializers.ListField(child=serializers.JSONField())
    backup_requests = serializers.ListField(child=serializers.JSONField())
    required_agencies = serializers.ListField(
        child=serializers.ChoiceField(choices=Agency.Code.values),
        help_text="the agencies the decision requires (lead first) plus those asked for by backup requests",
    )
    missing_agencies = serializers.ListField(
        child=serializers.ChoiceField(choices=Agency.Code.values),
        help_text="required agencies with no unit on the call yet and no recorded reason why not",
    )
    waived_agencies = serializers.ListField(child=serializers.JSONField())
    dangers = serializers.ListField(child=serializers.JSONField())
    police_first = serializers.CharField(help_text="why police must be on the call before ACS, or empty")
    order_holds = serializers.DictField(child=serializers.CharField())
    scene_safe_at = serializers.DateTimeField(allow_null=True)
    in_queue = serializers.BooleanField(
        help_text="whether the call waits in the dispatch queue (no unit yet, an agency missing, backup unanswered)"
    )
    queue_reasons = serializers.ListField(
        child=serializers.CharField(),
        help_text="the triage reasons a queue row shows: the rule, then the first safety guard (else what matched)",
    )
    clinical_notes = serializers.ListField(child=serializers.JSONField(), required=False)


def call_response(call: Call, *, status_code: int = 200) -> Response:
    """One call in the one shape of every call endpoint (read, create, override, close, ...)."""
    return Response(_CallFields(call_payload(call)).data, status=status_code)


class CallsApi(APIView):
    """GET: open calls (or one status), newest first. POST: take a call; it is triaged at once."""

    def get_permissions(self):
        return [IsCallTaker()] if self.request.method == "POST" else [IsStaffRole()]

    class CreateInputSerializer(serializers.Serializer):
        call_type = serializers.CharField(max_length=16, required=False, allow_blank=True, default="")
        narrative = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")
        weapons = TriStateField()
        violence = TriStateField()
        medical = TriStateField()
        caller_is_subject = TriStateField()
        lat = serializers.FloatField(
            min_value=-90, max_value=90, required=False, allow_null=True, default=None
        )
        lon = serializers.FloatField(
            min_value=-180, max_value=180, required=False, allow_null=True, default=None
        )
        address = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
        caller_name = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
        caller_phone = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
        caller_language = serializers.ChoiceField(
            choices=CallerLanguage.choices, required=False, allow_blank=True, default=CallerLanguage.UNKNOWN
        )
        interpreter_needed = serializers.BooleanField(required=False, default=False)

    class ListOutputSerializer(_CallFields):
        pass

    @extend_schema(
        parameters=[OpenApiParameter("status", str, enum=Call.Status.values, required=False)],
        responses=ListOutputSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        status_filter = request.query_params.get("status") or None
        if status_filter and status_filter not in Call.Status.values:
            raise serializers.ValidationError({"status": [f"Choose one of {', '.join(Call.Status.values)}."]})
        calls = calls_list(status=status_filter, user=request.user)
        return Response(_CallFields([call_payload(c) for c in calls], many=True).data)

    @extend_schema(request=CreateInputSerializer, responses={201: _CallFields})
    def post(self, request: Request) -> Response:
        serializer = self.CreateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        call, created = call_create_once(
            **serializer.validated_data,
            actor=request.user,
            idempotency_key=request.headers.get("Idempotency-Key", ""),
        )
        return call_response(
            call_get(call_id=call.pk, user=request.user),
            status_code=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class CallDetailApi(APIView):
    """One call. ACS clinical notes are included only for ACS roles and admins."""

    permission_classes = [IsStaffRole]

    class OutputSerializer(_CallFields):
        clinical_notes = serializers.ListField(child=serializers.JSONField(), required=False)

    @extend_schema(responses=OutputSerializer)
    def get(self, request: Request, call_id: int) -> Response:
        return call_response(call_or_404(request, call_id))


class CallOverrideApi(APIView):
    """A dispatcher replaces the triage decision, with a reason; the original is kept."""

    permission_classes = [IsDispatcher]

    class InputSerializer(serializers.Serializer):
        agencies = serializers.ListField(
            child=serializers.ChoiceField(choices=Agency.Code.values), min_length=1
        )
        lead = serializers.ChoiceField(choices=Agency.Code.values)
        priority = serializers.IntegerField(min_value=1, max_value=4)
        reason = serializers.CharField(max_length=500)

    class OutputSerializer(_CallFields):
        pass

    @extend_schema(request=InputSerializer, responses=OutputSerializer)
    def post(self, request: Request, call_id: int) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        call = call_override(
            call=call_or_404(request, call_id), **serializer.validated_data, actor=request.user
        )
        return call_response(call_get(call_id=call.pk, user=request.user))


class CallCloseApi(APIView):
    """Close a call with a disposition code (GET /dispositions); units still on it are cleared."""

    permission_classes = [IsDispatcher]

    class InputSerializer(serializers.Serializer):
        disposition = serializers.CharField(max_length=32)
        note = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")
        # Issue 14: where an ACS team took the person (a facility id), with an ACS outcome.
        destination = serializers.IntegerField(required=False, allow_null=True, default=None)

    class OutputSerializer(_CallFields):
        pass

    @extend_schema(request=InputSerializer, responses=OutputSerializer)
    def post(self, request: Request, call_id: int) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        serializer.validated_data["destination"] = facility_or_400(serializer.validated_data["destination"])
        call = call_close(call=call_or_404(request, call_id), **serializer.validated_data, actor=request.user)
        return call_response(call_get(call_id=call.pk, user=request.user))


class CallCancelApi(APIView):
    """Cancel an open call, with a reason."""

    permission_classes = [IsDispatcher]

    class InputSerializer(serializers.Serializer):
        reason = serializers.CharField(max_length=300)

    class OutputSerializer(_CallFields):
        pass

    @extend_schema(request=InputSerializer, responses=OutputSerializer)
    def post(self, request: Request, call_id: int) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        call = call_cancel(
            call=call_or_404(request, call_id), **serializer.validated_data, actor=request.user
        )
        return call_response(call_get(call_id=call.pk, user=request.user))


class CallDuplicateApi(APIView):
    """Mark a call as a duplicate of another call."""

    permission_classes = [IsDispatcher]

    class InputSerializer(serializers.Serializer):
        of = serializers.IntegerField(help_text="id of the original call")

    class OutputSerializer(_CallFields):
        pass

    @extend_schema(request=InputSerializer, responses=OutputSerializer)
    def post(self, request: Request, call_id: int) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        original = call_get(call_id=serializer.validated_data["of"])
        if original is None:
            raise serializers.ValidationError({"of": ["No such call."]})
        call = call_mark_duplicate(call=call_or_404(request, call_id), of=original, actor=request.user)
        return call_response(call_get(call_id=call.pk, user=request.user))


class BackupRequestCreateApi(APIView):
    """A responder on the call asks for police or fire/EMS; the call gains that agency."""

    permission_classes = [IsResponder]

    class InputSerializer(serializers.Serializer):
        agency = serializers.ChoiceField(choices=[Agency.Code.POLICE, Agency.Code.FIRE_EMS])
        # Required: the dispatcher sending backup must know what the unit on scene is facing.
        reason = serializers.CharField(max_length=300)

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        agency = serializers.CharField()
        reason = serializers.CharField()
        requested_at = serializers.DateTimeField()

    @extend_schema(request=InputSerializer, responses={201: OutputSerializer})
    def post(self, request: Request, call_id: int) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        request_row = backup_request(
            call=call_or_404(request, call_id),
            unit=request.user.unit,
            **serializer.validated_data,
            actor=request.user,
        )
        return Response(self.OutputSerializer(request_row).data, status=status.HTTP_201_CREATED)


class ClinicalNotesApi(APIView):
    """ACS clinical notes of a call: ACS supervisors, admins and ACS responders on the call only."""

    permission_classes = [IsNoteWriter]

    class InputSerializer(serializers.Serializer):
        text = serializers.CharField(max_length=4000)

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        call_id = serializers.IntegerField()
        text = serializers.CharField()
        author = serializers.CharField(allow_null=True)
        created_at = serializers.DateTimeField()

    @extend_schema(responses=OutputSerializer(many=True))
    def get(self, request: Request, call_id: int) -> Response:
        call = call_or_404(request, call_id)
        notes = clinical_notes_for(call=call, user=request.user)
        if notes is None:
            raise PermissionDenied("Clinical notes are for ACS staff only.")
        return Response([clinical_note_summary(note=n) for n in notes])

    @extend_schema(request=InputSerializer, responses={201: OutputSerializer})
    def post(self, request: Request, call_id: int) -> Response:
        if not may_read_clinical_notes(user=request.user):
            raise PermissionDenied("Clinical notes are for ACS staff only.")
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        note = clinical_note_add(
            call=call_or_404(request, call_id), **serializer.validated_data, actor=request.user
        )
        return Response(clinical_note_summary(note=note), status=status.HTTP_201_CREATED)


class _HistoryOutputSerializer(serializers.Serializer):
    calls = serializers.ListField(child=serializers.JSONField())
    caution_flags = serializers.ListField(child=serializers.JSONField())


class CallHistoryApi(APIView):
    """Earlier calls at the call's address / within 100 m / from its phone (90 days), and cautions."""

    permission_classes = [IsStaffRole]

    class OutputSerializer(_HistoryOutputSerializer):
        pass

    @extend_schema(responses=OutputSerializer)
    def get(self, request: Request, call_id: int) -> Response:
        call = call_or_404(request, call_id)
        history = call_history(
            address=call.address,
            lat=call.lat,
            lon=call.lon,
            caller_phone=call.caller_phone,
            exclude_call_id=call.pk,
            now=call.received_at,
        )
        return Response(self.OutputSerializer(history).data)


class HistoryLookupApi(APIView):
    """The same history for a call being typed (address, point, phone given as query parameters)."""

    permission_classes = [roles_permission(Role.CALL_TAKER, Role.DISPATCHER, Role.ACS_SUPERVISOR, Role.ADMIN)]

    class InputSerializer(serializers.Serializer):
        address = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
        phone = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
        lat = serializers.FloatField(
            min_value=-90, max_value=90, required=False, allow_null=True, default=None
        )
        lon = serializers.FloatField(
            min_value=-180, max_value=180, required=False, allow_null=True, default=None
        )

    class OutputSerializer(_HistoryOutputSerializer):
        pass

    @extend_schema(parameters=[InputSerializer], responses=OutputSerializer)
    def get(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.query_params)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        history = call_history(
            address=data["address"], lat=data["lat"], lon=data["lon"], caller_phone=data["phone"]
        )
        return Response(self.OutputSerializer(history).data)


class EventsApi(APIView):
    """Events after an id on the streams the user may read, oldest first (catch-up for any client)."""

    permission_classes = [IsStaffRole]

    class InputSerializer(serializers.Serializer):
        after = serializers.IntegerField(min_value=0, required=False, default=0)
        limit = serializers.IntegerField(min_value=1, max_value=1000, required=False, default=500)

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        kind = serializers.CharField()
        at = serializers.DateTimeField(source="created_at")
        call = serializers.IntegerField(source="call_id", allow_null=True)
        unit = serializers.IntegerField(source="unit_id", allow_null=True)
        data = serializers.JSONField()

    @extend_schema(parameters=[InputSerializer], responses=OutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.query_params)
        serializer.is_valid(raise_exception=True)
        events = events_after(**serializer.validated_data, user=request.user)
        return Response(self.OutputSerializer(events, many=True).data)


class DispositionsApi(APIView):
    """Disposition codes to close a call with (ACS outcomes first). `agency` (repeatable) keeps the
    codes those agencies use; a responder without it gets their unit's agency's codes."""

    permission_classes = [IsStaffRole]

    class InputSerializer(serializers.Serializer):
        agency = serializers.ListField(
            child=serializers.ChoiceField(
                choices=[Agency.Code.POLICE, Agency.Code.FIRE_EMS, Agency.Code.ACS]
            ),
            required=False,
        )

    class OutputSerializer(serializers.Serializer):
        code = serializers.CharField()
        description = serializers.CharField()
        acs_outcome = serializers.BooleanField()

    @extend_schema(parameters=[InputSerializer], responses=OutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.query_params)
        serializer.is_valid(raise_exception=True)
        agencies = serializer.validated_data.get("agency") or []
        if not agencies and request.user.role == Role.RESPONDER and request.user.unit_id:
            agencies = [request.user.unit.agency_id]
        return Response(self.OutputSerializer(dispositions_active(agencies=agencies), many=True).data)


class CallTypesApi(APIView):
    """Call types matching `q` by code prefix or name (type-ahead)."""

    permission_classes = [IsStaffRole]

    class InputSerializer(serializers.Serializer):
        q = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
        limit = serializers.IntegerField(min_value=1, max_value=100, required=False, default=20)

    class OutputSerializer(serializers.Serializer):
        code = serializers.CharField()
        name = serializers.CharField()
        apco_code = serializers.CharField()

    @extend_schema(parameters=[InputSerializer], responses=OutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.query_params)
        serializer.is_valid(raise_exception=True)
        return Response(self.OutputSerializer(call_types_search(**serializer.validated_data), many=True).data)


class CautionFlagCreateApi(APIView):
    """Record a caution at an address, a point or a phone (a dog, a prior weapon, a known ACS client's
    preference). It shows with the location and caller history on every later call there."""

    permission_classes = [roles_permission(Role.CALL_TAKER, Role.DISPATCHER, Role.ACS_SUPERVISOR, Role.ADMIN)]

    class InputSerializer(serializers.Serializer):
        text = serializers.CharField(max_length=300)
        address = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
        lat = serializers.FloatField(
            min_value=-90, max_value=90, required=False, allow_null=True, default=None
        )
        lon = serializers.FloatField(
            min_value=-180, max_value=180, required=False, allow_null=True, default=None
        )
        caller_phone = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        text = serializers.CharField()
        address = serializers.CharField()
        lat = serializers.FloatField(allow_null=True)
        lon = serializers.FloatField(allow_null=True)
        caller_phone = serializers.CharField()
        created_at = serializers.DateTimeField()

    @extend_schema(request=InputSerializer, responses={201: OutputSerializer})
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        flag = caution_flag_add(**serializer.validated_data, actor=request.user)
        return Response(self.OutputSerializer(flag).data, status=status.HTTP_201_CREATED)
