#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) alicloud.ens contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: ens_image_info
short_description: List Alibaba Cloud ENS images, filtered and ordered oldest to newest
version_added: 1.0.0
author:
  - alicloud.ens contributors (@alicloud-ens)
description:
  - Lists the images of Alibaba Cloud ENS (Edge Node Service) with the DescribeImageInfos API call,
    keeps those that pass every filter given, and returns them ordered oldest to newest, so that
    C(images[-1]) is the newest.
  - Newest means the highest O(image_version), compared numerically component by component
    (V(9.13) < V(12.2), V(7.9) < V(7.10)), then the latest build date inside the image ID
    (C(..._alibase_20240220...)), then the image ID.
  - Only O(os_type) is sent to the API; the other filters apply to its answer.
  - A filter that is not set does not filter. Nothing matching gives an empty RV(images), not a failure.
options:
  os_type:
    description:
      - Ask the API only for images of this operating system type (the C(OsType) parameter).
    type: str
    choices: [linux, windows]
  image_ids:
    description:
      - Keep only the images with these IDs.
    type: list
    elements: str
  name_regex:
    description:
      - Keep only the images whose ID this regular expression matches (Python C(re.search), so it
        may match anywhere in the ID; anchor it with C(^) and C($) for a full match).
    type: str
  os_name:
    description:
      - Keep only the images of these operating systems, for example V(ubuntu), V(centos),
        V(debian), V(windows). Case is ignored.
    type: list
    elements: str
  compute_type:
    description:
      - Keep only the images of these compute types.
    type: list
    elements: str
    choices: [ens_vm, arm_vm, bare_metal, pcfarm]
  owner_alias:
    description:
      - Keep only public images (V(system)) or only your custom images (V(self)).
    type: str
    choices: [system, self]
  image_version:
    description:
      - Keep only the images whose version is this exact version (V(22.04)), or satisfies every one
        of these comma-separated constraints (V(>=20.04,<24)), with the operators C(==), C(!=),
        C(<), C(<=), C(>), C(>=).
      - Versions compare numerically component by component; missing components count as 0, so
        V(22.04) equals V(22.4.0).
      - Quote the value in YAML. Unquoted, C(20.10) is the number 20.1.
    type: str
  latest:
    description:
      - Return only the newest matching image, so RV(images) holds at most one element.
    type: bool
    default: false
extends_documentation_fragment:
  - alicloud.ens.ens
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.actiongroups
attributes:
  check_mode:
    support: full
    details: The module only reads, and runs the same in check mode.
  diff_mode:
    support: N/A
    details: The module changes nothing.
  platform:
    platforms: all
  action_group:
    support: full
    membership:
      - alicloud.ens.ens
seealso:
  - module: alicloud.ens.ens_export_image_info
  - plugin: alicloud.ens.ens_image
    plugin_type: lookup
  - name: DescribeImageInfos API reference
    description: The ENS API call this module makes.
    link: https://www.alibabacloud.com/help/en/ens/developer-reference/api-ens-2017-11-10-describeimageinfos
"""

EXAMPLES = r"""
- name: Provision from the newest Ubuntu image for ENS virtual machines
  hosts: localhost
  gather_facts: false
  tasks:
    - name: List the Ubuntu images for virtual machines, oldest to newest
      alicloud.ens.ens_image_info:
        os_type: linux
        os_name: [ubuntu]
        compute_type: [ens_vm]
        region_id: cn-beijing
      register: ubuntu_images

    - name: Use the newest one
      ansible.builtin.set_fact:
        ens_image_id: "{{ ubuntu_images.images[-1].image_id }}"

- name: Set credentials once for every alicloud.ens module, and choose by version
  hosts: localhost
  gather_facts: false
  module_defaults:
    group/alicloud.ens.ens:
      access_key_id: "{{ vault_ens_access_key_id }}"
      access_key_secret: "{{ vault_ens_access_key_secret }}"
      region_id: ap-southeast-1
  tasks:
    - name: The newest Debian 11 or 12 image
      alicloud.ens.ens_image_info:
        os_name: [debian]
        image_version: ">=11,<13"
        latest: true
      register: debian

    - name: Fail early when there is none
      ansible.builtin.assert:
        that: debian.images | length == 1
        fail_msg: No Debian 11 or 12 image in this region

    - name: Show it
      ansible.builtin.debug:
        msg: "{{ debian.images[0].image_id }} ({{ debian.images[0].image_version }})"

- name: Only custom images whose ID starts with m-, with credentials from the environment
  hosts: localhost
  gather_facts: false
  tasks:
    - name: List our own images
      alicloud.ens.ens_image_info:
        owner_alias: self
        name_regex: "^m-"
      environment:
        ALIBABA_CLOUD_ACCESS_KEY_ID: "{{ vault_ens_access_key_id }}"
        ALIBABA_CLOUD_ACCESS_KEY_SECRET: "{{ vault_ens_access_key_secret }}"
      register: custom

    - name: Show their IDs
      ansible.builtin.debug:
        var: custom.image_ids
"""

RETURN = r"""
images:
  description:
    - The images that pass every filter, oldest to newest (C(images[-1]) is the newest).
    - Values are as the API sends them; sizes and versions are strings.
  returned: success
  type: list
  elements: dict
  contains:
    image_id:
      description: The ID of the image.
      type: str
      returned: always
      sample: centos_6_08_64_20G_alibase_2017****
    description:
      description: The description of the image.
      type: str
      returned: always
      sample: centos_6_08_64_20G_alibase_2017****
    image_size:
      description: The size of the image, in GiB.
      type: str
      returned: always
      sample: "20"
    image_version:
      description: The version of the image.
      type: str
      returned: always
      sample: "6.8"
    os_name:
      description: The operating system, for example C(centos), C(debian), C(ubuntu) or C(windows).
      type: str
      returned: always
      sample: centos
    os_type:
      description: The type of the operating system, C(linux) or C(windows).
      type: str
      returned: always
      sample: linux
    compute_type:
      description: The compute type of the image, for example C(ens_vm), C(arm_vm), C(bare_metal) or C(pcfarm).
      type: str
      returned: always
      sample: ens_vm
    image_owner_alias:
      description: C(system) for a public image, C(self) for a custom image.
      type: str
      returned: always
      sample: system
    region_id:
      description: The ID of the region.
      type: str
      returned: always
      sample: cn-wulanchabu
    disk_device_mappings:
      description: The disks of the image.
      type: list
      elements: dict
      returned: always
      contains:
        type:
          description: The type of the disk, C(System) or C(Data).
          type: str
          returned: always
          sample: Data
        size:
          description: The size of the disk, in GB.
          type: str
          returned: always
          sample: "100"
        format:
          description: The format of the image.
          type: str
          returned: always
          sample: qcow2
        image_id:
          description: The ID of the image.
          type: str
          returned: always
          sample: i-test
  sample:
    - image_id: centos_6_08_64_20G_alibase_2017****
      description: centos_6_08_64_20G_alibase_2017****
      image_size: "20"
      image_version: "6.8"
      os_name: centos
      os_type: linux
      compute_type: ens_vm
      image_owner_alias: system
      region_id: cn-wulanchabu
      disk_device_mappings:
        - type: Data
          size: "100"
          format: qcow2
          image_id: i-test
image_ids:
  description: The IDs of RV(images), in the same order.
  returned: success
  type: list
  elements: str
  sample:
    - centos_6_08_64_20G_alibase_2017****
request_id:
  description: The ID of the DescribeImageInfos request (of the failed request when the call failed).
  returned: success, and failed API calls
  type: str
  sample: 5568A08C-10A9-47F3-902F-647298B463FB
api_calls:
  description: HTTP requests the task sent, retries included.
  returned: success, and failed API calls
  type: int
  sample: 1
retries:
  description: Requests that were retries of a failed one (throttling, server errors, connection errors).
  returned: success, and failed API calls
  type: int
  sample: 0
code:
  description: The API's error code, or C(ConnectionError), C(Timeout), C(InvalidResponse) or C(DeadlineExceeded).
  returned: failed, when an API call failed
  type: str
  sample: SignatureDoesNotMatch
message:
  description: The API's error message.
  returned: failed, when an API call failed
  type: str
  sample: The request signature does not conform to Aliyun standards.
http_status:
  description: The HTTP status of the failed call.
  returned: failed, when the API answered
  type: int
  sample: 400
recommend:
  description: The API's diagnosis link, when it gives one.
  returned: failed, when an API call failed
  type: str
  sample: https://api.aliyun.com/troubleshoot?q=SignatureDoesNotMatch
"""

from ansible_collections.alicloud.ens.plugins.module_utils.ens_module import run_ens_module
from ansible_collections.alicloud.ens.plugins.module_utils.image_queries import query_images


def argument_spec():
    return dict(
        os_type=dict(type="str", choices=["linux", "windows"]),
        image_ids=dict(type="list", elements="str"),
        name_regex=dict(type="str"),
        os_name=dict(type="list", elements="str"),
        compute_type=dict(type="list", elements="str", choices=["ens_vm", "arm_vm", "bare_metal", "pcfarm"]),
        owner_alias=dict(type="str", choices=["system", "self"]),
        image_version=dict(type="str"),
        latest=dict(type="bool", default=False),
    )


def main():
    run_ens_module(argument_spec(), query_images)


if __name__ == "__main__":
    main()
