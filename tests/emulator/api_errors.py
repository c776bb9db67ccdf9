"""API errors as the emulator answers them: HTTP status, Code, Message, extra headers.

Standard library only and nothing from beside this file, so every other
emulator module can import it.
"""

import json


class ApiError(Exception):
    """An error answer: ``{"RequestId", "HostId", "Code", "Message", "Recommend"}``."""

    def __init__(self, status, code, message, headers=None):
        super().__init__("%s %s: %s" % (status, code, message))
        self.status = status
        self.code = code
        self.message = message
        self.headers = dict(headers or {})

    def body(self, request_id, host_id):
        return {
            "RequestId": request_id,
            "HostId": host_id,
            "Code": self.code,
            "Message": self.message,
            "Recommend": "https://api.aliyun.com/troubleshoot?q=%s&product=Ens&requestId=%s" % (self.code, request_id),
        }

    def body_bytes(self, request_id, host_id):
        return json.dumps(self.body(request_id, host_id)).encode("utf-8")


def missing(name):
    """A mandatory query parameter is absent: ``Missing<Name>``."""
    return ApiError(400, "Missing%s" % name,
                    'The input parameter "%s" that is mandatory for processing this request is not supplied.' % name)


def missing_header(name):
    """A mandatory V3 header is absent: ``MissingParameter`` naming the header."""
    return ApiError(400, "MissingParameter",
                    'The input parameter "%s" (a header) that is mandatory for processing this request is not supplied.' % name)


def invalid_parameter(field, message):
    return ApiError(400, "InvalidParameter.%s" % field, "The specified field %s is invalid: %s" % (field, message))


def incomplete_signature(message):
    return ApiError(400, "IncompleteSignature", "The request signature does not conform to Aliyun standards: %s" % message)
