# entra-migrate as a container: the `serve` extension by default, any other command by argument.
#
#   docker build -t entra-migrate .
#   docker run --rm -p 7071:7071 --env-file serve.env entra-migrate            # serve
#   docker run --rm --env-file premigrate.env entra-migrate premigrate --dry-run
#
# docs/deploying.md says how to run it with Key Vault and a managed identity, the probes, and how it stops.
# test/deploy/dockerfile.test.ts checks the rules below (two stages, non-root, no build tools or dev dependencies
# in the final image, the health check, the entry point); keep them when editing.

# ---- build: compiles the TypeScript and the one native module that needs compiling -------------------------------
FROM node:20-bookworm-slim AS build
# better-sqlite3 is compiled here with node-gyp (python3, make, g++) against this image's own Node headers
# (/usr/local/include/node, hence nodedir): the build needs neither GitHub, where its prebuilt binaries live, nor
# nodejs.org, where node-gyp would fetch the headers. @node-rs/argon2 and @node-rs/bcrypt ship prebuilt packages for
# linux-x64-gnu and linux-arm64-gnu (bookworm's glibc), installed from the npm registry as optional dependencies.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ ca-certificates \
 && rm -rf /var/lib/apt/lists/*
ENV npm_config_nodedir=/usr/local
WORKDIR /app

# Dependencies first, so editing the source does not reinstall them. `--ignore-scripts` because the package's own
# `prepare` (tsc) cannot run before the source is copied; better-sqlite3, the only dependency with an install
# script, is then built on its own, and only its compiled module kept (its SQLite sources and objects are 27 MB).
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund \
 && npm_config_build_from_source=true npm rebuild better-sqlite3 \
 && cd node_modules/better-sqlite3 \
 && mv build/Release/better_sqlite3.node . \
 && rm -rf build deps src \
 && mkdir -p build/Release \
 && mv better_sqlite3.node build/Release/

COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY bin ./bin
RUN npm run build \
 && npm prune --omit=dev --ignore-scripts --no-audit --no-fund

# ---- runtime: Node and the compiled program, nothing else ----------------------------------------------------------
# The same Debian release as the build stage, so the natives compiled there find the same glibc and libstdc++.
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app

# Only what `node bin/entra-migrate.js` loads: the launcher, the compiled dist/, production node_modules (pruned
# in the build stage, natives included) and package.json (`"type": "module"` and the version). Owned by root and
# read-only to the user that runs it; only data/ (the default SQLite ledger, LEDGER_DATABASE_URL) is writable.
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/bin ./bin
RUN mkdir -p /app/data && chown node:node /app/data

# `node` (uid 1000) comes with the base image: no root inside the container.
USER node

# PORT, default 7071 (docs/settings.md).
EXPOSE 7071

# Liveness without curl (not in a slim image): Node's own fetch to /healthz on the port serve listens on. /readyz
# (keys, Entra's signing keys, legacy store, ledger) is for the orchestrator's readiness probe, not for this: a
# legacy store that is down should stop traffic, not restart the container.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 7071) + '/healthz', { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

# serve drains on SIGTERM: it stops accepting connections, answers the callouts in flight (each inside its
# deadline, at most 2 s), closes its pools and exits 0. A second SIGTERM or SIGINT exits at once.
STOPSIGNAL SIGTERM

ENTRYPOINT ["node", "bin/entra-migrate.js"]
CMD ["serve"]
