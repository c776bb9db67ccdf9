"""What the emulator's handlers return; the HTTP layer writes it out.

Standard library only and nothing from beside this file.
"""

import json
from collections import namedtuple

JSON_TYPE = "application/json;charset=utf-8"
TEXT_TYPE = "text/plain;charset=utf-8"

Response = namedtuple("Response", "status body content_type headers")
# A handler result meaning: drop the connection without answering.
RESET = object()


def json_response(status, document, headers=None):
    return Response(status, json.dumps(document).encode("utf-8"), JSON_TYPE, dict(headers or {}))


def text_response(status, text, content_type=TEXT_TYPE, headers=None):
    return Response(status, text.encode("utf-8"), content_type, dict(headers or {}))
