"""Websocket routes (the streams of DESIGN.md's public contract)."""

from __future__ import annotations

from django.urls import path

from calls.consumers import DispatchConsumer, SupervisorConsumer, UnitConsumer

websocket_urlpatterns: list = [
    path("ws/dispatch/", DispatchConsumer.as_asgi()),
    path("ws/supervisor/", SupervisorConsumer.as_asgi()),
    path("ws/unit/", UnitConsumer.as_asgi()),
]
