"""Test set-up shared by every test: imports and fixtures.

The collection is imported the way Ansible imports it,
``ansible_collections.alicloud.ens...``, from this source tree: a symlink under
``.build/import-root`` stands in for an installed copy.
"""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
IMPORT_ROOT = ROOT / ".build" / "import-root"


def _link_source_tree():
    link = IMPORT_ROOT / "ansible_collections" / "alicloud" / "ens"
    link.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.symlink(ROOT, link)
    except FileExistsError:
        pass


_link_source_tree()
sys.path.insert(0, str(IMPORT_ROOT))
sys.path.insert(0, str(ROOT))

pytest_plugins = ["tests.fixtures.emulator", "tests.fixtures.ansible"]
