# Zhibu: the two commands are `make run` and `make test`.
GO      ?= go
# The patched Go release every build and test uses (go.mod's toolchain line).
# Exported so that it wins over GOTOOLCHAIN=local in the environment: the go
# command then fetches this release through the module proxy once and runs
# it. `make GOTOOLCHAIN=local ...` builds with the installed Go instead.
export GOTOOLCHAIN := go1.27.3
BIN     := bin/zhibu
BENCH_BIN := bin/zhibu-bench
GOLANGCI_VERSION := v2.15.0

.PHONY: help run build build-bench test test-short generate check-generated lint fmt vulncheck bench clean

## run: build, bring up the database, migrate, load demo data when empty, serve
run: build
	ZHIBU_SEED_DEMO=1 ./$(BIN) serve

## build: compile the zhibu binary into bin/ (stamped with the commit: `zhibu version`)
build:
	$(GO) build -buildvcs=auto -o $(BIN) ./cmd/zhibu

## help: list the targets with what each does
help:
	@grep -E '^## [a-z-]+:' $(MAKEFILE_LIST) | sed -e 's/^## //' | awk -F': ' '{ printf "  %-16s %s\n", $$1, substr($$0, length($$1) + 3) }'

## test: every test, against a throwaway PostgreSQL started for the run
## (-parallel 4: browser tests mostly wait on chromium, so four at a time
## finish sooner than two on a 2-core machine; each test has its own database.
## Packages run one per core, go test's default: four at once was slower,
## 768 s against 659 s for .ci/run on a fresh clone; TESTFLAGS adds go test
## flags: .ci/run passes -vet=off, having run go vet over everything)
test:
	@command -v chromium-headless-shell >/dev/null 2>&1 || command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || \
		echo "NOTE: chromium is not installed: the browser tests in internal/e2e are SKIPPED (apt-get install chromium-headless-shell fonts-wqy-microhei; E2E=1 makes them required)"
	@test -f bin/tools/axe-core/axe.min.js || \
		echo "NOTE: axe-core is not fetched: the axe checks of the browser tests are SKIPPED (bash .ci/axe fetches it from npm; E2E=1 makes them required)"
	@command -v patroni >/dev/null 2>&1 && command -v etcd >/dev/null 2>&1 || \
		echo "NOTE: patroni or etcd is not installed: the failover test in internal/failover is SKIPPED (apt-get install patroni etcd-server; E2E=1 makes it required)"
	$(GO) run ./internal/dbtest/withpg -- $(GO) test -count=1 -parallel 4 $(TESTFLAGS) ./...

## test-short: the tests in -short mode (tests that check testing.Short skip their slow parts)
test-short:
	$(GO) run ./internal/dbtest/withpg -- $(GO) test -short -count=1 ./...

## fmt: rewrite the Go files in place with gofmt
fmt:
	gofmt -w cmd internal migrations web

## vulncheck: govulncheck against a vulnerability database built offline from the golang.org/x/vulndb module; fails on a reachable finding
vulncheck:
	bash .ci/vulncheck

## generate: regenerate templ code after editing a .templ file
generate:
	$(GO) tool templ generate

## check-generated: fail when committed templ output is stale
check-generated: generate
	@if [ -n "$$(git status --porcelain -- '*_templ.go')" ]; then \
		echo "generated templ code is stale; run 'make generate' and commit:"; \
		git status --porcelain -- '*_templ.go'; exit 1; fi

## lint: gofmt check, go vet and golangci-lint
lint:
	@test -z "$$(gofmt -l cmd internal migrations web)" || (echo "gofmt needed:"; gofmt -l cmd internal migrations web; exit 1)
	$(GO) vet ./...
	@command -v golangci-lint >/dev/null 2>&1 || $(GO) install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_VERSION)
	"$$(command -v golangci-lint || echo $$($(GO) env GOPATH)/bin/golangci-lint)" run ./...

## bench: load the benchmark data set (BENCH_PRESET=small or full) into a private PostgreSQL under .data
## (or the empty database at DATABASE_URL), serve Zhibu in-process, drive every page at a fixed rate and at
## saturation, and write the table into docs/performance.md (BENCH_FLAGS adds flags, e.g. --duration 5s)
BENCH_PRESET ?= small
bench: build-bench
	./$(BENCH_BIN) --preset $(BENCH_PRESET) $(BENCH_FLAGS)

## build-bench: compile the benchmark command (cmd/zhibu-bench) into bin/; the zhibu binary holds no benchmark code
build-bench:
	$(GO) build -buildvcs=auto -o $(BENCH_BIN) ./cmd/zhibu-bench

## clean: remove the built binaries and the test output
clean:
	rm -rf bin testout
