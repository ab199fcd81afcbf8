# Samizdat: one binary on a small Debian image.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# OpenSSL signs deliveries 2.3 times faster than Go's RSA
# (docs/benchmarks.md#openssl); the binary reaches it through cgo and loads
# libcrypto (libssl3, installed below) when it starts.
RUN CGO_ENABLED=1 go build -trimpath -ldflags="-s -w" -o /out/samizdat ./cmd/samizdat

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates tzdata libssl3 \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /data samizdat \
    && mkdir -p /data/media && chown -R samizdat /data
COPY --from=build /out/samizdat /usr/local/bin/samizdat
USER samizdat
WORKDIR /data
ENV LISTEN_ADDR=:8080 MEDIA_DIR=/data/media LOG_FORMAT=json
EXPOSE 8080
ENTRYPOINT ["samizdat"]
CMD ["serve"]
