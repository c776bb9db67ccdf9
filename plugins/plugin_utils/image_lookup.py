# -*- coding: utf-8 -*-
# Copyright (c) alicloud.ens contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ``alicloud.ens.ens_image`` lookup's work when the run cache holds no answer to its question.

Controller-only. The lookup (plugins/lookup/ens_image.py) keeps its documentation and
what a cache hit needs; this module, and through it the query, filter and sort code, the
endpoint and credentials helpers, the client and its transport, is imported when a
lookup has to work its answer out. Each lookup runs in a fresh worker process, which
compiles every collection module it imports from source: a hit compiles none of this.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib
import functools

from ansible.errors import AnsibleLookupError
from ansible.module_utils.common.text.converters import to_native

from ansible_collections.alicloud.ens.plugins.module_utils.credential_sources import identity, region_from_profile
from ansible_collections.alicloud.ens.plugins.module_utils.endpoints import endpoint_from_options
from ansible_collections.alicloud.ens.plugins.module_utils.errors import EnsError
from ansible_collections.alicloud.ens.plugins.plugin_utils.cached_client import CachedListings, LazyClient
from ansible_collections.alicloud.ens.plugins.plugin_utils.run_cache import RunCache, default_cache_dir

# The filters of each source, in the order a no-match message names them.
IMAGE_FILTERS = ("terms", "os_type", "os_name", "compute_type", "owner_alias", "image_version", "name_regex", "image_ids")
EXPORT_FILTERS = ("terms", "image_id", "image_name", "export_status", "owner_alias", "platform", "architecture", "name_regex")


def filters_given(reader, names):
    """``[(name, value), ...]`` of the filters that are set, in the order of ``names``."""
    given = []
    for name in names:
        value = reader.get(name)
        if value is not None and value != "" and value != []:
            given.append((name, value))
    return given


def describe_filters(given):
    """``os_name=debian, image_version=>=12`` from ``[(name, value), ...]``; lists join with commas."""
    if not given:
        return "(no filters given)"
    return ", ".join("%s=%s" % (name, _describe_value(value)) for name, value in given)


def _describe_value(value):
    if isinstance(value, (list, tuple)):
        return ",".join(to_native(item) for item in value)
    return to_native(value)


def no_match_message(source, given):
    what = "ENS export record" if source == "export" else "ENS image"
    return "No %s matches %s" % (what, describe_filters(given))


def results(items, details):
    """What the lookup returns: the items themselves, or their image IDs."""
    if details:
        return items
    return [item.get("image_id") for item in items]


@contextlib.contextmanager
def ens_errors_as_lookup_errors():
    """Turn the collection's errors (an option, the API, the credentials) into ``AnsibleLookupError``."""
    try:
        yield
    except EnsError as error:
        raise AnsibleLookupError(to_native(error))


def request_endpoint(reader):
    """The ENS base URL the requests go to, as ``connection.endpoint_of`` finds it, without importing the transport.

    The cache key needs it before any client exists; a unit test checks that both agree.
    """
    return endpoint_from_options(reader, region_from_profile)


def new_client(reader):
    """An ``EnsClient`` for the options; called on a cache miss only, so only a miss imports the client and its transport."""
    from ansible_collections.alicloud.ens.plugins.module_utils.connection import build_client  # pylint: disable=import-outside-toplevel
    return build_client(reader)


def cached(client, reader):
    """``client`` with its listing calls answered from this run's cache."""
    return CachedListings(client, RunCache(default_cache_dir()), request_endpoint(reader), identity(reader))


def query(source, reader):
    """The items the options select; a client is built, and the API asked, only when the run cache has no answer.

    The query code is imported here, not with this module: the lookup's cache key may need only the helpers above.
    """
    from ansible_collections.alicloud.ens.plugins.module_utils.image_queries import (  # pylint: disable=import-outside-toplevel
        query_export_images,
        query_images,
    )
    client = LazyClient(functools.partial(new_client, reader))
    try:
        listings = cached(client, reader) if reader.get("cache") else client
        run_query = query_export_images if source == "export" else query_images
        return run_query(listings, reader)["images"]
    finally:
        client.close()


def answer(reader):
    """The lookup's result: the items the options select, or their IDs; with ``latest``, an error when nothing matches.

    ``reader`` holds the lookup's options and ``terms`` (``ens_image.TermsOptionReader``).
    """
    source = reader.get("source", "images")
    with ens_errors_as_lookup_errors():
        items = query(source, reader)
    if reader.get("latest") and not items:
        filter_names = EXPORT_FILTERS if source == "export" else IMAGE_FILTERS
        raise AnsibleLookupError(no_match_message(source, filters_given(reader, filter_names)))
    return results(items, reader.get("details"))
