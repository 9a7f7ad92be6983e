"""Rule editor screens (admins). Rule fields are edited in the browser by static/js/rules.js through
the API (autosave with optimistic locking); publishing, rollback, import and discard are plain forms."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from acs_dispatch.exceptions import DispatchError, ValidationFailed
from acs_dispatch.roles import Role
from acs_dispatch.views import role_required
from triage import selectors, services
from triage.forms import DiffForm, DraftCreateForm, ImportForm, PublishForm, RollbackForm
from triage.models import RuleSet


def _ruleset_or_404(ruleset_id: int) -> RuleSet:
    ruleset = selectors.ruleset_get(ruleset_id=ruleset_id)
    if ruleset is None:
        raise Http404("No such rule set.")
    return ruleset


def _error_lines(exc: DispatchError) -> list[str]:
    errors = exc.extra.get("errors") or []
    if isinstance(errors, dict):
        return [f"{field}: {'; '.join(map(str, msgs))}" for field, msgs in errors.items()]
    lines = []
    for e in errors:
        where = f"Rule {e['index'] + 1} “{e['rule']}”, " if e.get("index", -1) >= 0 else ""
        lines.append(f"{where}{e['field']}: {e['message']}")
    return lines


@role_required(Role.ADMIN)
def rulesets(request: HttpRequest) -> HttpResponse:
    history = list(selectors.rulesets_history())
    return render(
        request,
        "triage/rulesets.html",
        {
            "screen": "rules",
            "published": next((r for r in history if r.status == RuleSet.Status.PUBLISHED), None),
            "history": history,
            "drafts": selectors.rulesets_drafts(),
            "import_form": ImportForm(),
            "draft_form": DraftCreateForm(),
            "diff_form": DiffForm(),
        },
    )


@role_required(Role.ADMIN)
@require_POST
def ruleset_draft_new(request: HttpRequest) -> HttpResponse:
    form = DraftCreateForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Could not start a draft.")
        return redirect("triage:rulesets")
    based_on = _ruleset_or_404(form.cleaned_data["based_on"]) if form.cleaned_data.get("based_on") else None
    draft = services.ruleset_draft_create(
        actor=request.user, based_on=based_on, name=form.cleaned_data["name"]
    )
    messages.success(
        request, f"Draft started from {'v' + str(draft.based_on.version) if draft.based_on else 'scratch'}."
    )
    return redirect("triage:ruleset", ruleset_id=draft.pk)


@role_required(Role.ADMIN)
def ruleset_detail(request: HttpRequest, ruleset_id: int) -> HttpResponse:
    ruleset = _ruleset_or_404(ruleset_id)
    specs = selectors.ruleset_rules_spec(ruleset=ruleset)
    context = {
        "screen": "rules",
        "ruleset": ruleset,
        "rules": specs,
        "published": selectors.ruleset_published(),
        "modes": selectors.engine_modes(),
    }
    if ruleset.status == RuleSet.Status.DRAFT:
        context |= {
            "editor": {
                "id": ruleset.pk,
                "lock_version": ruleset.lock_version,
                "rules": specs,
                "modes": selectors.engine_modes(),
                "call_types": selectors.call_types_options(),
                "zones": selectors.zone_names(),
                "issues": selectors.ruleset_specs_validate(specs=specs),
                "sdpd_calls": selectors.replay_sdpd_count(),
            },
            "publish_form": PublishForm(initial={"lock_version": ruleset.lock_version}),
        }
        return render(request, "triage/editor.html", context)
    # The editor publishes over the API and comes here with ?published: say so, as the form does.
    if "published" in request.GET and ruleset.status == RuleSet.Status.PUBLISHED:
        messages.success(request, f"v{ruleset.version} is live.")
    context["rollback_form"] = RollbackForm()
    context["draft_form"] = DraftCreateForm(initial={"based_on": ruleset.pk})
    return render(request, "triage/ruleset.html", context)


@role_required(Role.ADMIN)
@require_POST
def ruleset_publish_view(request: HttpRequest, ruleset_id: int) -> HttpResponse:
    ruleset = _ruleset_or_404(ruleset_id)
    form = PublishForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, "Not published: " + "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items())
        )
        return redirect("triage:ruleset", ruleset_id=ruleset.pk)
    try:
        published = services.ruleset_publish(
            ruleset=ruleset,
            notes=form.cleaned_data["notes"],
            lock_version=form.cleaned_data["lock_version"],
            actor=request.user,
        )
    except DispatchError as exc:
        messages.error(request, f"Not published: {exc.message}")
        for line in _error_lines(exc):
            messages.error(request, line)
        return redirect("triage:ruleset", ruleset_id=ruleset.pk)
    messages.success(request, f"v{published.version} is live.")
    return redirect("triage:ruleset", ruleset_id=published.pk)


@role_required(Role.ADMIN)
@require_POST
def ruleset_rollback_view(request: HttpRequest, ruleset_id: int) -> HttpResponse:
    ruleset = _ruleset_or_404(ruleset_id)
    form = RollbackForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Not rolled back: a note saying why is required.")
        return redirect("triage:ruleset", ruleset_id=ruleset.pk)
    try:
        published = services.ruleset_rollback(
            ruleset=ruleset, notes=form.cleaned_data["notes"], actor=request.user
        )
    except DispatchError as exc:
        messages.error(request, f"Not rolled back: {exc.message}")
        return redirect("triage:ruleset", ruleset_id=ruleset.pk)
    messages.success(request, f"Rolled back: v{published.version} (a copy of v{ruleset.version}) is live.")
    return redirect("triage:ruleset", ruleset_id=published.pk)


@role_required(Role.ADMIN)
@require_POST
def ruleset_discard_view(request: HttpRequest, ruleset_id: int) -> HttpResponse:
    ruleset = _ruleset_or_404(ruleset_id)
    try:
        services.ruleset_draft_discard(ruleset=ruleset, actor=request.user)
    except DispatchError as exc:
        messages.error(request, exc.message)
        return redirect("triage:ruleset", ruleset_id=ruleset.pk)
    messages.success(request, "Draft discarded.")
    return redirect("triage:rulesets")


@role_required(Role.ADMIN)
def ruleset_import_view(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            draft = services.ruleset_import(
                content=upload.read(services.IMPORT_MAX_BYTES + 1),
                filename=upload.name,
                name=form.cleaned_data["name"],
                actor=request.user,
            )
        except ValidationFailed as exc:
            errors = [exc.message, *_error_lines(exc)]
        else:
            messages.success(request, f"Imported {upload.name} as a new draft.")
            return redirect("triage:ruleset", ruleset_id=draft.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "triage/import.html", {"screen": "rules", "form": form, "errors": errors}, status=status
    )


@role_required(Role.ADMIN)
def ruleset_diff_view(request: HttpRequest) -> HttpResponse:
    form = DiffForm(request.GET or None)
    diff = None
    if form.is_valid():
        diff = selectors.ruleset_diff(old=form.cleaned_data["a"], new=form.cleaned_data["b"])
    return render(request, "triage/diff.html", {"screen": "rules", "form": form, "diff": diff})
