# xenoflow — the two commands a fresh machine needs are `make run` and `make test`.
# Bun comes from npm (pinned in package.json); a bun already on PATH is used when present.

SHELL := /bin/bash
NPM ?= npm
BUN := $(shell if [ -x node_modules/.bin/bun ]; then echo node_modules/.bin/bun; elif command -v bun >/dev/null 2>&1; then command -v bun; else echo node_modules/.bin/bun; fi)
CONFIG ?= config/xenoflow.toml

.PHONY: all deps run test typecheck unit build release install uninstall clean distclean FORCE

all: test

node_modules/.installed: package.json package-lock.json
	$(NPM) ci --no-audit --no-fund --loglevel=error
	@touch $@

deps: node_modules/.installed

run: deps
	$(BUN) src/main.ts run -c $(CONFIG)

typecheck: deps
	$(BUN) x tsc -p tsconfig.json

# Bun 1.4 reads no per-test timeout from bunfig.toml: the flag sets it (5 s by default; the build
# and end-to-end tests compile binaries and start collectors, and take longer on a busy machine).
unit: deps
	$(BUN) test --timeout 30000

test: typecheck unit

# Issue-6 benchmark (docs/PERFORMANCE.md): in-process rates, then `run` on core 0 against `gen` on
# core 1 over loopback, stepped up until loss; a few minutes. Writes its table into the doc.
# Mutation fuzzing of the decoder, then of decoder + monitor (issue 8): 10 million datagrams each
# by default; exits 1 on an escaped exception, a datagram over the time bound or a growing heap.
SEED ?= 20261127
FUZZ_COUNT ?= 10000000
.PHONY: fuzz
fuzz: deps
	$(BUN) test/fuzz/run.ts --seed $(SEED) --count $(FUZZ_COUNT)
	$(BUN) test/fuzz/run.ts --seed $(SEED) --count $(FUZZ_COUNT) --pipeline

.PHONY: bench
bench: deps
	$(BUN) test/bench/run.ts

# --- build, release, install (docs/INSTALL.md) --------------------------------------------------
# Build logic lives in scripts/*.ts; entry points (and future workers) are listed in scripts/targets.ts.

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
# sql/, grafana/, scripts/, examples/ and doc/ (scripts/share.ts): what the docs refer to.
DATADIR ?= $(PREFIX)/share/xenoflow
SHARED = $(addprefix $(DESTDIR)$(DATADIR)/,sql grafana scripts examples doc)
SYSCONFDIR ?= /etc
UNITDIR ?= /etc/systemd/system
SYSCTLDIR ?= /etc/sysctl.d
DESTDIR ?=
BUILD_INPUTS = $(shell find src scripts -type f 2>/dev/null) package.json package-lock.json tsconfig.json

build: dist/xenoflow dist/installed.toml

# Rewritten only when version or commit change, so a new commit rebuilds the binary.
dist/.buildinfo: FORCE | deps
	@$(BUN) scripts/build.ts stamp $@

dist/xenoflow: $(BUILD_INPUTS) dist/.buildinfo | deps
	$(BUN) scripts/build.ts build --outfile $@

dist/installed.toml: $(CONFIG) scripts/installed-config.ts | deps
	$(BUN) scripts/build.ts installed-config $(CONFIG) $@

# Cross-compiles every target with Bun runtimes from npm, cached in .cache/bun-runtimes.
release: deps
	$(BUN) scripts/build.ts release

install: build
	install -D -m 0755 dist/xenoflow $(DESTDIR)$(BINDIR)/xenoflow
	@# Replaced whole, so a file dropped from a release does not linger.
	rm -rf $(SHARED)
	$(BUN) scripts/build.ts share $(DESTDIR)$(DATADIR)
	install -D -m 0644 systemd/xenoflow.sysctl.conf $(DESTDIR)$(SYSCTLDIR)/90-xenoflow.conf
	install -d -m 0755 $(DESTDIR)$(UNITDIR)
	sed -e 's|/usr/local/bin/xenoflow|$(BINDIR)/xenoflow|' -e 's|/etc/xenoflow/|$(SYSCONFDIR)/xenoflow/|' \
		systemd/xenoflow.service > $(DESTDIR)$(UNITDIR)/xenoflow.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/xenoflow.service
	install -d -m 0755 $(DESTDIR)$(SYSCONFDIR)/xenoflow
	@# The operator's config survives reinstalls and upgrades.
	if [ -e $(DESTDIR)$(SYSCONFDIR)/xenoflow/xenoflow.toml ]; then \
		echo "keeping $(DESTDIR)$(SYSCONFDIR)/xenoflow/xenoflow.toml"; \
	else \
		install -m 0640 dist/installed.toml $(DESTDIR)$(SYSCONFDIR)/xenoflow/xenoflow.toml; \
	fi
ifeq ($(DESTDIR),)
	getent group xenoflow >/dev/null || groupadd --system xenoflow
	getent passwd xenoflow >/dev/null || useradd --system --gid xenoflow --no-create-home \
		--home-dir /var/lib/xenoflow --shell /usr/sbin/nologin --comment "xenoflow collector" xenoflow
	chown root:xenoflow $(SYSCONFDIR)/xenoflow/xenoflow.toml
	-sysctl -q -p $(SYSCTLDIR)/90-xenoflow.conf
	-if [ -d /run/systemd/system ]; then systemctl daemon-reload; fi
	@echo "installed; start with: systemctl enable --now xenoflow"
endif

# Leaves the config, the state in /var/lib/xenoflow and the user: they hold the operator's data.
uninstall:
	-if [ -z "$(DESTDIR)" ] && [ -d /run/systemd/system ]; then systemctl disable --now xenoflow; fi
	rm -f $(DESTDIR)$(BINDIR)/xenoflow $(DESTDIR)$(UNITDIR)/xenoflow.service $(DESTDIR)$(SYSCTLDIR)/90-xenoflow.conf
	rm -rf $(SHARED)
	-rmdir --ignore-fail-on-non-empty $(DESTDIR)$(DATADIR)
	-if [ -z "$(DESTDIR)" ] && [ -d /run/systemd/system ]; then systemctl daemon-reload; fi

clean:
	rm -rf dist

# Also drops the downloaded cross-compile runtimes (about 100 MiB each).
distclean: clean
	rm -rf .cache/bun-runtimes

FORCE:
