# -*- coding: utf-8 -*-
# Copyright (c) alicloud.ens contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""An ``EnsClient`` whose listings come from the run cache, and a client built on first use.

Controller-only, and imported when a lookup has to work its answer out: a lookup
answered from the run cache's answer entries needs only run_cache.py. The client
behind ``CachedListings`` can be a ``LazyClient``, built on a listing miss only, so
a lookup whose listing another lookup already fetched never builds a client.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.alicloud.ens.plugins.plugin_utils.run_cache import cache_key


class CachedListings:
    """An ``EnsClient`` stand-in whose two listing calls are answered from a ``RunCache``.

    The cached value is the client's normalised answer before any client-side
    filter, so lookups with different filters over the same API call share one
    entry. Everything else goes to the wrapped client.
    """

    def __init__(self, client, cache, endpoint, identity):
        self._client = client
        self._cache = cache
        self._endpoint = endpoint
        self._identity = identity

    def describe_image_infos(self, os_type=None):
        return self._cached("DescribeImageInfos", "describe_image_infos", {"os_type": os_type})

    def list_export_images(self, **params):
        return self._cached("DescribeExportImageInfo", "list_export_images", params)

    def __getattr__(self, name):
        return getattr(self._client, name)

    def _cached(self, action, method, params):
        key = cache_key(self._endpoint, self._identity, action, params)
        # The client's method is looked up on a miss only: a LazyClient builds itself on that lookup.
        return self._cache.get_or_compute(key, lambda: getattr(self._client, method)(**params))


class IdleTransport:
    """The transport of a client that was never built: it has sent nothing and retried nothing."""

    api_calls = 0
    retries = 0


IDLE_TRANSPORT = IdleTransport()


class LazyClient:
    """An ``EnsClient`` that ``build()`` makes on first use, so a lookup answered from the cache never builds one.

    Until then ``transport`` is an ``IdleTransport`` (the counters a query reports are 0)
    and ``close()`` has nothing to close.
    """

    def __init__(self, build):
        self._build = build
        self._client = None

    @property
    def built(self):
        return self._client is not None

    @property
    def transport(self):
        return self._client.transport if self._client is not None else IDLE_TRANSPORT

    def close(self):
        if self._client is not None:
            self._client.transport.close()

    def __getattr__(self, name):
        if self._client is None:
            self._client = self._build()
        return getattr(self._client, name)
