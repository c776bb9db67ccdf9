"""The doc fragment documents exactly the option table: names, types, defaults, aliases, choices, environment."""

import re

import pytest
import yaml

from ansible_collections.alicloud.ens.plugins.doc_fragments.ens import ModuleDocFragment
from ansible_collections.alicloud.ens.plugins.module_utils.options import CONNECTION_OPTIONS

MODULES = yaml.safe_load(ModuleDocFragment.DOCUMENTATION)["options"]
PLUGINS = yaml.safe_load(ModuleDocFragment.PLUGINS)["options"]
ENV_MARKUP = re.compile(r"E\(([A-Z0-9_]+)\)")


def expected_shape(row):
    """What the table says an option's documentation must hold (``None`` = absent)."""
    return {
        "type": row["type"],
        "default": row["default"],
        "aliases": list(row["aliases"]) or None,
        "choices": list(row["choices"]) if row["choices"] else None,
    }


def documented_shape(doc):
    return dict((key, doc.get(key)) for key in ("type", "default", "aliases", "choices"))


def description_text(doc):
    description = doc["description"]
    return " ".join(description) if isinstance(description, list) else description


@pytest.mark.parametrize("variant", [MODULES, PLUGINS], ids=["modules", "plugins"])
def test_same_options_in_the_same_order(variant):
    assert list(variant) == list(CONNECTION_OPTIONS)


@pytest.mark.parametrize("name", list(CONNECTION_OPTIONS))
@pytest.mark.parametrize("variant", [MODULES, PLUGINS], ids=["modules", "plugins"])
def test_types_defaults_aliases_choices_match(variant, name):
    assert documented_shape(variant[name]) == expected_shape(CONNECTION_OPTIONS[name])


@pytest.mark.parametrize("name", list(CONNECTION_OPTIONS))
def test_module_descriptions_name_the_environment_variables_in_order(name):
    assert ENV_MARKUP.findall(description_text(MODULES[name])) == list(CONNECTION_OPTIONS[name]["env"])
    assert "env" not in MODULES[name] and "vars" not in MODULES[name]


@pytest.mark.parametrize("name", list(CONNECTION_OPTIONS))
def test_plugin_env_and_vars_entries(name):
    doc = PLUGINS[name]
    assert [entry["name"] for entry in doc.get("env", [])] == list(CONNECTION_OPTIONS[name]["env"])
    assert doc["vars"] == [{"name": "ens_%s" % name}]


@pytest.mark.parametrize("name", list(CONNECTION_OPTIONS))
def test_descriptions_start_with_the_tables(name):
    for variant in (MODULES, PLUGINS):
        assert description_text(variant[name]).startswith(CONNECTION_OPTIONS[name]["description"] + " ") or \
            description_text(variant[name]) == CONNECTION_OPTIONS[name]["description"]
