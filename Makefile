# alicloud.ens: set-up, build, quality gates and release tooling.
#
#   make demo      set everything up, run the example playbook against the emulator
#   make test      every quality gate (what CI runs through .ci/run)
#   make help      the other targets
#
# Needs only python3 (3.11), git and make; every tool is installed into
# virtual environments here (.venv, .venv-importer, .venv-oldest, .venv-newest).

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

ROOT := $(patsubst %/,%,$(dir $(abspath $(lastword $(MAKEFILE_LIST)))))
export PATH := $(ROOT)/.venv/bin:$(PATH)
SHARED ?= $(abspath $(ROOT)/../shared)

PYTHON ?= $(shell command -v python3.11 >/dev/null 2>&1 && python3.11 -c '' 2>/dev/null && echo python3.11 || echo python3)
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
PYTEST := $(PY) -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)
TEST_ENV := ENS_TEST_COLLECTIONS_PATH=$(COLLECTIONS)
UNIT_TESTS := $(wildcard tests/unit)
INTEGRATION_TESTS := $(wildcard tests/integration)

.PHONY: help
help:
	@echo "make demo             venv, build + install, emulator over HTTPS, run examples/choose_image.yml"
	@echo "make test             every quality gate (CI): pytest, sanity, lint, importer, EE, matrix"
	@echo "make venv             .venv from requirements-dev.txt (re-run only when requirements change)"
	@echo "make build / install  collection tarball in .build/dist, installed into .build/collections"
	@echo "make unit / integration / pytest   pytest (PYTEST_ARGS=... to narrow)"
	@echo "make sanity           ansible-test sanity --venv on a copy in .build/sanity (SANITY_ARGS=...)"
	@echo "make lint             ansible-lint (production), antsibull-docs lint, antsibull-changelog lint"
	@echo "make bench            the benchmark (tests/bench/run_bench.py; not part of make test)"
	@echo "make docs             HTML docs site into docs/build/html"
	@echo "make clean / distclean   build output / also every virtual environment"

# --- virtual environment -----------------------------------------------------

.PHONY: venv
venv: $(VENV_STAMP)

$(VENV_STAMP): requirements-dev.txt requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $@

# --- build and install -------------------------------------------------------

.PHONY: build
build: $(VENV_STAMP)
	@rm -rf $(BUILD)/dist && mkdir -p $(BUILD)/dist
	$(BIN)/ansible-galaxy collection build --force --output-path $(BUILD)/dist $(ROOT)
	$(PY) tools/check_tarball.py $(TARBALL) $(ROOT)

.PHONY: install
install: build
	@rm -rf $(INSTALLED)
	ANSIBLE_COLLECTIONS_PATH=$(COLLECTIONS) $(BIN)/ansible-galaxy collection install --offline --force -p $(COLLECTIONS) $(TARBALL)

# --- pytest --------------------------------------------------------------------

.PHONY: unit
unit: $(VENV_STAMP)
	$(TEST_ENV) $(PYTEST) $(UNIT_TESTS)

.PHONY: integration
integration: install
	$(TEST_ENV) $(PYTEST) $(INTEGRATION_TESTS)

# unit and integration in one run: one summary line, both cores busy.
.PHONY: pytest
pytest: install
	$(TEST_ENV) $(PYTEST) $(UNIT_TESTS) $(INTEGRATION_TESTS)

# --- ansible-test sanity ---------------------------------------------------------

# ansible-test needs the collection at .../ansible_collections/alicloud/ens; the copy
# holds what git would (tracked + untracked-not-ignored) and is a git repository
# of its own (with nothing committed), so ansible-test lists its files with git
# instead of walking up to this repository, where .build is ignored. tests/output
# is kept between runs, and with it ansible-test's delegation virtual environment.
.PHONY: sanity
sanity: $(VENV_STAMP)
	@if [ -f $(SHARED)/tools/ansible-test-offline-pip ]; then \
	  $(PY) $(SHARED)/tools/ansible-test-offline-pip; \
	else echo "note: $(SHARED)/tools/ansible-test-offline-pip not found; ansible-test will fetch get-pip itself"; fi
	$(PY) tools/sync_tree.py $(ROOT) $(SANITY_ROOT) --keep tests/output --keep .git
	@test -d $(SANITY_ROOT)/.git || git init --quiet $(SANITY_ROOT)
	cd $(SANITY_ROOT) && PATH=$(BIN):$$PATH $(BIN)/ansible-test sanity --venv --python 3.11 --color no $(SANITY_ARGS)

# --- lint ------------------------------------------------------------------------

.PHONY: lint
lint: ansible-lint docs-lint changelog-lint

.PHONY: ansible-lint
ansible-lint: $(VENV_STAMP)
	$(BIN)/ansible-lint --profile production --offline --nocolor

.PHONY: docs-lint
docs-lint: $(VENV_STAMP)
	$(BIN)/antsibull-docs lint-collection-docs --plugin-docs --check-extra-docs-refs $(ROOT)

.PHONY: changelog-lint
changelog-lint: $(VENV_STAMP)
	$(BIN)/antsibull-changelog lint

.PHONY: clean
clean:
	rm -rf $(BUILD) docs/build tests/output .pytest_cache

.PHONY: distclean
distclean: clean
	rm -rf $(VENV) $(ROOT)/.venv-importer $(ROOT)/.venv-oldest $(ROOT)/.venv-newest
