# syntax=docker/dockerfile:1
# Zhibu's container image: the static binary alone on distroless (no
# shell, no package manager, no libc), run as a non-root user.
#
#   docker build -t zhibu .                    the server (final stage)
#   docker build -t zhibu-backup --target backup .
#                                              the same binary with pg_dump and
#                                              pg_restore, for `zhibu backup`
#
# Everything the server needs is inside the binary: the migrations
# (migrations/*.sql), the static files (web/static), the translations and
# the time-zone database are embedded, and it writes no file. Configuration
# is the environment of README.md ("Configuration"); DATABASE_URL and
# ZHIBU_DATA_KEY are required (without DATABASE_URL the binary would start
# a private PostgreSQL, which the image does not hold). docs/deploy.md has
# the run command. cmd/zhibu/image_test.go checks these claims without a
# container engine: the binary's packages build without cgo, and the binary
# serves from an empty folder as an unprivileged user with no environment
# but its settings.

ARG GO_VERSION=1.27.3

FROM golang:${GO_VERSION}-bookworm AS build
WORKDIR /src
ENV GOTOOLCHAIN=local CGO_ENABLED=0
# Modules first, so a change of the code does not download them again.
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# -buildvcs stamps the commit for `zhibu version` (.git is in the build
# context for that; it does not reach the final image).
RUN go build -trimpath -buildvcs=auto -ldflags="-s -w" -o /out/zhibu ./cmd/zhibu \
	&& /out/zhibu version

# Backups: `zhibu backup` and `zhibu restore` run pg_dump and pg_restore of
# the server's major version (PG_MAJOR; Debian bookworm ships 15, other
# versions come from apt.postgresql.org).
FROM debian:bookworm-slim AS backup
ARG PG_MAJOR=15
RUN apt-get update \
	&& DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "postgresql-client-${PG_MAJOR}" ca-certificates \
	&& rm -rf /var/lib/apt/lists/* \
	&& useradd --system --uid 10001 --home-dir /nonexistent --shell /usr/sbin/nologin zhibu
COPY --from=build /out/zhibu /usr/local/bin/zhibu
USER 10001:10001
# `backup` with no --out writes ./backups/zhibu-YYYYMMDD-HHMMSS: mount the
# backup volume, writable by 10001, at /var/lib/zhibu/backups.
WORKDIR /var/lib/zhibu
ENTRYPOINT ["/usr/local/bin/zhibu"]
CMD ["backup"]

# The server, last so that a plain `docker build .` makes it. Distroless's
# static image holds CA certificates, /etc/passwd with the nonroot user
# (65532) and /tmp, and nothing else.
FROM gcr.io/distroless/static-debian12:nonroot AS server
COPY --from=build /out/zhibu /zhibu
USER 65532:65532
ENV ZHIBU_ADDR=0.0.0.0:8080 ZHIBU_LOG_FORMAT=json
EXPOSE 8080
# Probes: GET /healthz (liveness) and /readyz (the database answers); the
# image has no shell or curl for a HEALTHCHECK, the orchestrator asks.
ENTRYPOINT ["/zhibu"]
CMD ["serve"]
