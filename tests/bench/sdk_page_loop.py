"""Benchmark (b): the official SDK's page loop over DescribeExportImageInfo, as its documentation shows it.

    python tests/bench/sdk_page_loop.py --endpoint HOST:PORT --ca CA.pem [--page-size 50]

Credentials come from ALIBABA_CLOUD_ACCESS_KEY_ID / ALIBABA_CLOUD_ACCESS_KEY_SECRET.
Prints ``records N total T`` and exits 0 when every record was read.
"""

import argparse
import os
import sys

from alibabacloud_ens20171110 import models
from alibabacloud_ens20171110.client import Client
from alibabacloud_tea_openapi.models import Config
from darabonba.runtime import RuntimeOptions


def parse_arguments(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoint", required=True, help="host:port of the ENS endpoint")
    parser.add_argument("--ca", help="CA bundle to verify the endpoint's certificate")
    parser.add_argument("--page-size", type=int, default=50)
    return parser.parse_args(argv)


def list_every_record(client, page_size, runtime):
    """One page after the other until TotalCount records are read (the SDK has no paginator)."""
    records, page_number = [], 1
    while True:
        request = models.DescribeExportImageInfoRequest(page_number=page_number, page_size=page_size)
        body = client.describe_export_image_info_with_options(request, runtime).body.to_map()
        records.extend((body.get("Images") or {}).get("Image") or [])
        total = body["TotalCount"]
        if page_number * page_size >= total:
            return records, total
        page_number += 1


def main(argv=None):
    arguments = parse_arguments(argv)
    config = Config(access_key_id=os.environ["ALIBABA_CLOUD_ACCESS_KEY_ID"],
                    access_key_secret=os.environ["ALIBABA_CLOUD_ACCESS_KEY_SECRET"],
                    endpoint=arguments.endpoint, protocol="https", ca=arguments.ca)
    records, total = list_every_record(Client(config), arguments.page_size, RuntimeOptions(ca=arguments.ca))
    print("records %d total %d" % (len(records), total))
    return 0 if len(records) == total else 1


if __name__ == "__main__":
    sys.exit(main())
