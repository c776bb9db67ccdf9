# -*- coding: utf-8 -*-
# Copyright (c) alicloud.ens contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The queries behind the modules, the lookup and the role: options in, ordered results out.

Each query maps options to API parameters (pure builders, as amazon.aws's
``build_request_args``), makes the call through an ``EnsClient``, applies the
client-side filters and ordering of selection.py, and reports what the task
cost (``api_calls``, ``retries``). Options come from a reader, never from a
module or a plugin.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.alicloud.ens.plugins.module_utils.errors import EnsOptionError
from ansible_collections.alicloud.ens.plugins.module_utils.selection import (
    filter_export_images,
    filter_images,
    latest,
    sort_export_images,
    sort_images,
)

OS_TYPES = ("linux", "windows")
MIN_PAGE_SIZE = 1
MAX_PAGE_SIZE = 50
LIST_ALL_PAGE_SIZE = 50
SINGLE_PAGE_SIZE = 10  # the API's own default


# --- options -> API parameters (pure) -------------------------------------------


def image_request_args(reader):
    """Keyword arguments of ``EnsClient.describe_image_infos`` from the options."""
    os_type = reader.get("os_type")
    if os_type is None:
        return {}
    if os_type not in OS_TYPES:
        raise EnsOptionError("os_type", "expected one of %s, got %r" % (", ".join(OS_TYPES), os_type))
    return {"os_type": os_type}


def page_size_arg(value, default):
    """The ``page_size`` option as an int in 1..50, or ``default`` when it is not set."""
    if value is None:
        return default
    size = _whole_number("page_size", value)
    if not MIN_PAGE_SIZE <= size <= MAX_PAGE_SIZE:
        raise EnsOptionError("page_size", "expected a number from %d to %d, got %d" % (MIN_PAGE_SIZE, MAX_PAGE_SIZE, size))
    return size


def page_number_arg(value):
    number = _whole_number("page_number", value)
    if number < 1:
        raise EnsOptionError("page_number", "expected a page number of 1 or more, got %d" % number)
    return number


def export_request_args(reader):
    """``(method name, keyword arguments)`` of the ``EnsClient`` call the export options ask for.

    With ``page_number``, only that page (``describe_export_image_info``);
    otherwise every page (``list_export_images``).
    """
    args = dict((name, reader.get(name)) for name in ("image_id", "image_name") if reader.get(name) is not None)
    page_number = reader.get("page_number")
    if page_number is not None:
        args["page_number"] = page_number_arg(page_number)
        args["page_size"] = page_size_arg(reader.get("page_size"), SINGLE_PAGE_SIZE)
        return "describe_export_image_info", args
    args["page_size"] = page_size_arg(reader.get("page_size"), LIST_ALL_PAGE_SIZE)
    max_concurrency = reader.get("max_concurrency")
    if max_concurrency is not None:
        args["max_concurrency"] = max_concurrency
    return "list_export_images", args


def image_filter_args(reader):
    """Keyword arguments of ``selection.filter_images`` from the options."""
    names = ("image_ids", "name_regex", "os_name", "compute_type", "owner_alias", "image_version", "terms")
    return dict((name, reader.get(name)) for name in names)


def export_filter_args(reader):
    """Keyword arguments of ``selection.filter_export_images`` from the options."""
    names = ("export_status", "owner_alias", "platform", "architecture", "name_regex", "terms")
    return dict((name, reader.get(name)) for name in names)


def _whole_number(option, value):
    if isinstance(value, bool):
        raise EnsOptionError(option, "expected a whole number, got %r" % (value,))
    try:
        return int(value)
    except (TypeError, ValueError):
        raise EnsOptionError(option, "expected a whole number, got %r" % (value,))


# --- selection of the answer (pure) ----------------------------------------------


def select_images(images, reader):
    """The images that pass the filters, oldest to newest; only the newest with ``latest``."""
    chosen = sort_images(filter_images(images, **image_filter_args(reader)))
    return latest(chosen) if reader.get("latest") else chosen


def select_export_images(records, reader):
    """The export records that pass the filters, oldest to newest; only the newest with ``latest``."""
    chosen = sort_export_images(filter_export_images(records, **export_filter_args(reader)))
    return latest(chosen) if reader.get("latest") else chosen


def check_filters(filter_function, filter_args):
    """Raise ``EnsOptionError`` for a bad regular expression or version constraint, before any request."""
    filter_function([], **filter_args)


def cost_of(client):
    """What the client's transport has spent so far: ``{'api_calls': n, 'retries': n}``."""
    transport = client.transport
    return {"api_calls": transport.api_calls, "retries": transport.retries}


# --- the queries ---------------------------------------------------------------


def query_images(client, reader):
    """``ens_image_info``'s answer: ``images``, ``image_ids``, ``request_id``, ``api_calls``, ``retries``."""
    request = image_request_args(reader)
    check_filters(filter_images, image_filter_args(reader))
    answer = client.describe_image_infos(**request)
    images = select_images(answer.get("images") or [], reader)
    result = {
        "images": images,
        "image_ids": [image.get("image_id") for image in images],
        "request_id": answer.get("request_id"),
    }
    result.update(cost_of(client))
    return result


def query_export_images(client, reader):
    """``ens_export_image_info``'s answer: ``images``, ``total_count``, ``api_calls``, ``retries``."""
    method, args = export_request_args(reader)
    check_filters(filter_export_images, export_filter_args(reader))
    answer = getattr(client, method)(**args)
    result = {
        "images": select_export_images(answer.get("images") or [], reader),
        "total_count": answer.get("total_count"),
    }
    result.update(cost_of(client))
    return result
