"""STS AssumeRole (Version 2015-04-01) as the emulator answers it.

The caller is already authenticated (V1 or V3) when ``assume_role`` runs; the
temporary key it issues is remembered by the ``KeyStore``, so the ENS actions
accept it, with its token, until it expires.
"""

import json
import random
import re

try:
    from .api_errors import invalid_parameter, missing
except ImportError:
    from api_errors import invalid_parameter, missing

STS_VERSION = "2015-04-01"
MIN_DURATION = 900
MAX_DURATION = 43200
DEFAULT_DURATION = 3600
_ROLE_ARN = re.compile(r"^acs:ram::(?P<account>[0-9]+):role/(?P<role>[A-Za-z0-9._@-]{1,64})$")
_SESSION_NAME = re.compile(r"^[A-Za-z0-9._@-]{2,64}$")


def parse_role_arn(value):
    """``(account, role name)`` of ``acs:ram::<digits>:role/<name>``, else ``InvalidParameter.RoleArn``."""
    match = _ROLE_ARN.match(value)
    if not match:
        raise invalid_parameter("RoleArn", "%r is not acs:ram::<account id>:role/<role name>." % value)
    return match.group("account"), match.group("role")


def parse_duration(params):
    raw = params.get("DurationSeconds") or str(DEFAULT_DURATION)
    try:
        duration = int(raw)
    except ValueError:
        raise invalid_parameter("DurationSeconds", "%r is not an integer." % raw)
    if not MIN_DURATION <= duration <= MAX_DURATION:
        raise invalid_parameter("DurationSeconds", "%d is out of range; it must be from %d to %d."
                                % (duration, MIN_DURATION, MAX_DURATION))
    return duration


def check_policy(params):
    policy = params.get("Policy")
    if not policy:
        return
    try:
        document = json.loads(policy)
    except ValueError:
        document = None
    if not isinstance(document, dict):
        raise invalid_parameter("PolicyGrammar", "Policy must be a JSON policy document.")


def parse_assume_role(params):
    """``(account, role, session name, duration seconds)``; every parameter checked."""
    for name in ("RoleArn", "RoleSessionName"):
        if not params.get(name):
            raise missing(name)
    account, role = parse_role_arn(params["RoleArn"])
    session_name = params["RoleSessionName"]
    if not _SESSION_NAME.match(session_name):
        raise invalid_parameter("RoleSessionName", "use 2 to 64 letters, digits, '.', '@', '-' or '_'.")
    check_policy(params)
    return account, role, session_name, parse_duration(params)


def assume_role(params, keystore, now, ttl_override=None):
    """The AssumeRole answer (without RequestId); issues a temporary key in ``keystore``."""
    account, role, session_name, duration = parse_assume_role(params)
    key = keystore.issue_temporary(ttl_override if ttl_override is not None else duration, now)
    role_id = "3%017d" % random.randrange(10 ** 17)
    return {
        "AssumedRoleUser": {
            "Arn": "acs:ram::%s:role/%s/%s" % (account, role.lower(), session_name),
            "AssumedRoleId": "%s:%s" % (role_id, session_name),
        },
        "Credentials": {
            "AccessKeyId": key.access_key_id,
            "AccessKeySecret": key.access_key_secret,
            "SecurityToken": key.security_token,
            "Expiration": key.expiration,
        },
    }
