"""JSON bodies checked before they are parsed: a 10 KB body nested 5,000 deep made json.loads raise
RecursionError (a 500) on every JSON endpoint, the anonymous token endpoint included; a NUL in a
string reached PostgreSQL, which refuses it (another 500). Both are now a 400 in the one shape."""

from __future__ import annotations

import json

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from live.consumers import frame_depth_exceeds  # the same linear scan the sockets use

MAX_DEPTH = 32  # our deepest body (a rule set) nests about 6


class SafeJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        raw = stream.read() if stream is not None else b""
        try:
            text = raw.decode((parser_context or {}).get("encoding") or "utf-8")
        except UnicodeDecodeError as exc:
            raise ParseError("The body is not UTF-8.") from exc
        if frame_depth_exceeds(text, MAX_DEPTH):
            raise ParseError(f"The JSON is nested deeper than {MAX_DEPTH} levels.")
        if "\\u0000" in text or "\x00" in text:
            raise ParseError("Text may not contain a NUL character.")
        try:
            return json.loads(text) if text.strip() else {}
        except ValueError as exc:
            raise ParseError(f"JSON parse error: {exc}") from exc
