# The two commands a newcomer needs: `make run` and `make test`. Everything else is installed
# by them, into .venv (Python) and static/nhsuk (NHS.UK frontend assets from the npm registry).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
NHSUK_FRONTEND_VERSION := 10.6.1
INSTALLED := $(VENV)/.installed
ASSETS := static/nhsuk/.version-$(NHSUK_FRONTEND_VERSION)-2
FLASK := $(BIN)/flask --app competency_portal

.PHONY: install run test bench load demo-db clean

PLOTLY_JS := static/vendor/plotly.min.js

install: $(INSTALLED) $(ASSETS) $(PLOTLY_JS)

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

# The NHS.UK frontend release that matches nhsuk-frontend-jinja, from the npm registry (never a CDN).
# Its CSS loads the Frutiger web font from assets.nhs.uk, which our Content-Security-Policy (and the
# no-CDN rule) refuses, so the @font-face rules are dropped and text uses the Arial fallback; icon
# URLs are made relative so they resolve under static/nhsuk/.
$(ASSETS):
	rm -rf static/nhsuk && mkdir -p static/nhsuk
	tmp=$$(mktemp -d) && \
	  (cd $$tmp && npm pack --silent nhsuk-frontend@$(NHSUK_FRONTEND_VERSION) >/dev/null && tar xzf nhsuk-frontend-$(NHSUK_FRONTEND_VERSION).tgz) && \
	  sed -E -e 's/@font-face\{[^}]*\}//g' -e 's#url\(/assets/#url(assets/#g' \
	    $$tmp/package/dist/nhsuk/nhsuk-frontend.min.css > static/nhsuk/nhsuk-frontend.min.css && \
	  cp $$tmp/package/dist/nhsuk/nhsuk-frontend.min.js static/nhsuk/ && \
	  cp -r $$tmp/package/dist/nhsuk/assets static/nhsuk/assets && \
	  rm -rf $$tmp
	touch $@

# plotly.js, from the plotly Python package (never a CDN).
$(PLOTLY_JS): $(INSTALLED)
	mkdir -p static/vendor
	cp "$$($(BIN)/python -c 'import plotly, os; print(os.path.join(os.path.dirname(plotly.__file__), "package_data", "plotly.min.js"))')" $@

# Development database in instance/: migrate, load the frameworks (idempotent), add demo people
# and data if it has nobody in it yet (printing how to sign in).
demo-db: install
	PORTAL_ENV=development $(FLASK) db upgrade
	PORTAL_ENV=development $(FLASK) frameworks load frameworks/
	PORTAL_ENV=development $(FLASK) demo seed

run: demo-db
	@echo "Serving the Competency Portal on http://127.0.0.1:$(PORT)/"
	PORTAL_ENV=development $(FLASK) run --host 127.0.0.1 --port $(PORT)

test: install
	$(BIN)/python -m pytest

# Scale benchmark (a large trust's data, generated) and load test (gunicorn, concurrent users); neither
# is part of `make test`. Both use DATABASE_URL when it is set, else SQLite files of their own.
bench: install
	$(BIN)/python -m bench

load: install
	$(BIN)/python -m loadtest

clean:
	rm -rf $(VENV) static/nhsuk instance *.egg-info
