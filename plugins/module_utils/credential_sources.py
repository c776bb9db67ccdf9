# -*- coding: utf-8 -*-
# Copyright (c) alicloud.ens contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Where credentials come from, read without any request: the aliyun CLI config file and a non-secret identity.

The credential chain (credentials.py) builds providers from these; the lookup's
run cache needs only ``identity()`` and ``region_from_profile()``, so they live
here, away from the transport: a lookup answered from the cache imports neither
the transport nor ``requests``. Nothing here ever puts a secret into a message
or an identity.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
from collections import namedtuple

from ansible_collections.alicloud.ens.plugins.module_utils.errors import EnsCredentialError

DEFAULT_CONFIG_FILE = "~/.aliyun/config.json"
DEFAULT_PROFILE_NAME = "default"
CURRENT_PROFILE = "(current)"  # how messages name the profile when none was asked for

PROFILE_REQUIRED_FIELDS = {
    "AK": ("access_key_id", "access_key_secret"),
    "StsToken": ("access_key_id", "access_key_secret", "sts_token"),
    "RamRoleArn": ("access_key_id", "access_key_secret", "ram_role_arn"),
    "EcsRamRole": ("ram_role_name",),
}

ProfileChoice = namedtuple("ProfileChoice", "path name profile")


def profile_label(path, name):
    return "profile %r in %s" % (name, path)


def config_file_path(reader):
    """The aliyun CLI config file the options name, with ``~`` expanded."""
    return os.path.expanduser(reader.get("config_file") or DEFAULT_CONFIG_FILE)


# ---------------------------------------------------------------------------
# Pure parts: the config file's JSON and the chosen profile

def parse_config(text, path, requested=None):
    """The aliyun CLI config file's JSON object; ``EnsCredentialError`` naming the file and profile when it is not one."""
    label = profile_label(path, requested or CURRENT_PROFILE)
    try:
        config = json.loads(text)
    except ValueError as exc:
        raise EnsCredentialError("%s: the aliyun CLI config file is not valid JSON (line %s, column %s)"
                                 % (label, getattr(exc, "lineno", "?"), getattr(exc, "colno", "?")))
    if not isinstance(config, dict) or not isinstance(config.get("profiles", []), list):
        raise EnsCredentialError("%s: the file is not an aliyun CLI config (expected an object with a list 'profiles')" % label)
    return config


def profile_name_to_use(config, requested=None):
    """The option's profile, else the file's ``current``, else ``default`` (as the aliyun CLI does)."""
    return requested or config.get("current") or DEFAULT_PROFILE_NAME


def select_profile(config, path, requested=None):
    """The chosen profile dict, checked: ``EnsCredentialError`` naming the file and the profile otherwise."""
    name = profile_name_to_use(config, requested)
    profiles = [entry for entry in config.get("profiles", []) if isinstance(entry, dict)]
    for profile in profiles:
        if profile.get("name") == name:
            check_profile(profile, path, name)
            return profile
    known = ", ".join(sorted(str(profile.get("name")) for profile in profiles)) or "none"
    raise EnsCredentialError("%s not found (profiles in the file: %s)" % (profile_label(path, name), known))


def check_profile(profile, path, name):
    """Raise ``EnsCredentialError`` when the profile's mode is unsupported or a field it needs is missing."""
    mode = profile.get("mode")
    if mode not in PROFILE_REQUIRED_FIELDS:
        raise EnsCredentialError("%s has mode %r, which alicloud.ens does not support (supported: %s)"
                                 % (profile_label(path, name), mode, ", ".join(sorted(PROFILE_REQUIRED_FIELDS))))
    missing = [field for field in PROFILE_REQUIRED_FIELDS[mode] if not profile.get(field)]
    if missing:
        raise EnsCredentialError("%s (mode %s) is missing %s" % (profile_label(path, name), mode, ", ".join(missing)))


# ---------------------------------------------------------------------------
# Reading the file

def find_profile(reader):
    """``ProfileChoice`` of the config file, or ``None`` when the default file is absent and no profile was asked for."""
    path = config_file_path(reader)
    requested = reader.get("profile")
    if not os.path.exists(path):
        if requested or path != os.path.expanduser(DEFAULT_CONFIG_FILE):
            raise EnsCredentialError("%s: the aliyun CLI config file does not exist" % profile_label(path, requested or CURRENT_PROFILE))
        return None
    try:
        with open(path, "rb") as config_file:
            text = config_file.read().decode("utf-8")
    except (IOError, OSError, UnicodeDecodeError) as exc:
        raise EnsCredentialError("%s: the aliyun CLI config file cannot be read (%s)"
                                 % (profile_label(path, requested or CURRENT_PROFILE), type(exc).__name__))
    config = parse_config(text, path, requested)
    profile = select_profile(config, path, requested)
    return ProfileChoice(path, profile_name_to_use(config, requested), profile)


def region_from_profile(reader):
    """The chosen profile's ``region_id``, or ``None``; a broken file is reported by the chain, not here."""
    try:
        choice = find_profile(reader)
    except EnsCredentialError:
        return None
    if choice is None:
        return None
    return choice.profile.get("region_id") or None


# ---------------------------------------------------------------------------
# The identity of the source, for cache keys

def identity(reader):
    """A non-secret name for where the credentials come from, for cache keys; never raises for a broken file."""
    role_arn = reader.get("assume_role_arn")
    return base_identity(reader) + ("+role:%s" % role_arn if role_arn else "")


def base_identity(reader):
    access_key_id = reader.get("access_key_id")
    if access_key_id:
        return "key:%s" % access_key_id
    try:
        choice = find_profile(reader)
    except EnsCredentialError:
        return "profile:%s#%s" % (config_file_path(reader), reader.get("profile") or "")
    if choice is not None:
        return "profile:%s#%s" % (choice.path, choice.name)
    role_name = reader.get("ecs_role_name")
    if role_name:
        return "ecs-role:%s" % role_name
    return "none"
