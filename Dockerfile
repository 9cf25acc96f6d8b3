# syntax=docker/dockerfile:1
# simpledb-local: the emulator as a container. Two stages: `builder` compiles better-sqlite3 and
# the TypeScript (and, holding the dev dependencies and the tests, is what the compose `tests`
# service runs); `runtime` holds only what runs.

FROM node:20-bookworm-slim AS builder
# better-sqlite3 downloads a prebuilt binary when one matches; otherwise node-gyp compiles it.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
# Scripts stay off for the install: the package's own `prepare` would build before the sources
# are copied. better-sqlite3 is the one dependency whose install script is needed.
RUN npm ci --ignore-scripts && npm rebuild better-sqlite3
COPY . .
RUN npm run build

FROM builder AS production-deps
RUN npm prune --omit=dev

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    SIMPLEDB_LOCAL_HOST=0.0.0.0 \
    SIMPLEDB_LOCAL_PORT=8080 \
    SIMPLEDB_LOCAL_DB=/data/simpledb.db
WORKDIR /app
COPY --from=production-deps /app/package.json ./package.json
COPY --from=production-deps /app/node_modules ./node_modules
COPY --from=builder /app/dist ./dist
# A named volume starts as a copy of this directory, owner included, so the user can write it.
RUN mkdir -p /data && chown node:node /data
USER node
EXPOSE 8080
VOLUME /data
# Slim images have no curl. The port follows SIMPLEDB_LOCAL_PORT if it is overridden.
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
  CMD ["node", "-e", "require('http').get('http://127.0.0.1:'+(process.env.SIMPLEDB_LOCAL_PORT||8080)+'/_simpledb/health',r=>process.exit(r.statusCode===200?0:1)).on('error',()=>process.exit(1))"]
# Exec form: node is PID 1 and receives SIGTERM itself; the CLI handles SIGINT and SIGTERM.
CMD ["node", "dist/emulator/cli.js"]
