# syntax=docker/dockerfile:1
# One image for the four services (api, ingest, linkage, projector), the one-shot `migrate` and
# the `followup` command line, chosen by SERVICE or the first argument (bin/service.js).
# Built and checked as text only on the machine that wrote it (no Docker engine there): see
# README, "Containers", and test/unit/containers.spec.ts.
ARG NODE_IMAGE=node:20-bookworm-slim

# --- build: every dependency (TypeScript, tsc-alias) and the compiled dist/ ---------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` would compile before the sources are copied.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY apps ./apps
COPY libs ./libs
COPY bench ./bench
COPY scripts ./scripts
COPY demo ./demo
RUN npm run build

# --- runtime: production dependencies, the compiled code, a non-root user ------------------------
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    SERVICE=api \
    LISTEN_HOST=0.0.0.0
WORKDIR /app
COPY package.json package-lock.json ./
# Production dependencies only; no install scripts (the `prepare` build needs the dev ones).
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY bin ./bin
# The dashboard's static files, read at run time (apps/api/src/dashboard).
COPY apps/api/public ./apps/api/public
# .infra holds the ingest service's upload spool (INGEST_SPOOL_DIR's default); owned by the
# service's user, the only path it writes. The code itself stays root's and read-only to it.
RUN mkdir -p /app/.infra && chown node:node /app/.infra && chmod 0700 /app/.infra
# `node` (uid 1000) comes with the official Node images.
USER node
EXPOSE 3000 3001 3002 3003
# GET /health on the port of $SERVICE (API_PORT, INGEST_PORT, ...): 200 when ready.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 CMD ["node", "bin/healthcheck.js"]
ENTRYPOINT ["node", "bin/service.js"]
