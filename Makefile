# alicloud.ens: set-up, build, quality gates and release tooling.
#
#   make demo      set everything up, run the example playbook against the emulator
#   make test      every quality gate (what CI runs through .ci/run)
#   make help      the other targets
#
# Needs only python3 (3.11), git and make; every tool is installed here, into
# .venv (dev tools), .venv-importer (galaxy-importer), .venv-oldest and
# .venv-newest (the ansible-core version matrix). Each is re-created only when
# its requirements change (a stamp file inside it).

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

ROOT := $(patsubst %/,%,$(dir $(abspath $(lastword $(MAKEFILE_LIST)))))
export PATH := $(ROOT)/.venv/bin:$(PATH)
# The project's shared folder sits beside the clone.
SHARED ?= $(abspath $(ROOT)/../shared)

PYTHON ?= $(shell python3.11 -c '' >/dev/null 2>&1 && echo python3.11 || echo python3)
VENV := $(ROOT)/.venv
BIN := $(VENV)/bin
PY := $(BIN)/python
VENV_STAMP := $(VENV)/.stamp-requirements

BUILD := $(ROOT)/.build
NAMESPACE := alicloud
NAME := ens
VERSION := $(shell sed -n 's/^version:[[:space:]]*//p' $(ROOT)/galaxy.yml)
TARBALL := $(BUILD)/dist/$(NAMESPACE)-$(NAME)-$(VERSION).tar.gz
COLLECTIONS := $(BUILD)/collections
INSTALLED := $(COLLECTIONS)/ansible_collections/$(NAMESPACE)/$(NAME)
SANITY_ROOT := $(BUILD)/sanity/ansible_collections/$(NAMESPACE)/$(NAME)

# Narrow the gates while developing, e.g. make sanity SANITY_ARGS="--test pylint",
# make unit PYTEST_ARGS="-k signing".
SANITY_ARGS ?=
PYTEST_ARGS ?=
PYTEST_WORKERS ?= 2
PYTEST_COMMON := -n $(PYTEST_WORKERS) -p no:cacheprovider
TEST_ENV := ENS_TEST_COLLECTIONS_PATH=$(COLLECTIONS)
# JUnit reports of the runs `make test` makes; its last line totals them.
JUNIT := $(BUILD)/junit
UNIT_TESTS := $(wildcard tests/unit)
INTEGRATION_TESTS := $(wildcard tests/integration)

# The supported ansible-core range is stated in meta/runtime.yml (requires_ansible)
# and README.md; the matrix runs the integration tests on both ends of it.
ANSIBLE_CORE_OLDEST ?= 2.16.19
ANSIBLE_CORE_NEWEST ?= 2.21.5
PYTHON_OLDEST ?= $(PYTHON)
PYTHON_NEWEST ?= $(shell python3 $(ROOT)/tools/find_python.py 3.12)
# The matrix runs the playbook-level integration tests: every test that runs
# ansible-playbook or ansible against the installed collection (the client,
# emulator and SDK tests do not depend on ansible-core).
MATRIX_TESTS ?= tests/integration/test_modules.py tests/integration/test_lookup.py tests/integration/test_module_harness.py
MATRIX_ARGS ?=

EE_DEFINITION := docs/execution-environment/execution-environment.yml

.PHONY: help
help:
	@echo "make demo             venv, build + install, emulator over HTTPS, run examples/choose_image.yml"
	@echo "make test             every quality gate (CI): pytest, sanity, lint, importer, EE, matrix, demo"
	@echo "make venv             .venv from requirements-dev.txt (re-run only when requirements change)"
	@echo "make build / install  collection tarball in .build/dist, installed into .build/collections"
	@echo "make unit / integration / pytest   pytest (PYTEST_ARGS=... to narrow)"
	@echo "make sanity           ansible-test sanity --venv on a copy in .build/sanity (SANITY_ARGS=...)"
	@echo "make sanity-py38      compile + import sanity of the modules and module_utils on Python 3.8"
	@echo "make lint             ansible-lint (production), antsibull-docs lint, antsibull-changelog lint"
	@echo "make ansible-doc      every plugin and role renders in ansible-doc without a warning"
	@echo "make importer         galaxy-importer on the tarball (lint on, ansible-test off): no errors, no warnings"
	@echo "make ee               ansible-builder introspect + create on docs/execution-environment, checked"
	@echo "make matrix           integration tests on ansible-core $(ANSIBLE_CORE_OLDEST) and $(ANSIBLE_CORE_NEWEST)"
	@echo "make bench            the benchmark (tests/bench/run_bench.py; not part of make test; BENCH_ARGS=\"--only a,c\" to narrow)"
	@echo "make docs             HTML docs site into docs/build/html"
	@echo "make release-changelog   antsibull-changelog release $(VERSION): changelog.yaml + CHANGELOG.rst"
	@echo "make clean / distclean   build output / also every virtual environment"

# --- the whole gate ----------------------------------------------------------------

# Order: the gates everyone works against first, the slow set-ups last.
.PHONY: test
test: pytest lint ansible-doc sanity sanity-py38 importer ee docs demo matrix
	@echo "make test: every gate passed"
	@$(PY) tools/summarize_junit.py $(JUNIT)/pytest.xml $(JUNIT)/matrix-oldest.xml $(JUNIT)/matrix-newest.xml

# --- virtual environments ------------------------------------------------------------

.PHONY: venv
venv: $(VENV_STAMP)

$(VENV_STAMP): requirements-dev.txt requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $@

# --- build and install -------------------------------------------------------------

.PHONY: build
build: $(VENV_STAMP)
	@rm -rf $(BUILD)/dist && mkdir -p $(BUILD)/dist
	$(BIN)/ansible-galaxy collection build --force --output-path $(BUILD)/dist $(ROOT)
	$(PY) tools/check_tarball.py $(TARBALL) $(ROOT)

.PHONY: install
install: build
	@rm -rf $(INSTALLED)
	ANSIBLE_COLLECTIONS_PATH=$(COLLECTIONS) $(BIN)/ansible-galaxy collection install --offline --force -p $(COLLECTIONS) $(TARBALL)

# --- pytest ------------------------------------------------------------------------

.PHONY: unit
unit: $(VENV_STAMP)
	$(TEST_ENV) $(PY) -m pytest $(PYTEST_COMMON) $(PYTEST_ARGS) $(UNIT_TESTS)

.PHONY: integration
integration: install
	$(TEST_ENV) $(PY) -m pytest $(PYTEST_COMMON) $(PYTEST_ARGS) $(INTEGRATION_TESTS)

# unit and integration in one run: one summary line, both cores busy.
.PHONY: pytest
pytest: install
	$(TEST_ENV) $(PY) -m pytest $(PYTEST_COMMON) --junitxml=$(JUNIT)/pytest.xml $(PYTEST_ARGS) $(UNIT_TESTS) $(INTEGRATION_TESTS)

# --- ansible-test sanity -----------------------------------------------------------

# ansible-test needs the collection at .../ansible_collections/alicloud/ens; the copy
# holds what git would (tracked + untracked-not-ignored) and is a git repository
# of its own (with nothing committed), so ansible-test lists its files with git
# instead of walking up to this repository, where .build is ignored. tests/output
# is kept between runs, and with it ansible-test's delegation virtual environment
# (its per-test virtual environments live in ~/.ansible/test/venv).
.PHONY: sanity-tree
sanity-tree: $(VENV_STAMP)
	@if [ -f $(SHARED)/tools/ansible-test-offline-pip ]; then \
	  $(PY) $(SHARED)/tools/ansible-test-offline-pip; \
	else echo "note: $(SHARED)/tools/ansible-test-offline-pip not found; ansible-test will fetch get-pip itself"; fi
	$(PY) tools/sync_tree.py $(ROOT) $(SANITY_ROOT) --keep tests/output --keep .git
	@test -d $(SANITY_ROOT)/.git || git init --quiet $(SANITY_ROOT)

.PHONY: sanity
sanity: sanity-tree
	cd $(SANITY_ROOT) && $(BIN)/ansible-test sanity --venv --python 3.11 --color no $(SANITY_ARGS)

# Modules and module_utils run on managed hosts, down to Python 3.8: they must
# compile there and import with the standard library only (ansible-test's import test
# runs in a virtual environment that holds only what ansible-core needs).
PYTHON_38 ?= $(shell python3 $(ROOT)/tools/find_python.py 3.8)
.PHONY: sanity-py38
sanity-py38: sanity-tree
	@test -n "$(PYTHON_38)" || { echo "no Python 3.8 found (pyenv provides it)"; exit 1; }
	cd $(SANITY_ROOT) && PATH=$(dir $(PYTHON_38)):$$PATH $(BIN)/ansible-test sanity --venv --python 3.8 --color no \
	  --test compile --test import

# --- lint --------------------------------------------------------------------------

.PHONY: lint
lint: ansible-lint docs-lint changelog-lint

# ansible-lint resolves the collection's own modules from the installed copy, with
# a private ANSIBLE_HOME: offline, it would otherwise use whatever copy an earlier
# run left in its cache directory (./.ansible or ~/.ansible), stale or not.
.PHONY: ansible-lint
ansible-lint: install
	rm -rf $(BUILD)/ansible-lint-home
	env -u VIRTUAL_ENV ANSIBLE_HOME=$(BUILD)/ansible-lint-home ANSIBLE_COLLECTIONS_PATH=$(COLLECTIONS) \
	  $(BIN)/ansible-lint --profile production --offline --nocolor

.PHONY: docs-lint
docs-lint: $(VENV_STAMP)
	$(BIN)/antsibull-docs lint-collection-docs --plugin-docs --check-extra-docs-refs $(ROOT)

.PHONY: changelog-lint
changelog-lint: $(VENV_STAMP)
	$(BIN)/antsibull-changelog lint

# --- Galaxy and execution environments ----------------------------------------------

IMPORTER_VENV := $(ROOT)/.venv-importer
IMPORTER_STAMP := $(IMPORTER_VENV)/.stamp-requirements

$(IMPORTER_STAMP): tools/requirements-importer.txt
	@test -x $(IMPORTER_VENV)/bin/python || $(PYTHON) -m venv $(IMPORTER_VENV)
	$(IMPORTER_VENV)/bin/python -m pip install --quiet -r tools/requirements-importer.txt
	@touch $@

.PHONY: importer
importer: build $(IMPORTER_STAMP)
	$(IMPORTER_VENV)/bin/python tools/check_galaxy_import.py $(TARBALL) $(BUILD)/importer

.PHONY: ee
ee: install
	$(PY) tools/check_ee.py $(EE_DEFINITION) $(BUILD)/ee/context $(COLLECTIONS)

# --- the ansible-core version matrix ------------------------------------------------

# The test tools of requirements-dev.txt without the ones pinned to the main
# ansible-core (ansible-core itself, ansible-lint, antsibull-*, ansible-builder).
$(BUILD)/matrix/requirements.txt: requirements-dev.txt requirements.txt
	@mkdir -p $(@D)
	grep -v -E '^(ansible-core|ansible-lint|antsibull-[a-z-]+|ansible-builder)([<>=!~ ;[]|$$)' requirements-dev.txt \
	  | sed -e 's|^-r requirements.txt|-r $(ROOT)/requirements.txt|' > $@

.venv-oldest/.stamp-$(ANSIBLE_CORE_OLDEST): $(BUILD)/matrix/requirements.txt
	rm -rf .venv-oldest && $(PYTHON_OLDEST) -m venv .venv-oldest
	.venv-oldest/bin/python -m pip install --quiet -r $< ansible-core==$(ANSIBLE_CORE_OLDEST)
	@touch $@

.venv-newest/.stamp-$(ANSIBLE_CORE_NEWEST): $(BUILD)/matrix/requirements.txt
	@test -n "$(PYTHON_NEWEST)" || { echo "no Python 3.12 found (ansible-core $(ANSIBLE_CORE_NEWEST) needs it)"; exit 1; }
	rm -rf .venv-newest && $(PYTHON_NEWEST) -m venv .venv-newest
	.venv-newest/bin/python -m pip install --quiet -r $< ansible-core==$(ANSIBLE_CORE_NEWEST)
	@touch $@

.PHONY: matrix matrix-oldest matrix-newest
matrix: matrix-oldest matrix-newest

matrix-oldest: install .venv-oldest/.stamp-$(ANSIBLE_CORE_OLDEST)
	@.venv-oldest/bin/ansible --version | sed -n 1p
	$(TEST_ENV) .venv-oldest/bin/python -m pytest $(PYTEST_COMMON) --junitxml=$(JUNIT)/matrix-oldest.xml $(MATRIX_ARGS) $(MATRIX_TESTS)

matrix-newest: install .venv-newest/.stamp-$(ANSIBLE_CORE_NEWEST)
	@.venv-newest/bin/ansible --version | sed -n 1p
	$(TEST_ENV) .venv-newest/bin/python -m pytest $(PYTEST_COMMON) --junitxml=$(JUNIT)/matrix-newest.xml $(MATRIX_ARGS) $(MATRIX_TESTS)

# --- demo, benchmark ------------------------------------------------------------------

DEMO_ENV := ANSIBLE_COLLECTIONS_PATH=$(COLLECTIONS) ANSIBLE_LOCALHOST_WARNING=False ANSIBLE_INVENTORY_UNPARSED_WARNING=False

.PHONY: demo
demo: install
	$(DEMO_ENV) $(PY) tools/with_emulator.py -- $(BIN)/ansible-playbook examples/choose_image.yml

.PHONY: bench
bench: install
	$(TEST_ENV) $(PY) tests/bench/run_bench.py $(BENCH_ARGS)

# --- docs site ---------------------------------------------------------------------

DOCSITE := $(BUILD)/docsite

.PHONY: docs
docs: install
	rm -rf $(DOCSITE) && mkdir -p $(DOCSITE)
	ANSIBLE_COLLECTIONS_PATH=$(COLLECTIONS) $(BIN)/antsibull-docs sphinx-init --use-current --dest-dir $(DOCSITE) \
	  --lenient --project "alicloud.ens" --copyright "alicloud.ens contributors" --title "alicloud.ens" \
	  --fail-on-error $(NAMESPACE).$(NAME)
	@# Offline, Sphinx cannot fetch the intersphinx inventories of docs.ansible.com and
	@# docs.python.org: it warns, and links into those sites stay plain text.
	ANSIBLE_COLLECTIONS_PATH=$(COLLECTIONS) bash $(DOCSITE)/build.sh
	rm -rf docs/build && mkdir -p docs/build && cp -r $(DOCSITE)/build/html docs/build/html
	@echo "docs: open docs/build/html/index.html"

# Every plugin renders in ansible-doc without a warning or an error.
.PHONY: ansible-doc
ansible-doc: install
	ANSIBLE_COLLECTIONS_PATH=$(COLLECTIONS) $(PY) tools/check_ansible_doc.py $(NAMESPACE).$(NAME)

# --- release -----------------------------------------------------------------------

# Moves the changelog fragments into changelogs/changelog.yaml as release
# $(VERSION) (the version in galaxy.yml) and regenerates CHANGELOG.rst.
.PHONY: release-changelog
release-changelog: $(VENV_STAMP)
	$(BIN)/antsibull-changelog release --version $(VERSION)
	$(BIN)/antsibull-changelog lint

.PHONY: clean
clean:
	rm -rf $(BUILD) docs/build tests/output .pytest_cache

.PHONY: distclean
distclean: clean
	rm -rf $(VENV) $(IMPORTER_VENV) .venv-oldest .venv-newest
