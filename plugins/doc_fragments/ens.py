# -*- coding: utf-8 -*-
# Copyright (c) alicloud.ens contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The connection options of every module and plugin, documented once.

C(alicloud.ens.ens) for modules (the environment variables are named in the
descriptions; the argument spec uses env_fallback),
C(alicloud.ens.ens.plugins) for the lookup (C(env:) and C(vars:) entries).
The options must match plugins/module_utils/options.py's CONNECTION_OPTIONS;
tests/unit/test_options_doc_fragment.py checks that they do.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):

    # Modules: the environment variables apply through the argument spec's env_fallback.
    DOCUMENTATION = r"""
notes:
  - Each connection option is taken from the task, else from its environment variables (the first one set),
    else from its default. Credentials come from the first source that has them, trying in turn
    O(access_key_id) and O(access_key_secret) (with O(security_token)), the aliyun CLI profile
    (O(profile), O(config_file)), the ECS instance's RAM role (O(ecs_role_name)).
    O(assume_role_arn) then assumes a role with them.
  - Set the connection options once for every module of the collection with
    C(module_defaults) and the group C(group/alicloud.ens.ens).
options:
  access_key_id:
    description:
      - Alibaba Cloud access key ID.
      - If no access key is given by an option or the environment, the credentials come from O(profile) or
        O(ecs_role_name).
      - When not set, the first of the environment variables E(ALIBABA_CLOUD_ACCESS_KEY_ID),
        E(ALICLOUD_ACCESS_KEY_ID), E(ALICLOUD_ACCESS_KEY) that is set is used.
    type: str
    aliases: [access_key, alicloud_access_key]
  access_key_secret:
    description:
      - Alibaba Cloud access key secret.
      - Required together with O(access_key_id).
      - When not set, the first of the environment variables E(ALIBABA_CLOUD_ACCESS_KEY_SECRET),
        E(ALICLOUD_ACCESS_KEY_SECRET), E(ALICLOUD_SECRET_KEY) that is set is used.
    type: str
    aliases: [secret_key, alicloud_secret_key]
  security_token:
    description:
      - STS security token, for temporary credentials.
      - Use it with the temporary O(access_key_id) and O(access_key_secret) that STS issued with it.
      - When not set, the first of the environment variables E(ALIBABA_CLOUD_SECURITY_TOKEN),
        E(ALICLOUD_SECURITY_TOKEN) that is set is used.
    type: str
    aliases: [alicloud_security_token]
  region_id:
    description:
      - Region whose ENS endpoint to use, for example V(cn-beijing) or V(ap-southeast-1). ENS has no region
        parameter; the region only picks the endpoint host.
      - When neither O(region_id) nor O(endpoint) is set, the profile's C(region_id) is used, else
        V(ens.aliyuncs.com).
      - When not set, the first of the environment variables E(ALIBABA_CLOUD_REGION_ID),
        E(ALICLOUD_REGION_ID), E(ALICLOUD_REGION) that is set is used.
    type: str
    aliases: [region, alicloud_region]
  endpoint:
    description:
      - "ENS endpoint: a host such as V(ens.aliyuncs.com), or a URL with scheme and port such as
        V(https://127.0.0.1:8443). Overrides the endpoint of O(region_id)."
      - When not set, the environment variable E(ALIBABA_CLOUD_ENS_ENDPOINT) is used.
    type: str
  endpoint_type:
    description:
      - "Which endpoint of O(region_id) to use: the public one or the VPC one."
    type: str
    choices: [public, vpc]
    default: public
  signature_version:
    description:
      - "Request signature algorithm: V(v3) (ACS3-HMAC-SHA256) or V(v1) (HMAC-SHA1)."
      - When not set, the environment variable E(ALIBABA_CLOUD_ENS_SIGNATURE_VERSION) is used.
    type: str
    choices: [v3, v1]
    default: v3
  validate_certs:
    description:
      - Whether to verify the endpoint's TLS certificate.
    type: bool
    default: true
  ca_path:
    description:
      - CA bundle file used to verify the endpoint's TLS certificate.
      - Use it for an endpoint whose certificate a private CA signed, such as the ENS emulator's.
    type: path
  timeout:
    description:
      - Seconds to wait for each HTTP request.
    type: float
    default: 10
  max_retries:
    description:
      - How many times to retry a request that failed in a retryable way (throttling, server errors,
        connection errors, timeouts).
      - Retries wait with capped, jittered exponential back-off, and honour the API's C(x-acs-retry-after)
        header.
    type: int
    default: 8
  deadline:
    description:
      - Seconds the whole task may take, retries included.
      - When it is exceeded, the task fails with code C(DeadlineExceeded).
    type: float
    default: 300
  max_concurrency:
    description:
      - Most requests sent at the same time when listing several pages.
    type: int
    default: 32
  profile:
    description:
      - Profile of the aliyun CLI config file to use; the file's C(current) profile when not set.
      - When not set, the first of the environment variables E(ALIBABA_CLOUD_PROFILE), E(ALICLOUD_PROFILE)
        that is set is used.
    type: str
  config_file:
    description:
      - The aliyun CLI config file.
      - When not set, the first of the environment variables E(ALIBABA_CLOUD_CONFIG_FILE),
        E(ALICLOUD_SHARED_CREDENTIALS_FILE) that is set is used.
    type: path
    default: ~/.aliyun/config.json
  ecs_role_name:
    description:
      - RAM role of the ECS instance, whose temporary credentials the instance metadata service gives.
      - Used only when neither keys nor a profile give credentials. Needs the task to run on that ECS
        instance.
      - When not set, the first of the environment variables E(ALIBABA_CLOUD_ECS_METADATA),
        E(ALICLOUD_ECS_ROLE_NAME) that is set is used.
    type: str
  ecs_metadata_endpoint:
    description:
      - URL of the ECS instance metadata service.
      - When not set, the environment variable E(ALIBABA_CLOUD_ECS_METADATA_ENDPOINT) is used.
    type: str
    default: http://100.100.100.200
  assume_role_arn:
    description:
      - ARN of a RAM role to assume with STS on top of the credentials found.
      - The role is assumed with whichever credentials the other options found.
      - When not set, the first of the environment variables E(ALIBABA_CLOUD_ROLE_ARN),
        E(ALICLOUD_ASSUME_ROLE_ARN) that is set is used.
    type: str
  assume_role_session_name:
    description:
      - Session name of the assumed role.
      - When not set, the first of the environment variables E(ALIBABA_CLOUD_ROLE_SESSION_NAME),
        E(ALICLOUD_ASSUME_ROLE_SESSION_NAME) that is set is used.
    type: str
    default: alicloud-ens-ansible
  assume_role_duration:
    description:
      - Seconds the assumed role's credentials are valid, at least 900.
    type: int
    default: 3600
  assume_role_policy:
    description:
      - A RAM policy (JSON) that further restricts the assumed role.
    type: str
  assume_role_external_id:
    description:
      - External ID the role's trust policy requires.
    type: str
  sts_endpoint:
    description:
      - "STS endpoint used to assume O(assume_role_arn): a host, or a URL with scheme and port."
      - When not set, the environment variable E(ALIBABA_CLOUD_STS_ENDPOINT) is used.
    type: str
    default: sts.aliyuncs.com
"""

    # Plugins (the lookup): Ansible's configuration system reads env: and vars: itself.
    PLUGINS = r"""
notes:
  - Each connection option is taken from the lookup's keyword, else its C(ens_<option>) variable, else its
    environment variables, else its default. Credentials come from the first source that has them, trying in turn
    O(access_key_id) and O(access_key_secret) (with O(security_token)), the aliyun CLI profile
    (O(profile), O(config_file)), the ECS instance's RAM role (O(ecs_role_name)).
    O(assume_role_arn) then assumes a role with them.
options:
  access_key_id:
    description: Alibaba Cloud access key ID. If no access key is given by an option or the environment, the
      credentials come from O(profile) or O(ecs_role_name).
    type: str
    aliases: [access_key, alicloud_access_key]
    env:
      - name: ALIBABA_CLOUD_ACCESS_KEY_ID
      - name: ALICLOUD_ACCESS_KEY_ID
      - name: ALICLOUD_ACCESS_KEY
    vars:
      - name: ens_access_key_id
  access_key_secret:
    description: Alibaba Cloud access key secret. Required together with O(access_key_id).
    type: str
    aliases: [secret_key, alicloud_secret_key]
    env:
      - name: ALIBABA_CLOUD_ACCESS_KEY_SECRET
      - name: ALICLOUD_ACCESS_KEY_SECRET
      - name: ALICLOUD_SECRET_KEY
    vars:
      - name: ens_access_key_secret
  security_token:
    description: STS security token, for temporary credentials. Use it with the temporary O(access_key_id) and
      O(access_key_secret) that STS issued with it.
    type: str
    aliases: [alicloud_security_token]
    env:
      - name: ALIBABA_CLOUD_SECURITY_TOKEN
      - name: ALICLOUD_SECURITY_TOKEN
    vars:
      - name: ens_security_token
  region_id:
    description: Region whose ENS endpoint to use, for example V(cn-beijing) or V(ap-southeast-1). ENS has no region
      parameter; the region only picks the endpoint host. When neither O(region_id) nor O(endpoint) is set, the
      profile's C(region_id) is used, else V(ens.aliyuncs.com).
    type: str
    aliases: [region, alicloud_region]
    env:
      - name: ALIBABA_CLOUD_REGION_ID
      - name: ALICLOUD_REGION_ID
      - name: ALICLOUD_REGION
    vars:
      - name: ens_region_id
  endpoint:
    description: "ENS endpoint: a host such as V(ens.aliyuncs.com), or a URL with scheme and port such as
      V(https://127.0.0.1:8443). Overrides the endpoint of O(region_id)."
    type: str
    env:
      - name: ALIBABA_CLOUD_ENS_ENDPOINT
    vars:
      - name: ens_endpoint
  endpoint_type:
    description: "Which endpoint of O(region_id) to use: the public one or the VPC one."
    type: str
    choices: [public, vpc]
    default: public
    vars:
      - name: ens_endpoint_type
  signature_version:
    description: "Request signature algorithm: V(v3) (ACS3-HMAC-SHA256) or V(v1) (HMAC-SHA1)."
    type: str
    choices: [v3, v1]
    default: v3
    env:
      - name: ALIBABA_CLOUD_ENS_SIGNATURE_VERSION
    vars:
      - name: ens_signature_version
  validate_certs:
    description: Whether to verify the endpoint's TLS certificate.
    type: bool
    default: true
    vars:
      - name: ens_validate_certs
  ca_path:
    description: CA bundle file used to verify the endpoint's TLS certificate. Use it for an endpoint whose
      certificate a private CA signed, such as the ENS emulator's.
    type: path
    vars:
      - name: ens_ca_path
  timeout:
    description: Seconds to wait for each HTTP request.
    type: float
    default: 10
    vars:
      - name: ens_timeout
  max_retries:
    description: How many times to retry a request that failed in a retryable way (throttling, server errors,
      connection errors, timeouts). Retries wait with capped, jittered exponential back-off, and honour the API's
      C(x-acs-retry-after) header.
    type: int
    default: 8
    vars:
      - name: ens_max_retries
  deadline:
    description: Seconds the whole task may take, retries included. When it is exceeded, the task fails with code
      C(DeadlineExceeded).
    type: float
    default: 300
    vars:
      - name: ens_deadline
  max_concurrency:
    description: Most requests sent at the same time when listing several pages.
    type: int
    default: 32
    vars:
      - name: ens_max_concurrency
  profile:
    description: Profile of the aliyun CLI config file to use; the file's C(current) profile when not set.
    type: str
    env:
      - name: ALIBABA_CLOUD_PROFILE
      - name: ALICLOUD_PROFILE
    vars:
      - name: ens_profile
  config_file:
    description: The aliyun CLI config file.
    type: path
    default: ~/.aliyun/config.json
    env:
      - name: ALIBABA_CLOUD_CONFIG_FILE
      - name: ALICLOUD_SHARED_CREDENTIALS_FILE
    vars:
      - name: ens_config_file
  ecs_role_name:
    description: RAM role of the ECS instance, whose temporary credentials the instance metadata service gives. Used
      only when neither keys nor a profile give credentials. Needs the task to run on that ECS instance.
    type: str
    env:
      - name: ALIBABA_CLOUD_ECS_METADATA
      - name: ALICLOUD_ECS_ROLE_NAME
    vars:
      - name: ens_ecs_role_name
  ecs_metadata_endpoint:
    description: URL of the ECS instance metadata service.
    type: str
    default: http://100.100.100.200
    env:
      - name: ALIBABA_CLOUD_ECS_METADATA_ENDPOINT
    vars:
      - name: ens_ecs_metadata_endpoint
  assume_role_arn:
    description: ARN of a RAM role to assume with STS on top of the credentials found. The role is assumed with
      whichever credentials the other options found.
    type: str
    env:
      - name: ALIBABA_CLOUD_ROLE_ARN
      - name: ALICLOUD_ASSUME_ROLE_ARN
    vars:
      - name: ens_assume_role_arn
  assume_role_session_name:
    description: Session name of the assumed role.
    type: str
    default: alicloud-ens-ansible
    env:
      - name: ALIBABA_CLOUD_ROLE_SESSION_NAME
      - name: ALICLOUD_ASSUME_ROLE_SESSION_NAME
    vars:
      - name: ens_assume_role_session_name
  assume_role_duration:
    description: Seconds the assumed role's credentials are valid, at least 900.
    type: int
    default: 3600
    vars:
      - name: ens_assume_role_duration
  assume_role_policy:
    description: A RAM policy (JSON) that further restricts the assumed role.
    type: str
    vars:
      - name: ens_assume_role_policy
  assume_role_external_id:
    description: External ID the role's trust policy requires.
    type: str
    vars:
      - name: ens_assume_role_external_id
  sts_endpoint:
    description: "STS endpoint used to assume O(assume_role_arn): a host, or a URL with scheme and port."
    type: str
    default: sts.aliyuncs.com
    env:
      - name: ALIBABA_CLOUD_STS_ENDPOINT
    vars:
      - name: ens_sts_endpoint
"""
