# spgo build and test entry points. `make test` is what CI runs (.ci/run).
GO      ?= go
PKGS    := ./...
BIN     := bin/spgo
FUZZTIME ?= 10s
# staticcheck, pinned; fetched through the module proxy on first use.
STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2

.PHONY: all build test race unit fuzz fuzz-smoke bench demo docs vet interop clean

all: build

build:
	CGO_ENABLED=0 $(GO) build -trimpath -buildvcs=auto -o $(BIN) ./cmd/spgo

vet:
	$(GO) vet $(PKGS)
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo "gofmt: files above need formatting"; exit 1; }
	$(GO) run $(STATICCHECK) $(PKGS)

# test: everything CI checks: vet, formatting and staticcheck, the race-enabled suite,
# and a few seconds of each fuzz target.
test: vet fuzz-smoke race

unit:
	$(GO) test $(PKGS)

# race also runs examples/apptest, a module of its own that uses spgo as
# an application does (go test ./... does not reach it).
race:
	$(GO) test -race -count=1 -timeout 10m $(PKGS)
	cd examples/apptest && $(GO) test -race -count=1 -timeout 5m ./...

# fuzz runs every fuzz target for FUZZTIME each (override: make fuzz FUZZTIME=1m).
fuzz:
	@scripts/fuzz.sh $(FUZZTIME)

fuzz-smoke:
	@scripts/fuzz.sh 3s

# bench: Go benchmarks of the client and daemon hot paths plus a standard
# flood on the embedded daemon; results go to bench-results.txt.
bench:
	@scripts/bench.sh bench-results.txt

# demo: the main job, a flood of all six service types on the embedded daemon.
demo:
	$(GO) run ./cmd/spgo flood --embedded

# docs: reproducible (man pages dated by SOURCE_DATE_EPOCH or the last commit).
docs:
	$(GO) run ./cmd/spgo gen-docs --dir docs/cli

# interop runs the integration suite against an external daemon, e.g.
#   make interop SPGO_TEST_DAEMON=4803@localhost
interop:
	@scripts/interop.sh

clean:
	rm -rf bin bench-results.txt
