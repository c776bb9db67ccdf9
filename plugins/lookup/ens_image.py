# -*- coding: utf-8 -*-
# Copyright (c) alicloud.ens contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: ens_image
author:
  - alicloud.ens contributors (@alicloud-ens)
short_description: Choose Alibaba Cloud ENS images by filters, for templates and C(vars:)
version_added: 1.0.0
description:
  - Returns the IDs (or, with O(details=true), the dictionaries) of the ENS images that match every
    filter given, ordered oldest to newest, so the last one is the newest.
  - With O(latest=true), returns only the newest match, so the C(lookup) function gives one image ID string.
    When nothing matches, O(latest=true) fails with a message naming the filters; without it the
    result is an empty list.
  - With O(source=export), looks in the image export records of DescribeExportImageInfo instead of
    the images of DescribeImageInfos.
  - "Results are cached for the duration of one C(ansible-playbook) run and shared by every host and
    fork: a lookup in play C(vars:) over a thousand hosts makes one API call. The cache holds the API's
    answer before the filters, so lookups with different filters over the same API call share it, and
    each lookup's result, so the same lookup asked again skips the filtering and sorting too.
    It lives in the controller's per-run temporary directory (files readable only by their owner,
    keyed by hashes of the endpoint, the credentials source, the action and API parameters, or of the
    lookup's terms and options; never a secret), which Ansible
    removes when the run ends. Disable it with O(cache=false). A lookup answered from the cache sends no
    request, so only lookups that call the API check the credentials and the connection settings."
  - Runs on the controller, with no Python library beyond ansible-core.
  - Versions compare numerically component by component (V(7.9) < V(7.10)); newest means the
    highest version, then the latest build date in the image ID, then the image ID; export records
    by creation time.
extends_documentation_fragment:
  - alicloud.ens.ens.plugins
options:
  _terms:
    description: Regular expressions searched in the image ID (with O(source=export), also in the image name). An
      image matches when any term matches. No terms, no filter.
    type: list
    elements: str
  source:
    description: V(images) looks in the images of DescribeImageInfos; V(export) in the export records of
      DescribeExportImageInfo (every page).
    type: str
    choices: [images, export]
    default: images
  latest:
    description: Return only the newest match, and fail when nothing matches.
    type: bool
    default: false
  details:
    description: Return image dictionaries (the keys of M(alicloud.ens.ens_image_info)'s
      RV(alicloud.ens.ens_image_info#module:images), or of M(alicloud.ens.ens_export_image_info)'s with
      O(source=export)) instead of image IDs.
    type: bool
    default: false
  cache:
    description: Share results with every other lookup of the same run that makes the same API call or asks the same
      question. V(false) always calls the API.
    type: bool
    default: true
  os_type:
    description: O(source=images) only. Ask the API only for images of this OS type.
    type: str
    choices: [linux, windows]
  os_name:
    description: O(source=images) only. OS names to keep, for example V(ubuntu), V(centos), V(debian), V(windows);
      case is ignored.
    type: list
    elements: str
  compute_type:
    description: O(source=images) only. Compute types to keep.
    type: list
    elements: str
    choices: [ens_vm, arm_vm, bare_metal, pcfarm]
  image_version:
    description: O(source=images) only. An exact version such as V(22.04), or comma-separated constraints such as
      V(>=20.04,<24) with the operators V(==), V(!=), V(<), V(<=), V(>), V(>=).
    type: str
  image_ids:
    description: O(source=images) only. Keep only these image IDs.
    type: list
    elements: str
  owner_alias:
    description: Keep only images of this owner.
    type: str
    choices: [system, self]
  name_regex:
    description: A regular expression searched in the image ID (with O(source=export), in the image name and the image
      ID).
    type: str
  image_id:
    description: O(source=export) only. Ask the API for the export record of this image ID.
    type: str
  image_name:
    description: O(source=export) only. Ask the API for the export records of this exact image name.
    type: str
  export_status:
    description: O(source=export) only. Export statuses to keep.
    type: list
    elements: str
    choices: [Exporting, Exported, ExportError, Unexported]
  platform:
    description: O(source=export) only. Platform to keep, for example V(ubuntu); case is ignored.
    type: str
  architecture:
    description: O(source=export) only. Architecture to keep, for example V(x86_64) or V(arm64).
    type: str
notes:
  - Connection options can also be set as variables named C(ens_<option>), for example C(ens_region_id),
    and from the environment variables listed; a keyword given to the lookup wins over both.
seealso:
  - module: alicloud.ens.ens_image_info
  - module: alicloud.ens.ens_export_image_info
  - ref: ansible_collections.alicloud.ens.docsite.choosing_an_image
    description: Choosing an ENS image with the module, the lookup and the role.
"""

EXAMPLES = r"""
- name: Provision with the newest Debian image
  hosts: edge_nodes
  gather_facts: false
  vars:
    # One API call for the whole play, however many hosts and forks.
    ens_region_id: cn-hangzhou
    debian_image: "{{ lookup('alicloud.ens.ens_image', os_name='debian', latest=true) }}"
  tasks:
    - name: Show the image every host gets
      ansible.builtin.debug:
        msg: "{{ inventory_hostname }} boots {{ debian_image }}"

- name: Choose images in tasks and templates
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Newest Ubuntu 22.x on ens_vm, as one ID string
      ansible.builtin.set_fact:
        ubuntu_image: "{{ lookup('alicloud.ens.ens_image', os_name='ubuntu', image_version='>=22,<23',
                                 compute_type='ens_vm', latest=true) }}"

    - name: Every CentOS 7 image ID, oldest to newest
      ansible.builtin.debug:
        msg: "{{ query('alicloud.ens.ens_image', os_name='centos', image_version='>=7,<8') }}"

    - name: Image IDs matching any of the terms (regular expressions searched in the ID)
      ansible.builtin.debug:
        msg: "{{ query('alicloud.ens.ens_image', 'ubuntu_22', 'debian_12') }}"

    - name: The newest image's details
      ansible.builtin.debug:
        msg: >-
          {{ (query('alicloud.ens.ens_image', os_name='ubuntu', latest=true, details=true) | first).image_version }}

    - name: Newest export record that finished exporting, with its download URL
      ansible.builtin.debug:
        msg: >-
          {{ (query('alicloud.ens.ens_image', source='export', export_status='Exported',
                    latest=true, details=true) | first).exported_image_url }}

    - name: Render a template that chooses its image itself
      ansible.builtin.template:
        src: instance.json.j2   # contains {{ lookup('alicloud.ens.ens_image', os_name='ubuntu', latest=true) }}
        dest: /tmp/instance.json
        mode: "0644"

    - name: Credentials and endpoint as keywords (usually they come from ens_* variables or the environment)
      ansible.builtin.debug:
        msg: "{{ lookup('alicloud.ens.ens_image', os_name='windows', latest=true, region_id='ap-southeast-1',
                        access_key_id=my_key_id, access_key_secret=my_key_secret) }}"
"""

RETURN = r"""
_raw:
  description:
    - Image IDs, oldest to newest; with O(latest=true) at most one, so the C(lookup) function returns it as a string.
    - With O(details=true), image dictionaries instead, with the keys of M(alicloud.ens.ens_image_info)'s
      RV(alicloud.ens.ens_image_info#module:images) (or M(alicloud.ens.ens_export_image_info)'s with O(source=export)).
  type: list
  elements: raw
  sample:
    - ubuntu_22_04_x64_20G_alibase_20231221.vhd
    - ubuntu_22_04_x64_20G_alibase_20240220.vhd
"""

import functools

from ansible.plugins.lookup import LookupBase

# Each lookup runs in a fresh worker process, which compiles every collection module it imports from source.
# A lookup answered from the run cache's answer entries imports only the run cache (and, when the aliyun CLI
# config file takes part in its key, the endpoint and credentials helpers). The lookup's work when
# the cache has no answer (plugin_utils/image_lookup.py), and through it the query, filter and sort code,
# the endpoint and credentials helpers, the client and its transport, is imported when it is needed.
from ansible_collections.alicloud.ens.plugins.plugin_utils.plugin_options import PluginOptionReader
from ansible_collections.alicloud.ens.plugins.plugin_utils.run_cache import RunCache, answer_key, default_cache_dir

PLUGIN_NAME = "alicloud.ens.ens_image"

# What the lookup's answer depends on, besides its terms: every option of its own but ``cache`` ...
ANSWER_OPTIONS = ("source", "latest", "details", "os_type", "os_name", "compute_type", "image_version", "image_ids",
                  "owner_alias", "name_regex", "image_id", "image_name", "export_status", "platform", "architecture")
# ... and the connection options that decide the endpoint and the credentials' identity, as the listing cache's
# key does (the other connection options, secrets among them, change how the API is asked, not what it answers).
ROUTING_OPTIONS = ("endpoint", "region_id", "endpoint_type", "access_key_id", "assume_role_arn", "profile", "config_file", "ecs_role_name")


class TermsOptionReader:
    """A reader that answers ``terms`` with the lookup's terms and everything else from ``reader``."""

    def __init__(self, reader, terms):
        self._reader = reader
        self._terms = list(terms or [])

    def get(self, name, default=None):
        if name == "terms":
            return self._terms or default
        return self._reader.get(name, default)


def uses_config_file(reader):
    """Whether the aliyun CLI config file takes part in the endpoint (no endpoint, no region) or the credentials (no key)."""
    return not reader.get("access_key_id") or not (reader.get("endpoint") or reader.get("region_id"))


def answer_question(reader):
    """Everything the lookup's answer depends on, never a secret: the run cache's answer key is its hash.

    The terms, every option of the lookup but ``cache`` (ANSWER_OPTIONS) and the connection options that
    decide the endpoint and the credentials' identity (ROUTING_OPTIONS). When the aliyun CLI config file
    takes part, also the endpoint and identity it resolves to, read from the file now, as the listing
    cache's key is. Options spelt differently (``ens.aliyuncs.com`` and ``https://ens.aliyuncs.com``) make
    different questions, which still share one API call through the listing cache.
    """
    question = {
        "terms": reader.get("terms"),
        "options": dict((name, reader.get(name)) for name in ANSWER_OPTIONS),
        "connection": dict((name, reader.get(name)) for name in ROUTING_OPTIONS),
    }
    if uses_config_file(reader):
        from ansible_collections.alicloud.ens.plugins.plugin_utils import image_lookup  # pylint: disable=import-outside-toplevel
        with image_lookup.ens_errors_as_lookup_errors():
            question["resolved"] = {"endpoint": image_lookup.request_endpoint(reader), "identity": image_lookup.identity(reader)}
    return question


def answer(reader):
    """The lookup's result, worked out (plugin_utils/image_lookup.py)."""
    from ansible_collections.alicloud.ens.plugins.plugin_utils.image_lookup import answer as work_out  # pylint: disable=import-outside-toplevel
    return work_out(reader)


class LookupModule(LookupBase):

    def run(self, terms, variables=None, **kwargs):
        self.set_options(var_options=variables, direct=kwargs)
        reader = TermsOptionReader(PluginOptionReader(self), terms)
        if not reader.get("cache"):
            return answer(reader)
        # The same question asked again in this run (by another host, another fork) is answered from the
        # run cache without any query; an error is not stored, so the next lookup asks again.
        cache = RunCache(default_cache_dir())
        return cache.get_or_compute(answer_key(PLUGIN_NAME, answer_question(reader)), functools.partial(answer, reader))
