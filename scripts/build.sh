#!/usr/bin/env bash
# Builds bin/samizdat (or OUT) with BoringCrypto's RSA, which signs a delivery
# two to three times faster than Go's own on the same cores; the fan-out is
# bound by those signatures (docs/benchmarks.md#boringcrypto).
#
#   scripts/build.sh [OUT]
#
# GOEXPERIMENT=boringcrypto links a prebuilt BoringSSL module through cgo, so
# the build needs a C compiler and the C library's headers (Debian: gcc and
# libc6-dev); they are installed when missing and we are allowed to. Without
# them, or with SAMIZDAT_GO_CRYPTO=1, the binary uses Go's crypto: the same
# program, only slower to sign.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-bin/samizdat}
mkdir -p "$(dirname "$out")"

have_cc() {
	command -v "${CC:-gcc}" >/dev/null 2>&1 && [ -e /usr/include/stdlib.h ]
}

install_cc() {
	local sudo=""
	if [ "$(id -u)" != 0 ]; then
		command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null || return 1
		sudo="sudo"
	fi
	echo "build: installing a C compiler (Debian's gcc and libc6-dev) for BoringCrypto..." >&2
	$sudo apt-get update -qq >&2 || return 1
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq gcc libc6-dev >&2
}

boring=""
platform="$(go env GOOS)/$(go env GOARCH)"
# BoringCrypto's module exists for these platforms only.
if [ -z "${SAMIZDAT_GO_CRYPTO:-}" ] && { [ "$platform" = linux/amd64 ] || [ "$platform" = linux/arm64 ]; }; then
	if have_cc || { command -v apt-get >/dev/null 2>&1 && install_cc && have_cc; }; then
		boring=1
	else
		echo "build: no C compiler, so Go's own RSA (slower signatures); 'sudo apt-get install gcc libc6-dev' for BoringCrypto" >&2
	fi
fi

if [ -n "$boring" ]; then
	CGO_ENABLED=1 GOEXPERIMENT=boringcrypto go build -o "$out" ./cmd/samizdat
else
	go build -o "$out" ./cmd/samizdat
fi
