# -*- coding: utf-8 -*-
# Copyright (c) alicloud.ens contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""API responses to the shapes the collection returns: pure functions, no I/O.

Keys become snake_case and the API's ``{"Images": {"Image": [...]}}`` wrappers
become plain lists. Values stay exactly as the API sends them.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
from functools import lru_cache

# "OSName" -> "OS_Name": an upper-case run followed by a capitalised word.
_ACRONYM_BOUNDARY = re.compile(r"([A-Z]+)([A-Z][a-z])")
# "imageId" -> "image_Id", "ImageURL" -> "Image_URL".
_WORD_BOUNDARY = re.compile(r"([a-z0-9])([A-Z])")

IMAGE_KEYS = (
    "image_id",
    "description",
    "image_size",
    "image_version",
    "os_name",
    "os_type",
    "compute_type",
    "image_owner_alias",
    "region_id",
)
DISK_DEVICE_MAPPING_KEYS = ("type", "size", "format", "image_id")
EXPORT_IMAGE_KEYS = (
    "architecture",
    "creation_time",
    "exported_image_url",
    "image_export_status",
    "image_id",
    "image_name",
    "image_owner_alias",
    "platform",
)


# Responses repeat the same few keys thousands of times (10,000 export records, 8 keys each).
@lru_cache(maxsize=1024)
def camel_to_snake(name):
    """``OSName`` -> ``os_name``, ``ExportedImageURL`` -> ``exported_image_url``, ``imageId`` -> ``image_id``."""
    name = _ACRONYM_BOUNDARY.sub(r"\1_\2", name)
    return _WORD_BOUNDARY.sub(r"\1_\2", name).lower()


def snake_keys(value):
    """``value`` with every dictionary key, at any depth, in snake_case."""
    if isinstance(value, dict):
        # Most values are scalars: test for them here rather than pay a call each (10,000 records x 8 keys).
        return {camel_to_snake(key): snake_keys(item) if isinstance(item, (dict, list)) else item
                for key, item in value.items()}
    if isinstance(value, list):
        return [snake_keys(item) for item in value]
    return value


def unwrap_list(container, item_key):
    """The list inside ``{item_key: [...]}``; tolerates a missing or empty
    container, a bare list, and a single item where a list belongs."""
    items = container.get(item_key) if isinstance(container, dict) else container
    if items is None:
        return []
    if isinstance(items, dict):
        return [items]
    return list(items)


def with_keys(record, keys, default=None):
    """``record`` with every key of ``keys`` present (missing ones set to ``default``)."""
    complete = dict.fromkeys(keys, default)
    complete.update(record)
    return complete


def normalize_disk_device_mapping(raw):
    return with_keys(snake_keys(raw), DISK_DEVICE_MAPPING_KEYS)


def normalize_image(raw):
    """One ``Images.Image`` item of DescribeImageInfos, as ``ens_image_info`` returns it."""
    fields = dict((key, value) for key, value in raw.items() if key != "DiskDeviceMappings")
    image = with_keys(snake_keys(fields), IMAGE_KEYS)
    mappings = unwrap_list(raw.get("DiskDeviceMappings"), "DiskDeviceMapping")
    image["disk_device_mappings"] = [normalize_disk_device_mapping(item) for item in mappings]
    return image


def normalize_export_image(raw):
    """One ``Images.Image`` item of DescribeExportImageInfo, as ``ens_export_image_info`` returns it."""
    return with_keys(snake_keys(raw), EXPORT_IMAGE_KEYS)


def raw_images(body):
    """The ``Images.Image`` items of a response body (``[]`` when absent)."""
    if not isinstance(body, dict):
        return []
    return unwrap_list(body.get("Images"), "Image")


def images_from_response(body):
    """Normalised images of a DescribeImageInfos response body."""
    return [normalize_image(raw) for raw in raw_images(body)]


def export_images_from_response(body):
    """Normalised records of a DescribeExportImageInfo response body."""
    return [normalize_export_image(raw) for raw in raw_images(body)]
