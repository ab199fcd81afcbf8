#!/usr/bin/env bash
# Builds bin/samizdat (or OUT) so that it signs deliveries with OpenSSL's
# RSA, about 2.3 times faster than Go's own on the same cores; the fan-out is
# bound by those signatures (docs/benchmarks.md#openssl).
#
#   scripts/build.sh [OUT]
#
# The binary reaches OpenSSL through cgo and loads libcrypto with dlopen when
# it starts, so the build needs a C compiler and the C library's headers
# (Debian: gcc and libc6-dev) and the machine that runs it OpenSSL's library
# (Debian: libssl3, which PostgreSQL's packages already bring); they are
# installed when missing and we are allowed to. Without a compiler the
# binary is built without cgo and signs with Go's RSA; without the library,
# or with SAMIZDAT_GO_CRYPTO=1 in its environment, it does so too: the same
# program, only slower to sign.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-bin/samizdat}
mkdir -p "$(dirname "$out")"

have_cc() {
	command -v "${CC:-gcc}" >/dev/null 2>&1 && [ -e /usr/include/stdlib.h ]
}

have_libcrypto() {
	ldconfig -p 2>/dev/null | grep -qE 'libcrypto\.so\.(3|1\.1) ' ||
		ls /usr/lib/*/libcrypto.so.3 /usr/lib/libcrypto.so.3 >/dev/null 2>&1
}

# apt_install PURPOSE PACKAGE...: installs Debian packages as root or with
# sudo, or fails.
apt_install() {
	local purpose=$1 sudo=""
	shift
	command -v apt-get >/dev/null 2>&1 || return 1
	if [ "$(id -u)" != 0 ]; then
		command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null || return 1
		sudo="sudo"
	fi
	echo "build: installing $* ($purpose)..." >&2
	$sudo apt-get update -qq >&2 || return 1
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@" >&2
}

if have_cc || { apt_install "a C compiler, for OpenSSL's RSA" gcc libc6-dev && have_cc; }; then
	if ! have_libcrypto && ! { apt_install "OpenSSL's library, which signs deliveries" libssl3 && have_libcrypto; }; then
		echo "build: OpenSSL's libcrypto is missing, so the server will sign with Go's RSA (slower); 'sudo apt-get install libssl3' to change that" >&2
	fi
	CGO_ENABLED=1 go build -o "$out" ./cmd/samizdat
else
	echo "build: no C compiler, so Go's own RSA (slower signatures); 'sudo apt-get install gcc libc6-dev' for OpenSSL's" >&2
	CGO_ENABLED=0 go build -o "$out" ./cmd/samizdat
fi
