# mlsys-workbook: everything a learner, a teacher or CI needs is one of these targets.
#   make lab        create .venv if needed, install, open JupyterLab on the workbook
#   make test       create .venv if needed, lint, unit tests + doctests, every notebook under strict nbval
#   make notebooks  regenerate notebooks/*.ipynb from their py:percent sources (notebooks/.sources/,
#                   hidden from learners) and execute them in place
#   make notebooks-check  check, without executing, that every notebook is its source's executed twin
#   make student    student notebooks in build/student/ (solutions removed, exercise cells not run)
#   make html       static HTML handouts of every chapter in build/html/ (open build/html/index.html)
#   make lock       refresh requirements-lock.txt (exact versions CI installs) from pyproject.toml
#   make bench      run the benchmark scripts (timings are printed, never asserted)
#   make assignments  nbgrader course in build/course/ (release/ = what learners get)
#   make grade      autograde build/course/submitted/STUDENT/CHAPTER/, write build/course/grades.csv
#   make hub        JupyterHub for a class on this machine (classroom/README.md; HUB_IP, HUB_PORT)
#   make apps       the drift lab and the monitoring dashboard as standalone web pages (Voila),
#                   listed at http://127.0.0.1:8866/ (no login: keep them on loopback)
#   make app NAME=drift-lab   one of them alone (NAME: drift-lab or monitoring-dashboard)

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
KERNEL := mlsys-workbook
PORT   ?= 8888
LAB_ARGS ?=
APP_IP   ?= 127.0.0.1
APP_PORT ?= 8866
NAME     ?= drift-lab

# Deterministic numerics: one thread per BLAS/OpenMP pool (kernels started by lab, test and
# notebooks inherit it). Figures: kernels use matplotlib's inline backend (Agg rendering).
export OMP_NUM_THREADS := 1
export OPENBLAS_NUM_THREADS := 1
export MKL_NUM_THREADS := 1
export PYTHONHASHSEED := 0
export PIP_DISABLE_PIP_VERSION_CHECK := 1

# Kernels started by the tests load tests/ipython/profile_default/startup, which installs the
# offline guard (no connection may leave this machine); `make notebooks` does the same.
GUARDED := IPYTHONDIR=$(CURDIR)/tests/ipython

.PHONY: lab test notebooks notebooks-check student html lock bench clean venv browser-deps assignments grade hub proxy apps app

venv: $(STAMP)

$(STAMP): requirements-lock.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -r requirements-lock.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name $(KERNEL) \
		--display-name "Python (mlsys-workbook)" >/dev/null
	@touch $(STAMP)

# Lab opens notebooks/: one executed .ipynb per chapter. The sources in notebooks/.sources/ are a
# hidden folder, which Jupyter's contents manager neither lists nor opens (tests/test_make_lab.py).
lab: $(STAMP)
	@echo "Starting JupyterLab on the workbook; open the URL printed below (Ctrl-C stops it)."
	cd notebooks && ../$(BIN)/jupyter lab --no-browser --ip=127.0.0.1 --port=$(PORT) \
		--ServerApp.open_browser=False $(if $(filter 0,$(shell id -u)),--allow-root,) $(LAB_ARGS)

# Voila runs the app notebook in a kernel and shows only its markdown and widgets (no code).
# Its page template is the workbook's own (notebooks/apps/.voila, hidden from the list of
# apps: Voila's "lab" minus its CDN links), so the pages load nothing from the internet.
VOILA := JUPYTER_PATH=$(CURDIR)/notebooks/apps/.voila$${JUPYTER_PATH:+:$$JUPYTER_PATH} \
	$(BIN)/voila --no-browser --template=mlsys --Voila.ip=$(APP_IP) --port=$(APP_PORT)

apps: $(STAMP)
	@echo "Serving the labs on http://$(APP_IP):$(APP_PORT)/ (Ctrl-C stops it)."
	$(VOILA) notebooks/apps

app: $(STAMP)
	@test -f notebooks/apps/$(NAME).ipynb || { echo "no app $(NAME); try: $$(cd notebooks/apps && ls *.ipynb | sed 's/.ipynb//' | tr '\n' ' ')"; exit 2; }
	@echo "Serving $(NAME) on http://$(APP_IP):$(APP_PORT)/ (Ctrl-C stops it)."
	$(VOILA) notebooks/apps/$(NAME).ipynb

test: $(STAMP) browser-deps proxy
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(GUARDED) $(BIN)/python -m pytest --doctest-modules \
		--nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg \
		tests mlsys_helpers notebooks/*.ipynb

# The real-browser tests (tests/browser) drive Debian's chromium; never a downloaded browser.
browser-deps:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing Debian's chromium for the browser tests"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "!!! chromium is missing and this is not root: browser tests will be SKIPPED !!!"; \
	  fi; }

# Sources: notebooks/.sources/NN_topic.py; notebooks: notebooks/NN_topic.ipynb (CONTRIBUTING.md).
notebooks: $(STAMP)
	$(BIN)/python -m mlsys_helpers._notebooks build notebooks

notebooks-check: $(STAMP)
	$(BIN)/python -m mlsys_helpers._notebooks check notebooks

# The classroom kit, built from the executed notebooks/*.ipynb (no kernel is started);
# notebooks/TEACHING.md says how to use them.
student: $(STAMP)
	$(BIN)/python -m mlsys_helpers._classroom student build/student

html: $(STAMP)
	$(BIN)/python -m mlsys_helpers._classroom html build/html

# Graded exercises (nbgrader), generated from the executed chapters; notebooks/TEACHING.md has
# the teacher's workflow.
COURSE ?= build/course
assignments: $(STAMP)
	$(BIN)/python -m mlsys_helpers._course assignments $(COURSE)

grade: $(STAMP)
	$(BIN)/python -m mlsys_helpers._course grade $(COURSE)

# JupyterHub for a class (classroom/jupyterhub_config.py). configurable-http-proxy comes from npm
# into classroom/proxy/node_modules (exact versions of classroom/proxy/package-lock.json), never
# globally. HUB_IP=0.0.0.0 opens it to the room network: put HTTPS in front (TEACHING.md).
HUB_IP   ?= 127.0.0.1
HUB_PORT ?= 8000
PROXY_BIN := classroom/proxy/node_modules/.bin/configurable-http-proxy

proxy: $(PROXY_BIN)

$(PROXY_BIN): classroom/proxy/package.json classroom/proxy/package-lock.json
	@command -v npm >/dev/null 2>&1 || { \
	  echo "make hub: npm is missing; install Node.js 20+ with npm (Debian/Ubuntu:" \
	    "apt-get install nodejs npm), then run it again" >&2; exit 2; }
	cd classroom/proxy && npm ci --no-audit --no-fund --loglevel=error
	@touch $(PROXY_BIN)

hub: $(STAMP) proxy student
	MLSYS_HUB_IP=$(HUB_IP) MLSYS_HUB_PORT=$(HUB_PORT) PATH=$(CURDIR)/$(BIN):$$PATH \
		$(BIN)/jupyterhub -f classroom/jupyterhub_config.py

lock:
	rm -rf build/lock-venv
	$(PYTHON) -m venv build/lock-venv
	build/lock-venv/bin/python -m pip install --quiet ".[dev,classroom]"
	{ echo "# Exact versions installed by 'make test' and CI. Refresh with 'make lock'."; \
	  build/lock-venv/bin/python -m pip freeze --exclude mlsys-helpers --exclude pip \
	    --exclude setuptools; } > requirements-lock.txt
	rm -rf build/lock-venv

bench: $(STAMP)
	$(BIN)/python benchmarks/notebooks.py
	@for b in benchmarks/*.py; do [ "$$b" = benchmarks/notebooks.py ] || $(BIN)/python "$$b"; done

clean:
	rm -rf $(VENV) build .pytest_cache .ruff_cache .hypothesis
