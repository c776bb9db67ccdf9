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


class EncodedJson:
    """A value of a document that is JSON text already (``json.dumps`` of it); ``json_response`` puts it in as is."""

    __slots__ = ("text",)

    def __init__(self, text):
        self.text = text


# What an EncodedJson stands for while the rest of the document is encoded: a string no
# emulator value holds (NUL bytes), encoded as json.dumps writes it.
_MARK = "\x00encoded-json\x00"
_ENCODED_MARK = json.dumps(_MARK)


def dumps(document):
    """``json.dumps(document)``, with every ``EncodedJson`` value written as its text.

    The same text as ``json.dumps`` of the document with those values decoded;
    it saves encoding again what does not change between requests (a page of
    export records).
    """
    texts = []

    def encoded(value):
        if isinstance(value, EncodedJson):
            texts.append(value.text)
            return _MARK
        raise TypeError("Object of type %s is not JSON serializable" % type(value).__name__)

    text = json.dumps(document, default=encoded)
    if not texts:
        return text
    pieces = text.split(_ENCODED_MARK)
    if len(pieces) != len(texts) + 1:
        raise ValueError("a document value holds the EncodedJson mark")
    return "".join(piece + texts[index] for index, piece in enumerate(pieces[:-1])) + pieces[-1]


def json_response(status, document, headers=None):
    return Response(status, dumps(document).encode("utf-8"), JSON_TYPE, dict(headers or {}))


def text_response(status, text, content_type=TEXT_TYPE, headers=None):
    return Response(status, text.encode("utf-8"), content_type, dict(headers or {}))
