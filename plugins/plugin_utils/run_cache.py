# -*- coding: utf-8 -*-
# Copyright (c) alicloud.ens contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The lookup's run-wide cache: one API call per question per ``ansible-playbook`` run.

Controller-only. Entries are JSON files (mode 0600) in the controller's per-run
temporary directory (``ansible.constants.DEFAULT_LOCAL_TMP``). Ansible creates
that directory once per run, before it forks its workers, so every host and
every fork sees the same directory, and Ansible removes it when the run ends.

Forks that ask the same question at the same moment still cause one call: each
key has a lock file; the first fork to take the lock computes and writes the
entry, the others wait for the lock and then read the entry.

Two kinds of entries share the directory:

- listings (``cache_key``): the API's normalised answer before any client-side
  filter, keyed by the SHA-256 hash of the endpoint, a non-secret credentials
  identity, the action and its parameters, so lookups with different filters
  over the same API call make one call;
- answers (``answer_key``): a plugin's final result, keyed by the SHA-256 hash
  of everything that result depends on (the plugin builds that ``question``),
  so a repeated lookup skips the query, filter and sort code altogether.

Neither keys nor entries ever hold a secret.

Every lookup runs in a fresh worker process, so what a cache hit costs is what
the worker compiles, imports and builds: this module holds what a hit reads
with, nothing more; the client-side pieces a miss needs (``CachedListings``,
``LazyClient``) are in cached_client.py.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib
import fcntl
import hashlib
import json
import os
import tempfile

CACHE_DIR_NAME = "alicloud_ens_run_cache"
KEY_FORMAT = 1
_MISSING = object()


def cache_key(endpoint, identity, action, params):
    """A stable hex key for one API question; parameter order does not matter."""
    return _digest({"endpoint": endpoint, "identity": identity, "action": action, "params": params or {}})


def answer_key(plugin, question):
    """A stable hex key for ``plugin``'s answer to ``question``, a JSON-able dict of everything the answer depends on.

    Keys of ``cache_key`` and ``answer_key`` never collide: the hashed material differs in shape.
    """
    return _digest({"answer_of": plugin, "question": question})


def _digest(material):
    """SHA-256 hex of ``material`` (with the key format) as canonical JSON: key order does not matter."""
    text = json.dumps(dict(material, format=KEY_FORMAT), sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def default_cache_dir():
    """The cache directory inside this run's controller temporary directory."""
    from ansible import constants as C  # pylint: disable=import-outside-toplevel
    return os.path.join(C.DEFAULT_LOCAL_TMP, CACHE_DIR_NAME)


class RunCache:
    """JSON values by key, computed at most once across processes sharing ``directory``."""

    def __init__(self, directory):
        self.directory = directory

    def get_or_compute(self, key, compute):
        """The cached value for ``key``; on a miss, ``compute()`` under the key's lock, then store it.

        If ``compute`` raises, nothing is stored and the next caller tries again.
        """
        value = self._read(key)
        if value is not _MISSING:
            return value
        self._ensure_directory()
        with self._locked(key):
            value = self._read(key)
            if value is _MISSING:
                value = compute()
                self._write(key, value)
        return value

    def entry_path(self, key):
        return os.path.join(self.directory, key + ".json")

    def _lock_path(self, key):
        return os.path.join(self.directory, key + ".lock")

    def _ensure_directory(self):
        try:
            os.makedirs(self.directory, 0o700)
        except OSError:
            if not os.path.isdir(self.directory):
                raise

    @contextlib.contextmanager
    def _locked(self, key):
        descriptor = os.open(self._lock_path(key), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX)
            yield
        finally:
            os.close(descriptor)  # closing releases the lock

    def _read(self, key):
        """The stored value, or ``_MISSING`` when there is none or it cannot be read."""
        try:
            with open(self.entry_path(key), "r") as entry:
                return json.load(entry)
        except (IOError, OSError, ValueError):
            return _MISSING

    def _write(self, key, value):
        """Write to a private temporary file, then rename: readers never see half an entry."""
        descriptor, temporary_path = tempfile.mkstemp(dir=self.directory, prefix=".tmp-", suffix=".json")
        try:
            with os.fdopen(descriptor, "w") as entry:
                json.dump(value, entry, sort_keys=True)
            os.chmod(temporary_path, 0o600)
            os.rename(temporary_path, self.entry_path(key))
        except BaseException:
            _remove_quietly(temporary_path)
            raise


def _remove_quietly(path):
    try:
        os.remove(path)
    except OSError:
        pass
