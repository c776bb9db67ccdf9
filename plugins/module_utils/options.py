# -*- coding: utf-8 -*-
# Copyright (c) alicloud.ens contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one table of connection options, and the readers that hide where option values come from.

Modules turn ``CONNECTION_OPTIONS`` into an ``argument_spec`` (``env_fallback``
supplies the environment variables); the lookup documents the same options
with ``env:`` entries (doc_fragments/ens.py, kept in sync by a unit test).
Everything below the adapters reads options through a reader with
``.get(name, default=None)``, never through a module or a plugin, as
community.hashi_vault's ``HashiVaultOptionAdapter`` does. ``DictOptionReader`` is here;
the plugins' reader is plugin_utils/plugin_options.py (controller-only code).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.module_utils.common.parameters import env_fallback


def _option(option_type, description, aliases=(), env=(), default=None, choices=None, no_log=False):
    return {
        "type": option_type,
        "aliases": tuple(aliases),
        "env": tuple(env),
        "default": default,
        "choices": tuple(choices) if choices else None,
        "no_log": no_log,
        "description": description,
    }


# Order matters: it is the order of the argument spec and of the documentation.
# When both an option and its environment variables are set, the option wins;
# among environment variables, the first one set wins.
CONNECTION_OPTIONS = {
    "access_key_id": _option(
        "str", "Alibaba Cloud access key ID.",
        aliases=("access_key", "alicloud_access_key"),
        env=("ALIBABA_CLOUD_ACCESS_KEY_ID", "ALICLOUD_ACCESS_KEY_ID", "ALICLOUD_ACCESS_KEY")),
    "access_key_secret": _option(
        "str", "Alibaba Cloud access key secret.",
        aliases=("secret_key", "alicloud_secret_key"),
        env=("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALICLOUD_ACCESS_KEY_SECRET", "ALICLOUD_SECRET_KEY"),
        no_log=True),
    "security_token": _option(
        "str", "STS security token, for temporary credentials.",
        aliases=("alicloud_security_token",),
        env=("ALIBABA_CLOUD_SECURITY_TOKEN", "ALICLOUD_SECURITY_TOKEN"),
        no_log=True),
    "region_id": _option(
        "str", "Region whose ENS endpoint to use, for example V(cn-beijing) or V(ap-southeast-1). "
               "ENS has no region parameter; the region only picks the endpoint host.",
        aliases=("region", "alicloud_region"),
        env=("ALIBABA_CLOUD_REGION_ID", "ALICLOUD_REGION_ID", "ALICLOUD_REGION")),
    "endpoint": _option(
        "str", "ENS endpoint: a host such as V(ens.aliyuncs.com), or a URL with scheme and port "
               "such as V(https://127.0.0.1:8443). Overrides the endpoint of O(region_id).",
        env=("ALIBABA_CLOUD_ENS_ENDPOINT",)),
    "endpoint_type": _option(
        "str", "Which endpoint of O(region_id) to use: the public one or the VPC one.",
        default="public", choices=("public", "vpc")),
    "signature_version": _option(
        "str", "Request signature algorithm: V(v3) (ACS3-HMAC-SHA256) or V(v1) (HMAC-SHA1).",
        env=("ALIBABA_CLOUD_ENS_SIGNATURE_VERSION",), default="v3", choices=("v3", "v1")),
    "validate_certs": _option(
        "bool", "Whether to verify the endpoint's TLS certificate.", default=True),
    "ca_path": _option(
        "path", "CA bundle file used to verify the endpoint's TLS certificate."),
    "timeout": _option(
        "float", "Seconds to wait for each HTTP request.", default=10),
    "max_retries": _option(
        "int", "How many times to retry a request that failed in a retryable way "
               "(throttling, server errors, connection errors, timeouts).", default=8),
    "deadline": _option(
        "float", "Seconds the whole task may take, retries included.", default=300),
    "max_concurrency": _option(
        "int", "Most requests sent at the same time when listing several pages.", default=32),
    "profile": _option(
        "str", "Profile of the aliyun CLI config file to use; the file's C(current) profile when not set.",
        env=("ALIBABA_CLOUD_PROFILE", "ALICLOUD_PROFILE")),
    "config_file": _option(
        "path", "The aliyun CLI config file.", default="~/.aliyun/config.json",
        env=("ALIBABA_CLOUD_CONFIG_FILE", "ALICLOUD_SHARED_CREDENTIALS_FILE")),
    "ecs_role_name": _option(
        "str", "RAM role of the ECS instance, whose temporary credentials the instance metadata service gives.",
        env=("ALIBABA_CLOUD_ECS_METADATA", "ALICLOUD_ECS_ROLE_NAME")),
    "ecs_metadata_endpoint": _option(
        "str", "URL of the ECS instance metadata service.", default="http://100.100.100.200",
        env=("ALIBABA_CLOUD_ECS_METADATA_ENDPOINT",)),
    "assume_role_arn": _option(
        "str", "ARN of a RAM role to assume with STS on top of the credentials found.",
        env=("ALIBABA_CLOUD_ROLE_ARN", "ALICLOUD_ASSUME_ROLE_ARN")),
    "assume_role_session_name": _option(
        "str", "Session name of the assumed role.", default="alicloud-ens-ansible",
        env=("ALIBABA_CLOUD_ROLE_SESSION_NAME", "ALICLOUD_ASSUME_ROLE_SESSION_NAME")),
    "assume_role_duration": _option(
        "int", "Seconds the assumed role's credentials are valid, at least 900.", default=3600),
    "assume_role_policy": _option(
        "str", "A RAM policy (JSON) that further restricts the assumed role."),
    "assume_role_external_id": _option(
        "str", "External ID the role's trust policy requires.", no_log=True),
    "sts_endpoint": _option(
        "str", "STS endpoint used to assume O(assume_role_arn): a host, or a URL with scheme and port.",
        default="sts.aliyuncs.com", env=("ALIBABA_CLOUD_STS_ENDPOINT",)),
}


def argument_spec_entry(row):
    """One ``argument_spec`` entry from a row of ``CONNECTION_OPTIONS``."""
    entry = {"type": row["type"]}
    if row["aliases"]:
        entry["aliases"] = list(row["aliases"])
    if row["env"]:
        entry["fallback"] = (env_fallback, list(row["env"]))
    if row["default"] is not None:
        entry["default"] = row["default"]
    if row["choices"]:
        entry["choices"] = list(row["choices"])
    if row["no_log"]:
        entry["no_log"] = True
    return entry


def connection_argument_spec():
    """A new ``AnsibleModule`` argument spec of every connection option, in the table's order."""
    return dict((name, argument_spec_entry(row)) for name, row in CONNECTION_OPTIONS.items())


def _absent(value):
    return value is None


class DictOptionReader:
    """Reads options from a dict such as ``module.params``."""

    def __init__(self, params):
        self._params = params

    def get(self, name, default=None):
        value = self._params.get(name)
        return default if _absent(value) else value
