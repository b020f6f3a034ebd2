# xenoflow — the two commands a fresh machine needs are `make run` and `make test`.
# Bun comes from npm (pinned in package.json); a bun already on PATH is used when present.

SHELL := /bin/bash
NPM ?= npm
BUN := $(shell if [ -x node_modules/.bin/bun ]; then echo node_modules/.bin/bun; elif command -v bun >/dev/null 2>&1; then command -v bun; else echo node_modules/.bin/bun; fi)
CONFIG ?= config/xenoflow.toml

.PHONY: all deps run test typecheck unit

all: test

node_modules/.installed: package.json package-lock.json
	$(NPM) ci --no-audit --no-fund --loglevel=error
	@touch $@

deps: node_modules/.installed

run: deps
	$(BUN) src/main.ts run -c $(CONFIG)

typecheck: deps
	$(BUN) x tsc -p tsconfig.json

unit: deps
	$(BUN) test

test: typecheck unit
