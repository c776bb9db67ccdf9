"""The emulator's data: ENS public images and export records, as the API sends them.

Pure functions and constants only (standard library, no imports from beside
this file), so tests can import it as ``tests.emulator.catalogue`` and compute
the answers they expect instead of hard-coding them.

Every image value is a string, as in the DescribeImageInfos seed page.
Export records are generated deterministically from ``(index, seed)``; record
``i`` is always the same record, so records added later (``drift``) are just
the next indexes.
"""

import datetime
import random

DEFAULT_REGION = "cn-wulanchabu"
DEFAULT_EXPORT_IMAGES = 13
DEFAULT_SEED = 0
MAX_PAGE_SIZE = 50
DEFAULT_PAGE_SIZE = 10
OS_TYPES = ("linux", "windows")
EXPORT_STATUSES = ("Exporting", "Exported", "ExportError", "Unexported")

# (ImageId, OSName, ImageVersion, ComputeType, ImageSize, disk format)
_PUBLIC_IMAGES = (
    ("centos_6_08_64_20G_alibase_20170824.vhd", "centos", "6.8", "ens_vm", "20", "qcow2"),
    ("centos_7_06_64_20G_alibase_20190711.vhd", "centos", "7.6", "ens_vm", "20", "qcow2"),
    ("centos_7_09_64_20G_alibase_20231221", "centos", "7.9", "ens_vm", "20", "qcow2"),
    ("centos_7_09_64_20G_alibase_20231221_bm", "centos", "7.9", "bare_metal", "20", "raw"),
    ("centos_7_09_arm64_20G_alibase_20231221.vhd", "centos", "7.9", "arm_vm", "20", "qcow2"),
    ("centos_8_02_64_20G_alibase_20200824.vhd", "centos", "8.2", "ens_vm", "20", "qcow2"),
    ("debian_9_13_64_20G_alibase_20210318.vhd", "debian", "9.13", "ens_vm", "20", "qcow2"),
    ("debian_10_13_x64_20G_alibase_20231220.vhd", "debian", "10.13", "ens_vm", "20", "qcow2"),
    ("debian_11_8_x64_20G_alibase_20231220.vhd", "debian", "11.8", "ens_vm", "20", "qcow2"),
    ("debian_12_2_x64_20G_alibase_20231220.vhd", "debian", "12.2", "ens_vm", "20", "qcow2"),
    ("ubuntu_16_04_x64_20G_alibase_20210420.vhd", "ubuntu", "16.04", "ens_vm", "20", "qcow2"),
    ("ubuntu_18_04_x64_20G_alibase_20230208.vhd", "ubuntu", "18.04", "ens_vm", "20", "qcow2"),
    ("ubuntu_20_04_x64_20G_alibase_20231221.vhd", "ubuntu", "20.04", "ens_vm", "20", "qcow2"),
    ("ubuntu_20_04_x64_20G_alibase_20231221_pcfarm", "ubuntu", "20.04", "pcfarm", "40", "raw"),
    ("ubuntu_22_04_x64_20G_alibase_20231221.vhd", "ubuntu", "22.04", "ens_vm", "20", "qcow2"),
    ("ubuntu_22_04_x64_20G_alibase_20240220.vhd", "ubuntu", "22.04", "ens_vm", "20", "qcow2"),
    ("ubuntu_22_04_arm64_20G_alibase_20240220.vhd", "ubuntu", "22.04", "arm_vm", "20", "qcow2"),
    ("ubuntu_22_04_x64_20G_alibase_20240220_bm", "ubuntu", "22.04", "bare_metal", "20", "raw"),
    ("ubuntu_24_04_x64_20G_alibase_20240812.vhd", "ubuntu", "24.04", "ens_vm", "20", "qcow2"),
    ("win2016_64_dtc_1607_en-us_40G_alibase_20231220.vhd", "windows", "2016", "ens_vm", "40", "qcow2"),
    ("win2019_1809_x64_dtc_en-us_40G_alibase_20231220.vhd", "windows", "2019", "ens_vm", "40", "qcow2"),
    ("win2022_21H2_x64_dtc_en-us_40G_alibase_20240220.vhd", "windows", "2022", "ens_vm", "40", "qcow2"),
    ("win2019_1809_x64_dtc_en-us_40G_alibase_20231220_pcfarm", "windows", "2019", "pcfarm", "40", "raw"),
)

CUSTOM_IMAGE_ID = "m-5e0a5bc4d1b2c3"


def _disk(disk_type, size, disk_format, image_id):
    return {"Type": disk_type, "Size": size, "Format": disk_format, "imageId": image_id}


def _public_image(image_id, os_name, version, compute_type, size, disk_format):
    return {
        "Description": image_id,
        "ImageId": image_id,
        "ImageSize": size,
        "ImageVersion": version,
        "OSName": os_name,
        "OSType": "windows" if os_name == "windows" else "linux",
        "ComputeType": compute_type,
        "ImageOwnerAlias": "system",
        "DiskDeviceMappings": {"DiskDeviceMapping": [_disk("System", size, disk_format, image_id)]},
        "RegionId": DEFAULT_REGION,
    }


def _custom_image():
    return {
        "Description": "web-frontend base, ubuntu 22.04 + nginx",
        "ImageId": CUSTOM_IMAGE_ID,
        "ImageSize": "40",
        "ImageVersion": "22.04",
        "OSName": "ubuntu",
        "OSType": "linux",
        "ComputeType": "ens_vm",
        "ImageOwnerAlias": "self",
        "DiskDeviceMappings": {"DiskDeviceMapping": [
            _disk("System", "40", "qcow2", CUSTOM_IMAGE_ID),
            _disk("Data", "100", "raw", CUSTOM_IMAGE_ID),
        ]},
        "RegionId": "cn-hangzhou",
    }


def all_images():
    """Every image the emulator knows, in the order DescribeImageInfos returns them."""
    return [_public_image(*row) for row in _PUBLIC_IMAGES] + [_custom_image()]


def images_for_os_type(os_type=None):
    """What DescribeImageInfos returns for ``OsType`` (``None``: every image)."""
    return [image for image in all_images() if os_type is None or image["OSType"] == os_type]


# --- export records ---------------------------------------------------------------

_EXPORT_EPOCH = datetime.datetime(2023, 1, 2, 3, 0, 0)
_EXPORT_SPACING_MINUTES = 360
_PLATFORMS = (
    ("ubuntu", "22.04"), ("ubuntu", "20.04"), ("centos", "7.9"), ("debian", "12"),
    ("debian", "11"), ("windows", "2019"), ("windows", "2022"), ("ubuntu", "24.04"),
)
_ROLES = ("web", "api", "cache", "db", "worker", "edge-proxy", "media", "ci-runner")


def _creation_time(index, rng):
    """Record ``index`` was created somewhere inside its own 6-hour slot: distinct and increasing."""
    minutes = index * _EXPORT_SPACING_MINUTES + rng.randrange(_EXPORT_SPACING_MINUTES - 1)
    return (_EXPORT_EPOCH + datetime.timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%SZ")


def export_record(index, seed=DEFAULT_SEED):
    """Export record number ``index`` (0-based, in creation order) for ``seed``."""
    rng = random.Random("%s:%d" % (seed, index))
    image_id = "m-%014x" % rng.getrandbits(56)
    platform, version = rng.choice(_PLATFORMS)
    architecture = "arm64" if platform != "windows" and rng.random() < 0.2 else "x86_64"
    status = rng.choice(EXPORT_STATUSES + ("Exported", "Exported"))
    url = ""
    if status == "Exported":
        url = "https://ens-export-%d.oss-cn-beijing.aliyuncs.com/%s.qcow2" % (seed, image_id)
    return {
        "Architecture": architecture,
        "CreationTime": _creation_time(index, rng),
        "ExportedImageURL": url,
        "ImageExportStatus": status,
        "ImageId": image_id,
        "ImageName": "%s-%s-%s-%04d" % (rng.choice(_ROLES), platform, version, index),
        "ImageOwnerAlias": "system" if rng.random() < 0.15 else "self",
        "Platform": platform,
    }


def export_records(count=DEFAULT_EXPORT_IMAGES, seed=DEFAULT_SEED):
    """The first ``count`` records, in creation order (oldest first)."""
    return [export_record(index, seed) for index in range(count)]


def listing_order(records):
    """The order DescribeExportImageInfo lists records in: newest first.

    So a record created during a listing shifts every page by one, which is
    what a client must notice (TotalCount changes) rather than return a doubled
    or short list.
    """
    return sorted(records, key=lambda record: record["CreationTime"], reverse=True)


def insert_in_listing_order(listing, record):
    """``listing`` (a sequence in ``listing_order``) with ``record`` added where ``listing_order`` puts it, as a tuple.

    The same result as ``tuple(listing_order(list(listing) + [record]))``
    without sorting again: a record created later than every other one (what
    ``drift`` adds) goes first, before all older ones; ties go after the
    records already listed, as the stable sort leaves them.
    """
    created = record["CreationTime"]
    position = next((index for index, listed in enumerate(listing) if listed["CreationTime"] < created), len(listing))
    return tuple(listing[:position]) + (record,) + tuple(listing[position:])


def filter_export_records(records, image_id=None, image_name=None):
    """The exact-match ``ImageId`` / ``ImageName`` filters of DescribeExportImageInfo.

    Without either filter this is ``records`` itself (no copy).
    """
    if image_id is None and image_name is None:
        return records
    return [record for record in records
            if (image_id is None or record["ImageId"] == image_id)
            and (image_name is None or record["ImageName"] == image_name)]


def page_of(items, page_number, page_size):
    """Page ``page_number`` (from 1) of ``page_size`` items; past the end: ``[]``."""
    start = (page_number - 1) * page_size
    return items[start:start + page_size]
