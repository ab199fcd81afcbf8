# Samizdat: the commands that matter.
#   make run    start the publication with demo content at http://localhost:8080
#   make test   run go vet and every test (PostgreSQL and Chromium provided)
#   make bench  measure fan-out, inbox intake, pages and memory; results in bench/results.md

.PHONY: run test bench build vet fmt clean

run:
	@scripts/run.sh

test:
	@scripts/test.sh

bench:
	@scripts/bench.sh

# With OpenSSL's RSA when cgo and libcrypto are at hand (scripts/build.sh).
build:
	@scripts/build.sh bin/samizdat

vet:
	go vet ./...

fmt:
	gofmt -w $$(git ls-files '*.go')

# Removes the development database and media kept by `make run`.
clean:
	scripts/pg.sh stop .data/pg
	rm -rf .data bin
