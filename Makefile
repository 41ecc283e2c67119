# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
export WALKTHROUGH_DATA_DIR ?= var

.PHONY: run test install lint docs bench clean chromium caddy node

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall when the project's dependencies change.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

run: install
	$(BIN)/walkthrough demo --tokens
	@echo "Tablet app: http://$(HOST):$(PORT)/   API docs: http://$(HOST):$(PORT)/docs"
	$(BIN)/walkthrough serve --host $(HOST) --port $(PORT)

# Debian's Chromium for the browser tests (never a downloaded browser build).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium for the browser tests"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null \
	  || echo "could not install chromium; browser tests will skip (or fail with WALKTHROUGH_REQUIRE_BROWSER=1)"; }

# Debian's Node.js for the tablet's `node --test` suite (tests/js, run by tests/web/test_tablet_js.py).
node:
	@command -v node >/dev/null 2>&1 || { \
	  echo "installing Debian's nodejs for the tablet's node tests"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq nodejs >/dev/null \
	  || echo "could not install nodejs; the node tests will skip (or fail with WALKTHROUGH_REQUIRE_BROWSER=1)"; }

# Debian's Caddy for the HTTPS tests (the reverse proxy docs/deployment.md sets up).
caddy:
	@command -v caddy >/dev/null 2>&1 || { \
	  echo "installing Debian's caddy for the HTTPS tests"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq caddy >/dev/null \
	  || echo "could not install caddy; HTTPS tests will skip (or fail with WALKTHROUGH_REQUIRE_CADDY=1)"; }

lint: install
	$(BIN)/ruff check walkthrough projections web tests benchmarks
	$(BIN)/mypy

# The documentation site (mkdocs.yml, docs/) into site/; `make test` builds it strictly too
# (tests/docs/test_site.py), and the browser tests retake its screenshots (docs/images/).
docs: install
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --site-dir site

# pytest in two processes (pytest-xdist; the browser tests all on one of them, as they
# share a server: tests/conftest.py), the tests' temporary stores in memory where
# /dev/shm has room: a throwaway store's every commit need not wait on the disk (no test
# can tell an fsync from none). `make test PYTEST_WORKERS=0` runs in one process.
PYTEST_WORKERS ?= 2
TEST_TMPDIR ?= $(shell df -Pk /dev/shm 2>/dev/null | awk 'NR == 2 && $$4 > 2097152 {print "/dev/shm"}')

test: install chromium caddy node lint
	TMPDIR=$(or $(TEST_TMPDIR),$(TMPDIR),/tmp) $(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadgroup

bench: install
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) var site *.egg-info .pytest_cache .mypy_cache .ruff_cache
