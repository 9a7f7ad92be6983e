from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class EidoReceipt(models.Model):
    """An EIDO received from another center (NENA-STA-021) and the call it became: who sent it,
    their incident id and dispatch group, the cautions and emergency resources it carried, and the
    document itself, as received."""

    call = models.OneToOneField("calls.Call", on_delete=models.PROTECT, related_name="eido_receipt")
    sender = models.CharField(max_length=255)  # issuingElementIdentification
    sender_agency = models.CharField(max_length=255, blank=True)  # updatedByAgencyReference
    eido_id = models.CharField(max_length=255)  # the document's $id
    incident_id = models.CharField(max_length=255)  # the sender's incident ($id of incidentComponent)
    dispatch_group = models.CharField(max_length=120, blank=True)  # their beatOrDispatchGroupText
    cautions = models.JSONField(default=list, blank=True)
    resources = models.JSONField(default=list, blank=True)  # their units: name, type, agency, status
    document = models.JSONField()
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            # A sender re-sending the same EIDO (a retry, a second transfer) gets the same call back.
            models.UniqueConstraint(fields=["sender", "eido_id"], name="eido_receipt_once_per_document"),
        ]

    def __str__(self) -> str:
        return f"EIDO {self.eido_id} from {self.sender} -> call {self.call_id}"
