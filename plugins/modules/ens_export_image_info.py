#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) alicloud.ens contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: ens_export_image_info
short_description: List the export records of Alibaba Cloud ENS custom images, oldest to newest
version_added: 1.0.0
author:
  - alicloud.ens contributors (@alicloud-ens)
description:
  - Lists the export records of Alibaba Cloud ENS (Edge Node Service) custom images with the
    DescribeExportImageInfo API call (export status and the OSS download link of each image),
    keeps those that pass every filter given, and returns them ordered by creation time, oldest
    first, so that C(images[-1]) is the newest.
  - Without O(page_number), every page is fetched, several at the same time (at most
    O(max_concurrency)), and each record is returned exactly once. With O(page_number), only that
    page is fetched.
  - O(image_id) and O(image_name) are sent to the API; the other filters apply to its answer.
  - A filter that is not set does not filter. Nothing matching gives an empty RV(images), not a failure.
options:
  image_id:
    description:
      - Ask the API only for the record of the image with this ID (the C(ImageId) parameter).
    type: str
  image_name:
    description:
      - Ask the API only for the records of images with this name (the C(ImageName) parameter).
    type: str
  page_number:
    description:
      - Fetch only this page (from 1) of the API's answer, instead of every page.
    type: int
  page_size:
    description:
      - Records per page, from 1 to 50.
      - When not set, 50 when fetching every page (the fewest requests), and the API's default of 10
        with O(page_number).
    type: int
  export_status:
    description:
      - Keep only the records in these export states.
    type: list
    elements: str
    choices: [Exporting, Exported, ExportError, Unexported]
  owner_alias:
    description:
      - Keep only public images (V(system)) or only your custom images (V(self)).
    type: str
    choices: [system, self]
  platform:
    description:
      - Keep only the records of these operating systems, for example V(centos) or V(ubuntu). Case is ignored.
    type: list
    elements: str
  architecture:
    description:
      - Keep only the records of these architectures, for example V(x86_64) or V(arm64).
    type: list
    elements: str
  name_regex:
    description:
      - Keep only the records whose image name or image ID this regular expression matches
        (Python C(re.search), so it may match anywhere; anchor it with C(^) and C($)).
    type: str
  latest:
    description:
      - Return only the most recently created matching record, so RV(images) holds at most one element.
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
  - module: alicloud.ens.ens_image_info
  - name: DescribeExportImageInfo API reference
    description: The ENS API call this module makes.
    link: https://www.alibabacloud.com/help/en/ens/developer-reference/api-ens-2017-11-10-describeexportimageinfo
"""

EXAMPLES = r"""
- name: Download links of our exported images
  hosts: localhost
  gather_facts: false
  module_defaults:
    group/alicloud.ens.ens:
      access_key_id: "{{ vault_ens_access_key_id }}"
      access_key_secret: "{{ vault_ens_access_key_secret }}"
      region_id: cn-beijing
  tasks:
    - name: Every exported custom image, oldest to newest
      alicloud.ens.ens_export_image_info:
        export_status: [Exported]
        owner_alias: self
      register: exported

    - name: Show the download link of the newest one
      ansible.builtin.debug:
        msg: "{{ exported.images[-1].image_id }}: {{ exported.images[-1].exported_image_url }}"
      when: exported.images | length > 0

- name: Look at one image's export, or one page of records
  hosts: localhost
  gather_facts: false
  tasks:
    - name: The export record of one image
      alicloud.ens.ens_export_image_info:
        image_id: m-5e0a5bc4d1b2c3
      register: one_image

    - name: Wait until it is exported
      alicloud.ens.ens_export_image_info:
        image_id: m-5e0a5bc4d1b2c3
      register: export_state
      until: export_state.images | map(attribute='image_export_status') | intersect(['Exported', 'ExportError']) | length > 0
      retries: 30
      delay: 60

    - name: The second page of 20 records, as the API orders them
      alicloud.ens.ens_export_image_info:
        page_number: 2
        page_size: 20
      register: second_page

    - name: How many records there are in all
      ansible.builtin.debug:
        msg: "{{ second_page.total_count }} records; this page holds {{ second_page.images | length }}"

- name: The newest exported web image for ARM
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Find it
      alicloud.ens.ens_export_image_info:
        name_regex: "^web-"
        architecture: [arm64]
        export_status: [Exported]
        latest: true
      register: web_arm

    - name: Use its image ID
      ansible.builtin.set_fact:
        ens_image_id: "{{ web_arm.images[-1].image_id }}"
      when: web_arm.images | length > 0
"""

RETURN = r"""
images:
  description:
    - The export records that pass every filter, oldest to newest by creation time (C(images[-1]) is the newest).
    - Values are as the API sends them.
  returned: success
  type: list
  elements: dict
  contains:
    architecture:
      description: The architecture of the image.
      type: str
      returned: always
      sample: x86_64
    creation_time:
      description: When the image was created (ISO 8601, UTC).
      type: str
      returned: always
      sample: "2017-12-08T12:10:03Z"
    exported_image_url:
      description: The OSS download link of the exported image; empty when the image is not exported.
      type: str
      returned: always
      sample: https://user_defined_bucket.oss-cn-beijing.aliyuncs.com/m-xxxxxxxxx1.qcow2
    image_export_status:
      description: The export state, C(Exporting), C(Exported), C(ExportError) or C(Unexported).
      type: str
      returned: always
      sample: Exported
    image_id:
      description: The ID of the image.
      type: str
      returned: always
      sample: m-xxxxxxxxx1
    image_name:
      description: The name of the image.
      type: str
      returned: always
      sample: m-xxxxxxxxx1
    image_owner_alias:
      description: C(system) for a public image, C(self) for a custom image.
      type: str
      returned: always
      sample: system
    platform:
      description: The operating system of the image.
      type: str
      returned: always
      sample: centos
  sample:
    - architecture: x86_64
      creation_time: "2017-12-08T12:10:03Z"
      exported_image_url: https://user_defined_bucket.oss-cn-beijing.aliyuncs.com/m-xxxxxxxxx1.qcow2
      image_export_status: Exported
      image_id: m-xxxxxxxxx1
      image_name: m-xxxxxxxxx1
      image_owner_alias: system
      platform: centos
total_count:
  description:
    - How many export records the API holds for O(image_id) and O(image_name), before the other filters
      (its C(TotalCount)). The length of RV(images) is the number that passed every filter.
  returned: success
  type: int
  sample: 13
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
request_id:
  description: The ID of the failed request.
  returned: failed, when the API answered
  type: str
  sample: 473469C7-AA6F-4DC5-B3DB-A3DC0DE3C83E
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
from ansible_collections.alicloud.ens.plugins.module_utils.image_queries import query_export_images


def argument_spec():
    return dict(
        image_id=dict(type="str"),
        image_name=dict(type="str"),
        page_number=dict(type="int"),
        page_size=dict(type="int"),
        export_status=dict(type="list", elements="str", choices=["Exporting", "Exported", "ExportError", "Unexported"]),
        owner_alias=dict(type="str", choices=["system", "self"]),
        platform=dict(type="list", elements="str"),
        architecture=dict(type="list", elements="str"),
        name_regex=dict(type="str"),
        latest=dict(type="bool", default=False),
    )


def main():
    run_ens_module(argument_spec(), query_export_images)


if __name__ == "__main__":
    main()
