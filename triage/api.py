"""REST endpoints of the rule editor under /api/v1/ (admins only)."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from acs_dispatch.exceptions import Conflict
from acs_dispatch.permissions import IsAdmin, IsCallTaker
from triage import selectors, services
from triage.models import RuleSet, TriageTestCase
from triage.replay import replay

WHATIF_MAX_CALLS = 30000
WHATIF_MAX_CHUNK = 5000


def _ruleset_or_404(ruleset_id: int) -> RuleSet:
    ruleset = selectors.ruleset_get(ruleset_id=ruleset_id)
    if ruleset is None:
        raise Http404("No such rule set.")
    return ruleset


def _test_or_404(test_id: int) -> TriageTestCase:
    test = selectors.triage_test_get(test_id=test_id)
    if test is None:
        raise Http404("No such test case.")
    return test


class _RuleSetOut(serializers.Serializer):
    id = serializers.IntegerField()
    version = serializers.IntegerField(allow_null=True)
    status = serializers.CharField()
    name = serializers.CharField()
    notes = serializers.CharField()
    lock_version = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    published_at = serializers.DateTimeField(allow_null=True)
    based_on_version = serializers.IntegerField(source="based_on.version", allow_null=True, default=None)


class RuleSetsApi(APIView):
    """GET: the live set, its history and the drafts. POST: a new draft copying a set (default: the live one)."""

    permission_classes = [IsAdmin]

    class InputSerializer(serializers.Serializer):
        based_on = serializers.IntegerField(
            required=False, help_text="id of the set to copy; default the live one"
        )
        name = serializers.CharField(max_length=120, required=False, allow_blank=True)

    class OutputSerializer(_RuleSetOut):
        rules = serializers.IntegerField(source="rule_count", required=False)

    class ListOutputSerializer(serializers.Serializer):
        published = _RuleSetOut(allow_null=True)
        history = _RuleSetOut(many=True)
        drafts = _RuleSetOut(many=True)

    @extend_schema(responses={200: ListOutputSerializer})
    def get(self, request: Request) -> Response:
        history = list(selectors.rulesets_history())
        published = next((r for r in history if r.status == RuleSet.Status.PUBLISHED), None)
        return Response(
            {
                "published": self.OutputSerializer(published).data if published else None,
                "history": self.OutputSerializer(history, many=True).data,
                "drafts": self.OutputSerializer(selectors.rulesets_drafts(), many=True).data,
            }
        )

    @extend_schema(request=InputSerializer, responses={201: _RuleSetOut})
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        based_on = None
        if serializer.validated_data.get("based_on"):
            based_on = _ruleset_or_404(serializer.validated_data["based_on"])
        draft = services.ruleset_draft_create(
            actor=request.user, based_on=based_on, name=serializer.validated_data.get("name", "")
        )
        return Response(_RuleSetOut(draft).data, status=status.HTTP_201_CREATED)


class RuleSetDetailApi(APIView):
    """GET: a set with its rules in order. DELETE: discard a draft (published sets cannot be deleted)."""

    permission_classes = [IsAdmin]

    class OutputSerializer(_RuleSetOut):
        rules = serializers.ListField(child=serializers.DictField())

    @extend_schema(responses={200: OutputSerializer})
    def get(self, request: Request, ruleset_id: int) -> Response:
        ruleset = _ruleset_or_404(ruleset_id)
        data = _RuleSetOut(ruleset).data
        data["rules"] = selectors.ruleset_rules_spec(ruleset=ruleset)
        return Response(data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, ruleset_id: int) -> Response:
        services.ruleset_draft_discard(ruleset=_ruleset_or_404(ruleset_id), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class RuleSetRulesSaveApi(APIView):
    """Replace a draft's rules (order = list order). A stale lock_version gets 409 stale_draft and
    nothing is saved; invalid rules get 400 with errors [{rule, index, field, message}]."""

    permission_classes = [IsAdmin]

    class InputSerializer(serializers.Serializer):
        lock_version = serializers.IntegerField(min_value=0)
        rules = serializers.ListField(child=serializers.JSONField(), allow_empty=True)
        name = serializers.CharField(max_length=120, required=False, allow_blank=True)

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        lock_version = serializers.IntegerField()
        updated_at = serializers.DateTimeField()

    @extend_schema(request=InputSerializer, responses={200: OutputSerializer})
    def put(self, request: Request, ruleset_id: int) -> Response:
        ruleset = _ruleset_or_404(ruleset_id)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        saved = services.ruleset_draft_save(
            ruleset=ruleset,
            specs=serializer.validated_data["rules"],
            lock_version=serializer.validated_data["lock_version"],
            name=serializer.validated_data.get("name") or None,
            actor=request.user,
        )
        return Response(self.OutputSerializer(saved).data)


class RuleSetValidateApi(APIView):
    """Validate rules without saving them (the given list, or the set's stored rules)."""

    permission_classes = [IsAdmin]

    class InputSerializer(serializers.Serializer):
        rules = serializers.ListField(child=serializers.JSONField(), required=False)

    class OutputSerializer(serializers.Serializer):
        valid = serializers.BooleanField()
        errors = serializers.ListField(child=serializers.DictField())

    @extend_schema(request=InputSerializer, responses={200: OutputSerializer})
    def post(self, request: Request, ruleset_id: int) -> Response:
        ruleset = _ruleset_or_404(ruleset_id)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        if "rules" in serializer.validated_data:
            specs = [services.rule_spec_normalise(spec=s) for s in serializer.validated_data["rules"]]
        else:
            specs = selectors.ruleset_rules_spec(ruleset=ruleset)
        errors = selectors.ruleset_specs_validate(specs=specs)
        return Response(self.OutputSerializer({"valid": not errors, "errors": errors}).data)


class RuleSetPublishApi(APIView):
    """Publish a draft as the next immutable version (needs a note); the live engine swaps at once.
    With `rules`, those are saved first; a draft (or `rules`) with validation problems gets 409
    draft_has_problems with every problem in `errors` and their count in `problems`."""

    permission_classes = [IsAdmin]

    class InputSerializer(serializers.Serializer):
        notes = serializers.CharField(max_length=2000, allow_blank=True)
        lock_version = serializers.IntegerField(min_value=0, required=False)
        # The rules as the editor shows them: saved first, so the version is what was on screen.
        rules = serializers.ListField(child=serializers.JSONField(), required=False)

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        version = serializers.IntegerField()
        status = serializers.CharField()
        notes = serializers.CharField()
        published_at = serializers.DateTimeField()

    @extend_schema(request=InputSerializer, responses={201: OutputSerializer})
    def post(self, request: Request, ruleset_id: int) -> Response:
        ruleset = _ruleset_or_404(ruleset_id)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        published = services.ruleset_publish(
            ruleset=ruleset,
            notes=serializer.validated_data["notes"],
            lock_version=serializer.validated_data.get("lock_version"),
            specs=serializer.validated_data.get("rules"),
            actor=request.user,
        )
        return Response(self.OutputSerializer(published).data, status=status.HTTP_201_CREATED)


class RuleSetRollbackApi(APIView):
    """Publish a copy of an earlier version as the next version (needs a note)."""

    permission_classes = [IsAdmin]

    class InputSerializer(serializers.Serializer):
        notes = serializers.CharField(max_length=2000, allow_blank=True)

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        version = serializers.IntegerField()
        status = serializers.CharField()
        notes = serializers.CharField()
        published_at = serializers.DateTimeField()

    @extend_schema(request=InputSerializer, responses={201: OutputSerializer})
    def post(self, request: Request, ruleset_id: int) -> Response:
        ruleset = _ruleset_or_404(ruleset_id)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        published = services.ruleset_rollback(
            ruleset=ruleset, notes=serializer.validated_data["notes"], actor=request.user
        )
        return Response(self.OutputSerializer(published).data, status=status.HTTP_201_CREATED)


class RuleSetDiffApi(APIView):
    """Rules added, removed, changed (field by field) and moved from set `a` to set `b`."""

    permission_classes = [IsAdmin]

    class OutputSerializer(serializers.Serializer):
        old = serializers.DictField()
        new = serializers.DictField()
        added = serializers.ListField(child=serializers.CharField())
        removed = serializers.ListField(child=serializers.CharField())
        changed = serializers.ListField(child=serializers.DictField())
        moved = serializers.ListField(child=serializers.DictField())

    @extend_schema(responses={200: OutputSerializer})
    def get(self, request: Request, ruleset_id: int, other_id: int) -> Response:
        diff = selectors.ruleset_diff(old=_ruleset_or_404(ruleset_id), new=_ruleset_or_404(other_id))
        return Response(self.OutputSerializer(diff).data)


class RuleSetExportApi(APIView):
    """The set as a YAML (default) or JSON file, in the format the import reads."""

    permission_classes = [IsAdmin]

    @extend_schema(
        parameters=[OpenApiParameter("format", str, enum=["yaml", "json"], required=False)],
        responses={
            (200, "application/x-yaml"): OpenApiTypes.STR,
            (200, "application/json"): OpenApiTypes.STR,
        },
    )
    def get(self, request: Request, ruleset_id: int) -> HttpResponse:
        ruleset = _ruleset_or_404(ruleset_id)
        fmt = "json" if request.query_params.get("format") == "json" else "yaml"
        body = selectors.ruleset_export(ruleset=ruleset, fmt=fmt)
        name = f"triage-rules-{ruleset.version and f'v{ruleset.version}' or f'draft-{ruleset.pk}'}.{fmt}"
        response = HttpResponse(
            body, content_type="application/json" if fmt == "json" else "application/x-yaml"
        )
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response

    # DRF reads ?format= as a renderer name and would answer 404 to "yaml": the export writes
    # its own body, and errors stay JSON.
    def perform_content_negotiation(self, request, force=False):
        from rest_framework.renderers import JSONRenderer

        return (JSONRenderer(), "application/json")


class RuleSetImportApi(APIView):
    """A new draft from a JSON or YAML file (multipart `file`, or `content` text). Validated first:
    a malformed file or an invalid rule gets 400 naming the rule and field; nothing is created."""

    permission_classes = [IsAdmin]
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    class InputSerializer(serializers.Serializer):
        file = serializers.FileField(required=False)
        content = serializers.CharField(required=False, trim_whitespace=False)
        filename = serializers.CharField(required=False, allow_blank=True, max_length=200)
        name = serializers.CharField(required=False, allow_blank=True, max_length=120)

        def validate(self, attrs):
            if not attrs.get("file") and not attrs.get("content"):
                raise serializers.ValidationError({"file": "Send a file (or its text as content)."})
            return attrs

    @extend_schema(request=InputSerializer, responses={201: _RuleSetOut})
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        upload = data.get("file")
        if upload is not None:
            content: str | bytes = upload.read(services.IMPORT_MAX_BYTES + 1)
            filename = upload.name
        else:
            content, filename = data["content"], data.get("filename", "")
        draft = services.ruleset_import(
            content=content, filename=filename, name=data.get("name", ""), actor=request.user
        )
        return Response(_RuleSetOut(draft).data, status=status.HTTP_201_CREATED)


class _CallFields(serializers.Serializer):
    call_type = serializers.CharField(max_length=16, required=False, allow_blank=True)
    narrative = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    weapons = serializers.BooleanField(required=False, allow_null=True, default=None)
    violence = serializers.BooleanField(required=False, allow_null=True, default=None)
    medical = serializers.BooleanField(required=False, allow_null=True, default=None)
    caller_is_subject = serializers.BooleanField(required=False, allow_null=True, default=None)
    zone = serializers.CharField(max_length=120, required=False, allow_blank=True)
    received_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class RuleSetTryApi(APIView):
    """Triage one made-up call with this set: the decision and its reasons (nothing is stored)."""

    permission_classes = [IsAdmin]

    class InputSerializer(_CallFields):
        pass

    class OutputSerializer(serializers.Serializer):
        agencies = serializers.ListField(child=serializers.CharField())
        lead = serializers.CharField()
        mode = serializers.CharField()
        priority = serializers.IntegerField()
        rule = serializers.CharField(allow_blank=True)
        ruleset_version = serializers.IntegerField()
        reasons = serializers.ListField(child=serializers.CharField())
        guards = serializers.ListField(child=serializers.CharField())
        acs_eligible = serializers.BooleanField()
        acs_exclusion = serializers.CharField(allow_blank=True)

    @extend_schema(request=InputSerializer, responses={200: OutputSerializer})
    def post(self, request: Request, ruleset_id: int) -> Response:
        ruleset = _ruleset_or_404(ruleset_id)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        if not serializer.validated_data.get("narrative") and not serializer.validated_data.get("call_type"):
            raise serializers.ValidationError({"narrative": ["Give a narrative or a call type."]})
        decision = selectors.call_try(
            compiled=selectors.ruleset_engine(ruleset=ruleset), **serializer.validated_data
        )
        return Response(self.OutputSerializer(decision).data)


class TriagePreviewApi(APIView):
    """Triage the call being typed with the published set, saving nothing: the intake screen asks
    before saving a call that nothing was recognised in (police by default)."""

    permission_classes = [IsCallTaker]

    class InputSerializer(_CallFields):
        pass

    class OutputSerializer(serializers.Serializer):
        agencies = serializers.ListField(child=serializers.CharField())
        lead = serializers.CharField()
        mode = serializers.CharField()
        priority = serializers.IntegerField()
        rule = serializers.CharField(allow_blank=True)
        ruleset_version = serializers.IntegerField()
        reasons = serializers.ListField(child=serializers.CharField())
        recognised = serializers.BooleanField()
        signals = serializers.ListField(child=serializers.DictField())

    @extend_schema(request=InputSerializer, responses={200: OutputSerializer})
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        decision = selectors.call_try(compiled=selectors.engine_published(), **serializer.validated_data)
        return Response(self.OutputSerializer(decision).data)


class RuleSetTestApi(APIView):
    """Run every saved test case against this set: pass/fail per case."""

    permission_classes = [IsAdmin]

    class OutputSerializer(serializers.Serializer):
        total = serializers.IntegerField()
        passed = serializers.IntegerField()
        failed = serializers.IntegerField()
        results = serializers.ListField(child=serializers.DictField())

    @extend_schema(request=None, responses={200: OutputSerializer})
    def post(self, request: Request, ruleset_id: int) -> Response:
        ruleset = _ruleset_or_404(ruleset_id)
        result = selectors.triage_tests_run(compiled=selectors.ruleset_engine(ruleset=ruleset))
        return Response(self.OutputSerializer(result).data)


class RuleSetWhatIfApi(APIView):
    """Replay one chunk of past calls through the live set and this set; the page calls it chunk by
    chunk (offset -> next_offset) to show progress, and adds the chunks up."""

    permission_classes = [IsAdmin]

    class InputSerializer(serializers.Serializer):
        source = serializers.ChoiceField(choices=["sdpd", "history"], default="sdpd")
        limit = serializers.IntegerField(min_value=1, max_value=WHATIF_MAX_CALLS, default=WHATIF_MAX_CALLS)
        offset = serializers.IntegerField(min_value=0, default=0)
        chunk = serializers.IntegerField(min_value=1, max_value=WHATIF_MAX_CHUNK, default=WHATIF_MAX_CHUNK)

    class OutputSerializer(serializers.Serializer):
        source = serializers.CharField()
        total = serializers.IntegerField()
        offset = serializers.IntegerField()
        next_offset = serializers.IntegerField()
        done = serializers.BooleanField()
        published_version = serializers.IntegerField()
        result = serializers.DictField()

    @extend_schema(request=InputSerializer, responses={200: OutputSerializer})
    def post(self, request: Request, ruleset_id: int) -> Response:
        ruleset = _ruleset_or_404(ruleset_id)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if data["source"] == "sdpd":
            inputs, labels = selectors.replay_calls_sdpd()
            # The file is in time order: the last N calls are its tail.
            inputs, labels = inputs[-data["limit"] :], labels[-data["limit"] :]
        else:
            inputs, labels = selectors.replay_calls_history(limit=data["limit"])
        if selectors.ruleset_published() is None:
            raise Conflict("Nothing is published yet: there is no live version to compare the draft with.")
        total = len(inputs)
        start = min(data["offset"], total)
        end = min(start + data["chunk"], total)
        published = selectors.engine_published()
        result = replay(
            before=published,
            after=selectors.ruleset_engine(ruleset=ruleset),
            calls=inputs[start:end],
            labels=labels[start:end],
            offset=start,
        )
        return Response(
            self.OutputSerializer(
                {
                    "source": data["source"],
                    "total": total,
                    "offset": start,
                    "next_offset": end,
                    "done": end >= total,
                    "published_version": published.version,
                    "result": result,
                }
            ).data
        )


class _TestCaseFields(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    call_type = serializers.CharField(max_length=16, required=False, allow_blank=True, default="")
    narrative = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")
    weapons = serializers.BooleanField(required=False, allow_null=True, default=None)
    violence = serializers.BooleanField(required=False, allow_null=True, default=None)
    medical = serializers.BooleanField(required=False, allow_null=True, default=None)
    caller_is_subject = serializers.BooleanField(required=False, allow_null=True, default=None)
    zone = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    expected_agencies = serializers.ListField(
        child=serializers.ChoiceField(choices=["POLICE", "FIRE_EMS", "ACS"]), allow_empty=False
    )
    expected_lead = serializers.ChoiceField(
        choices=["", "POLICE", "FIRE_EMS", "ACS"], required=False, default=""
    )
    expected_priority = serializers.IntegerField(
        min_value=1, max_value=4, required=False, allow_null=True, default=None
    )


class _TestCaseOut(_TestCaseFields):
    id = serializers.IntegerField()


class TriageTestsApi(APIView):
    """GET: the saved test cases of the bench. POST: save a new one."""

    permission_classes = [IsAdmin]

    class InputSerializer(_TestCaseFields):
        pass

    class OutputSerializer(_TestCaseOut):
        pass

    @extend_schema(responses={200: OutputSerializer(many=True)})
    def get(self, request: Request) -> Response:
        return Response(self.OutputSerializer(selectors.triage_tests(), many=True).data)

    @extend_schema(request=InputSerializer, responses={201: OutputSerializer})
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        test = services.triage_test_save(actor=request.user, **serializer.validated_data)
        return Response(self.OutputSerializer(test).data, status=status.HTTP_201_CREATED)


class TriageTestDetailApi(APIView):
    """GET, PUT (replace) or DELETE one saved test case."""

    permission_classes = [IsAdmin]

    class InputSerializer(_TestCaseFields):
        pass

    class OutputSerializer(_TestCaseOut):
        pass

    @extend_schema(responses={200: OutputSerializer})
    def get(self, request: Request, test_id: int) -> Response:
        return Response(self.OutputSerializer(_test_or_404(test_id)).data)

    @extend_schema(request=InputSerializer, responses={200: OutputSerializer})
    def put(self, request: Request, test_id: int) -> Response:
        test = _test_or_404(test_id)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        test = services.triage_test_save(actor=request.user, test=test, **serializer.validated_data)
        return Response(self.OutputSerializer(test).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, test_id: int) -> Response:
        services.triage_test_delete(test=_test_or_404(test_id), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


def _name_schema_components() -> None:
    """Give each nested serializer a unique OpenAPI component name ("RuleSetPublishInput"):
    drf-spectacular names them after the class, and every API here has an InputSerializer."""
    for view in (
        RuleSetsApi,
        RuleSetDetailApi,
        RuleSetRulesSaveApi,
        RuleSetValidateApi,
        RuleSetPublishApi,
        RuleSetRollbackApi,
        RuleSetDiffApi,
        RuleSetImportApi,
        RuleSetTryApi,
        RuleSetTestApi,
        RuleSetWhatIfApi,
        TriageTestsApi,
        TriageTestDetailApi,
    ):
        for attr in ("InputSerializer", "OutputSerializer", "ListOutputSerializer"):
            serializer = view.__dict__.get(attr)
            if serializer is not None:
                name = view.__name__.removesuffix("Api") + attr.removesuffix("Serializer")
                serializer.Meta = type("Meta", (), {"ref_name": name})


_name_schema_components()
