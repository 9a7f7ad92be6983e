"""OpenAPI schema generation (drf-spectacular) fitted to the one-APIView-per-operation style."""

from __future__ import annotations

import re

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema


class AutoSchema(SpectacularAutoSchema):
    """Name each nested serializer after its view: every API has its own `InputSerializer` and
    `OutputSerializer` (STYLE.md §6), and without this they would all collide as "Input"/"Output"."""

    def get_serializer_name(self, serializer, direction):
        qualname = type(serializer).__qualname__
        if "." in qualname:
            # CallCreateApi.OutputSerializer.TriageSerializer -> CallCreateApiOutputTriage(Serializer)
            return qualname.replace("Serializer.", "").replace(".", "")
        return super().get_serializer_name(serializer, direction)

    def get_operation_id(self):
        """The view's own name (CallCreateApi -> call_create): unique by construction, and greppable
        from the schema back to the code. A view serving several methods adds the method."""
        name = re.sub(r"(?<!^)(?=[A-Z])", "_", type(self.view).__name__.removesuffix("Api")).lower()
        methods = [m for m in ("get", "post", "put", "patch", "delete") if hasattr(self.view, m)]
        return f"{name}_{self.method.lower()}" if len(methods) > 1 else name
