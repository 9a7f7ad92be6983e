"""Server-side forms of the rule editor pages (the rule fields themselves are edited by rules.js over the API)."""

from __future__ import annotations

from django import forms

from triage.models import RuleSet


class DraftCreateForm(forms.Form):
    based_on = forms.IntegerField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(max_length=120, required=False, label="Draft name")


class PublishForm(forms.Form):
    notes = forms.CharField(
        label="What changed and why",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Required: the note is kept with the version and shown in its history.",
    )
    lock_version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)


class RollbackForm(forms.Form):
    notes = forms.CharField(label="Why roll back", max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class ImportForm(forms.Form):
    file = forms.FileField(label="Rule file (YAML or JSON)")
    name = forms.CharField(max_length=120, required=False, label="Draft name")


class DiffForm(forms.Form):
    a = forms.ModelChoiceField(queryset=RuleSet.objects.none(), label="From", to_field_name="pk")
    b = forms.ModelChoiceField(queryset=RuleSet.objects.none(), label="To", to_field_name="pk")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        sets = RuleSet.objects.order_by("status", "-version", "-updated_at")
        self.fields["a"].queryset = sets
        self.fields["b"].queryset = sets
        self.fields["a"].label_from_instance = _set_label
        self.fields["b"].label_from_instance = _set_label


def _set_label(ruleset: RuleSet) -> str:
    if ruleset.version:
        return f"v{ruleset.version} ({ruleset.get_status_display().lower()})"
    return f"Draft #{ruleset.pk}: {ruleset.name}"
