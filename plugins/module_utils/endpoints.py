# -*- coding: utf-8 -*-
# Copyright (c) alicloud.ens contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which URL an ENS request goes to: pure functions, no I/O.

An explicit ``endpoint`` wins; otherwise the region picks the host as ENS_API.md
maps it, and without a region the central endpoint ``ens.aliyuncs.com`` serves.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from urllib.parse import urlsplit

from ansible_collections.alicloud.ens.plugins.module_utils.errors import EnsOptionError

CENTRAL_HOST = "ens.aliyuncs.com"

# Regions served by the central endpoint rather than ens.<region>.aliyuncs.com.
CENTRAL_REGIONS = frozenset([
    "cn-beijing",
    "cn-zhangjiakou",
    "cn-wulanchabu",
    "cn-hangzhou",
    "cn-shanghai",
    "cn-heyuan",
    "cn-chengdu",
])

ENDPOINT_TYPES = ("public", "vpc")
URL_SCHEMES = ("http", "https")

REGION_PATTERN = re.compile(r"^[a-z0-9-]+$")
HOST_PATTERN = re.compile(r"^(?:[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*\.?|\[[0-9A-Fa-f:.]+\])$")

ENDPOINT_SYNTAX = ("a host (ens.aliyuncs.com), host:port (127.0.0.1:8443), "
                   "or an http/https URL with optional port (https://127.0.0.1:8443)")


def resolve_endpoint(endpoint=None, region_id=None, endpoint_type="public"):
    """The base URL ``scheme://host[:port]`` (no trailing slash) of the ENS API."""
    region = validate_region(region_id)
    kind = validate_endpoint_type(endpoint_type)
    if endpoint is not None and str(endpoint).strip():
        return endpoint_url(str(endpoint).strip())
    return "https://" + region_host(region, kind)


def validate_region(region_id):
    """The region ID, or ``None`` when unset; a malformed one is an ``EnsOptionError``."""
    if region_id is None or region_id == "":
        return None
    if not isinstance(region_id, str) or not REGION_PATTERN.match(region_id):
        raise EnsOptionError(
            "region_id", "%r is not a region ID; expected lower-case letters, digits and '-', "
                         "such as cn-beijing or ap-southeast-1" % (region_id,))
    return region_id


def validate_endpoint_type(endpoint_type):
    kind = endpoint_type or "public"
    if kind not in ENDPOINT_TYPES:
        raise EnsOptionError("endpoint_type", "%r is not one of: %s" % (kind, ", ".join(ENDPOINT_TYPES)))
    return kind


def region_host(region_id, endpoint_type="public"):
    """The ENS host of a region (``None`` for the central one) and endpoint type."""
    if endpoint_type == "vpc":
        if region_id is None:
            raise EnsOptionError("region_id", "is required when endpoint_type is vpc "
                                              "(the VPC endpoint is ens-vpc.<region_id>.aliyuncs.com)")
        return "ens-vpc.%s.aliyuncs.com" % region_id
    if region_id is None or region_id in CENTRAL_REGIONS:
        return CENTRAL_HOST
    return "ens.%s.aliyuncs.com" % region_id


def endpoint_url(endpoint, option="endpoint"):
    """``scheme://host[:port]`` from a bare host, ``host:port`` or an http(s) URL.

    Errors name ``option``, so other endpoint options (the STS endpoint, ...) can reuse the rules.
    """
    has_scheme = "://" in endpoint
    parts = urlsplit(endpoint if has_scheme else "https://" + endpoint)
    scheme = parts.scheme.lower()
    if scheme not in URL_SCHEMES:
        raise _bad_endpoint(option, endpoint, "the scheme must be http or https")
    if "@" in parts.netloc:
        # Never echo user information back: it may hold a password.
        raise EnsOptionError(option, "must not contain user information; expected %s" % ENDPOINT_SYNTAX)
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise _bad_endpoint(option, endpoint, "it has a path, query or fragment")
    host = _host_of(parts.netloc)
    if not host or not HOST_PATTERN.match(host):
        raise _bad_endpoint(option, endpoint, "it has no valid host")
    port = _port_of(parts, endpoint, option)
    return "%s://%s%s" % (scheme, host.lower(), "" if port is None else ":%d" % port)


def _host_of(netloc):
    """The host part of ``netloc`` as written (IPv6 addresses keep their brackets)."""
    if netloc.startswith("["):
        return netloc[:netloc.find("]") + 1] if "]" in netloc else netloc
    return netloc.rsplit(":", 1)[0] if netloc.count(":") == 1 else netloc


def _port_of(parts, endpoint, option):
    try:
        port = parts.port
    except ValueError:
        port = -1
    if port is None and parts.netloc.endswith(":"):
        port = -1
    if port is not None and not 0 < port < 65536:
        raise _bad_endpoint(option, endpoint, "the port must be a number from 1 to 65535")
    return port


def _bad_endpoint(option, endpoint, reason):
    return EnsOptionError(option, "%r is not accepted: %s; expected %s" % (endpoint, reason, ENDPOINT_SYNTAX))


def endpoint_from_options(reader, profile_region):
    """The ENS base URL for the options in ``reader``: ``endpoint``, else the region's.

    The region is the ``region_id`` option, else ``profile_region(reader)`` (the
    aliyun CLI profile's), which is not consulted when an endpoint is given.
    """
    region_id = reader.get("region_id") or (None if reader.get("endpoint") else profile_region(reader))
    return resolve_endpoint(reader.get("endpoint"), region_id, reader.get("endpoint_type") or "public")
