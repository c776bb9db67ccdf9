# -*- coding: utf-8 -*-
# Copyright (c) alicloud.ens contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Choosing images: ordering, version constraints and filters. Pure functions, no I/O.

The order, oldest to newest, is the collection's definition of "newer":

* images: numeric version components (9.13 < 12.2, 7.9 < 7.10, 22.04 < 22.04.1),
  then the 8-digit build date inside the image ID (``..._alibase_20240220...``;
  no date sorts before any date), then the image ID;
* export records: ``creation_time``, then the image ID.

Filters work on normalised records (see normalize.py); a filter that is ``None``
or empty does not filter.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import operator
import re

from ansible_collections.alicloud.ens.plugins.module_utils.errors import EnsOptionError

# A version is a sequence of number runs and text runs; '.', '-', '_', '+' and spaces only separate them.
_VERSION_COMPONENT = re.compile(r"[0-9]+|[^0-9.\-_+\s]+")
_NUMBER = 0
_TEXT = 1

# A plausible YYYYMMDD date standing on its own inside an image ID.
_BUILD_DATE = re.compile(r"(?<![A-Za-z0-9])((?:19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01]))(?![0-9])")

_CONSTRAINT = re.compile(r"^(==|!=|<=|>=|<|>)?\s*([0-9]+(?:\.[0-9]+)*)$")
CONSTRAINT_OPERATORS = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
CONSTRAINT_SYNTAX = ("an exact version such as 22.04, or comma-separated constraints such as >=20.04,<24 "
                     "with the operators ==, !=, <, <=, >, >=")

_ISO_8601 = re.compile(
    r"^([0-9]{4})-([0-9]{2})-([0-9]{2})"
    r"(?:[Tt ]([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:[.,]([0-9]+))?)?)?"
    r"\s*(?:[Zz]|([+-])([0-9]{2}):?([0-9]{2}))?$")


# --- ordering ------------------------------------------------------------------


def version_key(version):
    """A sort key for a version string: one ``(kind, value)`` pair per component.

    Numbers compare as numbers (``7.9`` < ``7.10``); text components (``lts``)
    compare as strings after every number, so no version can make sorting fail.
    An empty or missing version is ``()``, older than any other.
    """
    if version is None:
        return ()
    return tuple(_component_key(part) for part in _VERSION_COMPONENT.findall(str(version)))


def _component_key(part):
    return (_NUMBER, int(part)) if part[0] in "0123456789" else (_TEXT, part)


def build_date(image_id):
    """The ``YYYYMMDD`` build date inside an image ID (the last one), or ``''``."""
    dates = _BUILD_DATE.findall(_text(image_id))
    return dates[-1] if dates else ""


def image_sort_key(image):
    image_id = _text(image.get("image_id"))
    return (version_key(image.get("image_version")), build_date(image_id), image_id)


def sort_images(images):
    """A new list of images, oldest to newest."""
    return sorted(images, key=image_sort_key)


def parse_iso8601(value):
    """A naive UTC ``datetime`` from an ISO 8601 string (UTC when no offset), or ``None``."""
    match = _ISO_8601.match(_text(value).strip())
    if not match:
        return None
    year, month, day, hour, minute, second, fraction, sign, off_hours, off_minutes = match.groups()
    microsecond = int((fraction or "0")[:6].ljust(6, "0"))
    try:
        moment = datetime.datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0),
                                   int(second or 0), microsecond)
    except ValueError:
        return None
    if sign:
        offset = datetime.timedelta(hours=int(off_hours), minutes=int(off_minutes))
        moment = moment - offset if sign == "+" else moment + offset
    return moment


def creation_time_key(value):
    """Parsed times compare as instants; unparsable ones sort first, as text."""
    moment = parse_iso8601(value)
    if moment is None:
        return (0, _text(value))
    return (1, moment)


def export_image_sort_key(record):
    return (creation_time_key(record.get("creation_time")), _text(record.get("image_id")))


def sort_export_images(records):
    """A new list of export records, oldest to newest."""
    return sorted(records, key=export_image_sort_key)


def latest(items):
    """The newest of a sorted list, as a list: ``[]`` or one item."""
    return list(items[-1:])


# --- version constraints -------------------------------------------------------


def parse_version_constraints(spec):
    """``[(operator, (int, ...)), ...]`` from ``22.04`` or ``>=20.04,<24``; ``[]`` for no spec."""
    if spec is None:
        return []
    if isinstance(spec, (list, tuple)):
        spec = ",".join(str(part) for part in spec)
    text = str(spec).strip()
    if not text:
        return []
    return [_parse_constraint(part.strip(), text) for part in text.split(",")]


def _parse_constraint(part, spec):
    match = _CONSTRAINT.match(part)
    if not match:
        where = "" if part == spec else " in %r" % (spec,)
        raise EnsOptionError("image_version", "malformed constraint %r%s; expected %s"
                             % (part, where, CONSTRAINT_SYNTAX))
    op, version = match.groups()
    return (op or "==", tuple(int(number) for number in version.split(".")))


def version_matches(version, constraints):
    """Whether ``version`` satisfies every constraint; missing components count as 0.

    An image without a version matches no constraint.
    """
    if not constraints:
        return True
    key = version_key(version)
    if not key:
        return False
    return all(_satisfies(key, op, wanted) for op, wanted in constraints)


def _satisfies(key, op, wanted):
    wanted_key = tuple((_NUMBER, number) for number in wanted)
    width = max(len(key), len(wanted_key))
    zero = (_NUMBER, 0)
    padded = key + (zero,) * (width - len(key))
    padded_wanted = wanted_key + (zero,) * (width - len(wanted_key))
    return CONSTRAINT_OPERATORS[op](padded, padded_wanted)


# --- filters -------------------------------------------------------------------


def compile_regex(option, pattern):
    """``re.compile(pattern)``; a bad pattern is an ``EnsOptionError`` naming ``option``."""
    try:
        return re.compile(_text(pattern))
    except re.error as error:
        raise EnsOptionError(option, "invalid regular expression %r: %s" % (_text(pattern), error))


def filter_images(images, image_ids=None, name_regex=None, os_name=None, compute_type=None,
                  owner_alias=None, image_version=None, terms=None):
    """The images that pass every given filter, in their original order.

    ``name_regex`` and each of ``terms`` are searched in the image ID; an image
    passes ``terms`` when any term matches. ``os_name`` ignores case.
    """
    tests = [
        _one_of("image_id", image_ids),
        _search_any("name_regex", [name_regex] if name_regex else [], ("image_id",)),
        _one_of("os_name", os_name, fold_case=True),
        _one_of("compute_type", compute_type),
        _one_of("image_owner_alias", owner_alias),
        _version_in(parse_version_constraints(image_version)),
        _search_any("terms", _as_list(terms), ("image_id",)),
    ]
    return _apply(images, tests)


def filter_export_images(records, export_status=None, owner_alias=None, platform=None, architecture=None,
                         name_regex=None, terms=None):
    """The export records that pass every given filter, in their original order.

    ``name_regex`` and each of ``terms`` are searched in the image name and the
    image ID; a record passes ``terms`` when any term matches. ``platform`` ignores case.
    """
    searched = ("image_name", "image_id")
    tests = [
        _one_of("image_export_status", export_status),
        _one_of("image_owner_alias", owner_alias),
        _one_of("platform", platform, fold_case=True),
        _one_of("architecture", architecture),
        _search_any("name_regex", [name_regex] if name_regex else [], searched),
        _search_any("terms", _as_list(terms), searched),
    ]
    return _apply(records, tests)


def _apply(records, tests):
    active = [test for test in tests if test is not None]
    return [record for record in records if all(test(record) for test in active)]


def _one_of(field, wanted, fold_case=False):
    """A test that ``record[field]`` is one of ``wanted`` (a value or a list), or ``None``."""
    fold = _fold if fold_case else _text
    allowed = set(fold(value) for value in _as_list(wanted))
    if not allowed:
        return None
    return lambda record: fold(record.get(field)) in allowed


def _search_any(option, patterns, fields):
    """A test that any pattern is found in any of ``fields``, or ``None`` without patterns."""
    regexes = [compile_regex(option, pattern) for pattern in patterns]
    if not regexes:
        return None
    return lambda record: any(regex.search(_text(record.get(field))) for regex in regexes for field in fields)


def _version_in(constraints):
    if not constraints:
        return None
    return lambda record: version_matches(record.get("image_version"), constraints)


def _as_list(value):
    if value is None or value == "":
        return []
    if isinstance(value, (list, tuple, set, frozenset)):
        return [item for item in value if item is not None and item != ""]
    return [value]


def _text(value):
    return "" if value is None else str(value)


def _fold(value):
    return _text(value).casefold()
