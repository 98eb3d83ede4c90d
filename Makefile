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

.PHONY: install run test lint bench load demo-db clean import-check

PLOTLY_JS := static/vendor/plotly-portal.min.js
PLOTLY_TRACES := bar, scatter, scatterpolar
PLOTLY_BUNDLE := scripts/plotly-bundle
STATIC_MANIFEST := static/cache_manifest.json
# Static files as written by hand or installed, not the hashed and compressed copies made from them.
STATIC_SOURCES = $(shell find static -type f ! -name '*.gz' ! -name '*.br' ! -name cache_manifest.json \
  ! -regex '.*-[0-9a-f]\{32\}\.[a-z0-9]*' 2>/dev/null)

OIDC_PROVIDER := tests/oidc/node_modules/.installed

install: $(INSTALLED) $(ASSETS) $(PLOTLY_JS) $(STATIC_MANIFEST) $(OIDC_PROVIDER)

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

# A real OpenID Connect provider for the sign-in tests (npm's oidc-provider, tests/oidc/provider.mjs).
$(OIDC_PROVIDER): tests/oidc/package-lock.json
	cd tests/oidc && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

# plotly.js with only the trace types the portal draws (scripts/plotly-bundle/entry.js), built with
# esbuild from the npm registry's plotly.js, at the version the plotly Python package writes figures
# for: 1.2 MB instead of the full 4.8 MB. Its stylesheet is static/css/plotly.css (the CSP forbids the
# inline styles plotly.js would inject), so esbuild's CSS output is not kept.
$(PLOTLY_JS): $(PLOTLY_BUNDLE)/package-lock.json $(PLOTLY_BUNDLE)/entry.js
	cd $(PLOTLY_BUNDLE) && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	mkdir -p static/vendor
	$(PLOTLY_BUNDLE)/node_modules/.bin/esbuild $(PLOTLY_BUNDLE)/entry.js --bundle --minify --format=iife \
	  --global-name=Plotly --define:global=window --define:define.amd=false --target=es2016 \
	  --loader:.css=empty --legal-comments=none --log-level=warning \
	  --banner:js="/* plotly.js v$$(node -p 'require("./$(PLOTLY_BUNDLE)/node_modules/plotly.js/package.json").version') (the Competency Portal's bundle: $(PLOTLY_TRACES)). MIT licence: https://github.com/plotly/plotly.js */" \
	  --outfile=$@

# Production-ready static files, served by WhiteNoise: a copy of each file under a content-hashed
# name (Flask-Static-Digest; pages link to these through static_url_for, and they are cached for a
# year), and gzip and brotli versions beside them (whitenoise.compress). Remade whenever a static
# file changes.
$(STATIC_MANIFEST): $(INSTALLED) $(ASSETS) $(PLOTLY_JS) $(STATIC_SOURCES)
	find static -type f \( -name '*.gz' -o -name '*.br' -o -regex '.*-[0-9a-f]\{32\}\.[a-z0-9]*' \) -delete
	rm -f $@
	$(FLASK) digest compile >/dev/null
	$(BIN)/python -m whitenoise.compress --quiet static
	touch $@

# Development database in instance/: migrate, load the frameworks (idempotent), add demo people
# and data if it has nobody in it yet (printing how to sign in).
demo-db: install
	PORTAL_ENV=development $(FLASK) db upgrade
	PORTAL_ENV=development $(FLASK) frameworks load frameworks/
	PORTAL_ENV=development $(FLASK) demo seed

run: demo-db
	@echo "Serving the Competency Portal on http://127.0.0.1:$(PORT)/"
	PORTAL_ENV=development $(FLASK) run --host 127.0.0.1 --port $(PORT)

test: install lint
	$(BIN)/python -m pytest

# ruff (configured in pyproject.toml): the formatting, then the lint rules. `ruff format .` and
# `ruff check --fix .` mend most of what it finds.
lint: $(INSTALLED)
	$(BIN)/ruff format --check --quiet .
	$(BIN)/ruff check --quiet .

# Scale benchmark (a large trust's data, generated) and load test (gunicorn, concurrent users); neither
# is part of `make test`. Both use DATABASE_URL when it is set, else SQLite files of their own.
# `make load SERVERS=2 USERS=200` runs two servers (with Redis and a job worker) and 200 people.
bench: install
	$(BIN)/python -m bench

load: install
	$(BIN)/python -m loadtest $(if $(SERVERS),--servers $(SERVERS)) $(if $(USERS),--users $(USERS))

clean:
	rm -rf $(VENV) static/nhsuk static/vendor $(PLOTLY_BUNDLE)/node_modules instance *.egg-info
	find static -type f \( -name '*.gz' -o -name '*.br' -o -regex '.*-[0-9a-f]\{32\}\.[a-z0-9]*' \) -delete
	rm -f $(STATIC_MANIFEST)

# How well the importer reads real documents: each seed rendered to .docx and .pdf, imported, and
# compared with the hand-made frameworks (statements, flags, how assessed, crosswalk suggestions).
import-check: install
	$(BIN)/python -m scripts.import_check

