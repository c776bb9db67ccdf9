# -*- coding: utf-8 -*-
# Copyright (c) alicloud.ens contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The credential chain: where a task's Alibaba Cloud credentials come from.

The first source that yields credentials wins:

1. the options ``access_key_id`` / ``access_key_secret`` / ``security_token``,
   which the reader has already merged with their environment variables;
2. a profile of the aliyun CLI config file (``profile``, ``config_file``);
3. the ECS RAM role of the instance (``ecs_role_name``), from the instance
   metadata service in its hardened (token) mode.

``assume_role_arn`` then assumes a role with STS on top of whichever source won
(a ``RamRoleArn`` profile takes the same path). Temporary credentials are kept
until shortly before they expire. Nothing here ever puts a secret or a token
into a message.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import calendar
import json
import os
import threading
import time
from collections import namedtuple

from ansible_collections.alicloud.ens.plugins.module_utils.credential_sources import DEFAULT_CONFIG_FILE, find_profile
from ansible_collections.alicloud.ens.plugins.module_utils.endpoints import endpoint_url
from ansible_collections.alicloud.ens.plugins.module_utils.errors import EnsApiError, EnsCredentialError, EnsOptionError
from ansible_collections.alicloud.ens.plugins.module_utils.options import CONNECTION_OPTIONS
from ansible_collections.alicloud.ens.plugins.module_utils.transport import (
    Credentials,
    SignedTransport,
    StaticCredentials,
    close_provider,
    request_failures,
    simple_request,
)

DEFAULT_ECS_METADATA_ENDPOINT = "http://100.100.100.200"
DEFAULT_STS_ENDPOINT = "sts.aliyuncs.com"
DEFAULT_SESSION_NAME = "alicloud-ens-ansible"
DEFAULT_ASSUME_ROLE_DURATION = 3600
MIN_ASSUME_ROLE_DURATION = 900
STS_API_VERSION = "2015-04-01"

ECS_METADATA_TOKEN_PATH = "/latest/api/token"
ECS_METADATA_CREDENTIALS_PATH = "/latest/meta-data/ram/security-credentials/"
ECS_METADATA_TOKEN_TTL_SECONDS = 21600
# (connect, read) seconds: off ECS the metadata address does not answer, and a task must not hang on it.
ECS_METADATA_TIMEOUT = (1, 3)

# Temporary credentials are replaced this long before they expire, or a fifth of their
# lifetime when that is shorter, so a short-lived token is not replaced on every call.
MAX_REFRESH_MARGIN = 300
REFRESH_MARGIN_SHARE = 0.2

AssumeRoleSettings = namedtuple("AssumeRoleSettings", "role_arn session_name duration policy external_id")


# ---------------------------------------------------------------------------
# Messages: which options and environment variables a user can set

def env_names(option):
    """The environment variables of an option, from the one option table."""
    return tuple(CONNECTION_OPTIONS.get(option, {}).get("env") or ())


def describe_option(option):
    """``option (environment A, B)``: every way a user sets one option."""
    names = env_names(option)
    if not names:
        return option
    return "%s (environment %s)" % (option, ", ".join(names))


def describe_options(options):
    return " / ".join(describe_option(option) for option in options)


# ---------------------------------------------------------------------------
# Pure parts: expiry, settings, API responses

def parse_expiration(text):
    """Seconds since the epoch of an ``Expiration`` such as ``2024-02-20T10:00:00Z`` (UTC)."""
    return calendar.timegm(time.strptime(text, "%Y-%m-%dT%H:%M:%SZ"))


def refresh_margin(lifetime):
    """How long before expiry credentials that lived ``lifetime`` seconds are replaced."""
    return min(MAX_REFRESH_MARGIN, max(lifetime, 0) * REFRESH_MARGIN_SHARE)


def refresh_due(now, fetched_at, expires_at):
    """True when credentials fetched at ``fetched_at`` and expiring at ``expires_at`` must be replaced."""
    return now >= expires_at - refresh_margin(expires_at - fetched_at)


def profile_key_credentials(profile):
    """The long-term (or, for ``StsToken``, temporary) keys written in a key-based profile."""
    return Credentials(profile["access_key_id"], profile["access_key_secret"], profile.get("sts_token") or None)


def to_duration(value, option="assume_role_duration"):
    """Seconds of an assumed role's session: an integer of at least 900."""
    try:
        duration = int(value)
    except (TypeError, ValueError):
        raise EnsOptionError(option, "must be a whole number of seconds, got %r" % (value,))
    if duration < MIN_ASSUME_ROLE_DURATION:
        raise EnsOptionError(option, "must be at least %d seconds, got %d" % (MIN_ASSUME_ROLE_DURATION, duration))
    return duration


def assume_role_settings(reader):
    """The ``assume_role_*`` options as ``AssumeRoleSettings``, or ``None`` without ``assume_role_arn``."""
    role_arn = reader.get("assume_role_arn")
    if not role_arn:
        return None
    return AssumeRoleSettings(
        role_arn=role_arn,
        session_name=reader.get("assume_role_session_name") or DEFAULT_SESSION_NAME,
        duration=to_duration(_or_default(reader.get("assume_role_duration"), DEFAULT_ASSUME_ROLE_DURATION)),
        policy=reader.get("assume_role_policy") or None,
        external_id=reader.get("assume_role_external_id") or None,
    )


def profile_assume_role_settings(profile, reader):
    """``AssumeRoleSettings`` of a ``RamRoleArn`` profile; the profile's fields win over the options' defaults."""
    expired_seconds = profile.get("expired_seconds")
    duration = expired_seconds if expired_seconds else _or_default(reader.get("assume_role_duration"), DEFAULT_ASSUME_ROLE_DURATION)
    return AssumeRoleSettings(
        role_arn=profile["ram_role_arn"],
        session_name=profile.get("ram_session_name") or reader.get("assume_role_session_name") or DEFAULT_SESSION_NAME,
        duration=to_duration(duration, "expired_seconds of the profile"),
        policy=profile.get("policy") or None,
        external_id=profile.get("external_id") or None,
    )


def assume_role_params(settings):
    """The query parameters of STS ``AssumeRole`` (``None`` values are left out by the signer)."""
    return {
        "RoleArn": settings.role_arn,
        "RoleSessionName": settings.session_name,
        "DurationSeconds": str(settings.duration),
        "Policy": settings.policy,
        "ExternalId": settings.external_id,
    }


def temporary_credentials(fields, source):
    """``(Credentials, expires_at)`` from a dict with ``AccessKeyId``, ``AccessKeySecret``, ``SecurityToken``, ``Expiration``."""
    try:
        credentials = Credentials(fields["AccessKeyId"], fields["AccessKeySecret"], fields["SecurityToken"])
        return credentials, parse_expiration(fields["Expiration"])
    except (KeyError, TypeError, ValueError):
        raise EnsCredentialError("%s returned no usable temporary credentials (expected AccessKeyId, AccessKeySecret, "
                                 "SecurityToken and an Expiration like 2024-02-20T10:00:00Z)" % source)


def sts_response_credentials(body, role_arn):
    return temporary_credentials((body or {}).get("Credentials"), "STS AssumeRole of %s" % role_arn)


def metadata_response_credentials(body, role_name):
    source = "the ECS metadata service for RAM role %r" % role_name
    if not isinstance(body, dict) or body.get("Code") != "Success":
        code = body.get("Code") if isinstance(body, dict) else None
        raise EnsCredentialError("%s answered Code %r instead of 'Success'" % (source, code))
    return temporary_credentials(body, source)


def option_url(option, value, default_scheme):
    """``scheme://host[:port]`` of an option that holds a host or URL; a bare host gets ``default_scheme``."""
    text = str(value).strip()
    if "://" not in text:
        text = "%s://%s" % (default_scheme, text)
    return endpoint_url(text, option=option)


def _or_default(value, default):
    return default if value is None or value == "" else value


# ---------------------------------------------------------------------------
# Providers: objects with .get() -> Credentials, and close() when they hold connections

class RefreshingCredentials:
    """Temporary credentials from ``fetch()`` -> ``(Credentials, expires_at)``, fetched again shortly before expiry.

    Thread-safe: concurrent callers wait for one fetch instead of each making their own.
    """

    def __init__(self, fetch, clock=time.time):
        self._fetch = fetch
        self._clock = clock
        self._lock = threading.Lock()
        self._credentials = None
        self._fetched_at = None
        self._expires_at = None

    def get(self):
        with self._lock:
            if self._credentials is None or refresh_due(self._clock(), self._fetched_at, self._expires_at):
                fetched_at = self._clock()
                self._credentials, self._expires_at = self._fetch()
                self._fetched_at = fetched_at
            return self._credentials

    def close(self):
        """Close what the fetcher holds open (the STS transport's connections)."""
        close_provider(self._fetch)


class AssumeRoleFetcher:
    """Calls STS ``AssumeRole`` with the base credentials, through a V1-signed ``SignedTransport``."""

    def __init__(self, base_provider, settings, sts_url, transport_options):
        self.settings = settings
        self.sts_url = sts_url
        self._transport = SignedTransport(sts_url, base_provider, **sts_transport_options(transport_options))

    def close(self):
        self._transport.close()

    def __call__(self):
        try:
            body = self._transport.call("AssumeRole", STS_API_VERSION, assume_role_params(self.settings))
        except EnsApiError as exc:
            raise EnsCredentialError("STS AssumeRole of %s at %s failed: %s" % (self.settings.role_arn, self.sts_url, exc))
        return sts_response_credentials(body, self.settings.role_arn)


def sts_transport_options(transport_options):
    """The caller's transport options for the STS call; STS is always V1-signed."""
    options = dict(transport_options or {})
    for name in ("endpoint_url", "credentials_provider"):
        options.pop(name, None)
    options["signature_version"] = "v1"
    return options


class EcsMetadataFetcher:
    """The ECS RAM role's credentials from the instance metadata service, in hardened (token) mode."""

    def __init__(self, role_name, metadata_url, verify=True, timeout=ECS_METADATA_TIMEOUT):
        self.role_name = role_name
        self.metadata_url = metadata_url
        self._verify = verify
        self._timeout = timeout

    def __call__(self):
        # Never through a proxy: the metadata service answers on the instance's own link.
        token = self._request("PUT", ECS_METADATA_TOKEN_PATH,
                              {"X-aliyun-ecs-metadata-token-ttl-seconds": str(ECS_METADATA_TOKEN_TTL_SECONDS)})
        body = self._request("GET", ECS_METADATA_CREDENTIALS_PATH + self.role_name,
                             {"X-aliyun-ecs-metadata-token": token})
        try:
            fields = json.loads(body)
        except ValueError:
            raise EnsCredentialError("the ECS metadata service at %s answered RAM role %r with something that is not JSON"
                                     % (self.metadata_url, self.role_name))
        return metadata_response_credentials(fields, self.role_name)

    def _request(self, method, path, headers):
        what = "ECS RAM role %r: %s %s%s" % (self.role_name, method, self.metadata_url, path)
        try:
            status, content = simple_request(method, self.metadata_url + path, headers, self._timeout, self._verify)
        except request_failures() as exc:
            raise EnsCredentialError("%s failed: %s (is this an ECS instance, and is ecs_metadata_endpoint right?)"
                                     % (what, type(exc).__name__))
        if status != 200:
            raise EnsCredentialError("%s answered HTTP %s" % (what, status))
        return content.decode("utf-8", "replace")


def metadata_verify(transport_options):
    """What to verify the metadata service's certificate with (``verify_setting``), from ``validate_certs``/``ca_path``."""
    options = transport_options or {}
    if options.get("validate_certs") is False:
        return False
    return options.get("ca_path") or True


# ---------------------------------------------------------------------------
# The chain

def provider_from_keys(reader, transport_options):
    credentials = credentials_from_keys(reader)
    return StaticCredentials(credentials) if credentials is not None else None


def provider_from_profile(reader, transport_options):
    choice = find_profile(reader)
    if choice is None:
        return None
    profile = choice.profile
    mode = profile["mode"]
    if mode in ("AK", "StsToken"):
        return StaticCredentials(profile_key_credentials(profile))
    if mode == "RamRoleArn":
        base = StaticCredentials(profile_key_credentials(profile))
        return assume_role_provider(base, profile_assume_role_settings(profile, reader), reader, transport_options)
    return ecs_role_provider(profile["ram_role_name"], reader, transport_options)


def provider_from_ecs_role(reader, transport_options):
    role_name = reader.get("ecs_role_name")
    if not role_name:
        return None
    return ecs_role_provider(role_name, reader, transport_options)


def ecs_role_provider(role_name, reader, transport_options):
    metadata_url = option_url("ecs_metadata_endpoint", reader.get("ecs_metadata_endpoint") or DEFAULT_ECS_METADATA_ENDPOINT, "http")
    return RefreshingCredentials(EcsMetadataFetcher(role_name, metadata_url, verify=metadata_verify(transport_options)))


def assume_role_provider(base_provider, settings, reader, transport_options):
    sts_url = option_url("sts_endpoint", reader.get("sts_endpoint") or DEFAULT_STS_ENDPOINT, "https")
    return RefreshingCredentials(AssumeRoleFetcher(base_provider, settings, sts_url, transport_options))


def credentials_from_keys(reader):
    """``Credentials`` from the key options, ``None`` when neither key is set."""
    access_key_id = reader.get("access_key_id")
    access_key_secret = reader.get("access_key_secret")
    if not access_key_id and not access_key_secret:
        return None
    if not access_key_id or not access_key_secret:
        missing = "access_key_secret" if access_key_id else "access_key_id"
        present = "access_key_id" if access_key_id else "access_key_secret"
        raise EnsCredentialError("%s is set but %s is not: set both (%s), or neither to use another credential source"
                                 % (present, missing, describe_options(("access_key_id", "access_key_secret"))))
    return Credentials(access_key_id, access_key_secret, reader.get("security_token") or None)


CHAIN = (provider_from_keys, provider_from_profile, provider_from_ecs_role)


def sources_tried(reader):
    """One line per source of the chain, naming its options, environment variables and file."""
    config_file = os.path.expanduser(reader.get("config_file") or DEFAULT_CONFIG_FILE)
    return [
        "access keys: %s" % describe_options(("access_key_id", "access_key_secret", "security_token")),
        "aliyun CLI profile: %s, file %s (not found)" % (describe_options(("profile", "config_file")), config_file),
        "ECS RAM role: %s (not set)" % describe_options(("ecs_role_name",)),
    ]


def base_provider(reader, transport_options):
    for source in CHAIN:
        provider = source(reader, transport_options)
        if provider is not None:
            return provider
    raise EnsCredentialError("No Alibaba Cloud credentials found. Tried, in order: %s." % "; ".join(sources_tried(reader)))


def credentials_from_options(reader, transport_options):
    """A credentials provider (``.get()`` -> ``Credentials``) from the first source that has credentials.

    ``transport_options`` are ``SignedTransport`` keyword arguments
    (``validate_certs``, ``ca_path``, ``timeout``, ``max_retries``, ...) used
    for the calls the chain itself makes: STS, and the metadata service's TLS
    settings. Raises ``EnsCredentialError`` when no source has credentials or a
    source is broken, and ``EnsOptionError`` for a bad ``assume_role_duration``.
    """
    settings = assume_role_settings(reader)
    provider = base_provider(reader, transport_options)
    if settings is None:
        return provider
    return assume_role_provider(provider, settings, reader, transport_options)
