# syntax=docker/dockerfile:1
# Sightline server image: one image for every role (`--role all|api|worker`, see docs/cluster.md). Multi-stage: the
# build stage installs the npm packages and builds the dashboard; the runtime stage adds ffmpeg and runs as the
# unprivileged user "node". Container images cannot be built on the project's own machines (no Docker daemon); the
# tests lint this file and run its entry point as a plain process (test/deploy-files.test.ts, test/cluster*.e2e.test.ts).

FROM node:20-bookworm-slim AS build
WORKDIR /app
ENV ONNXRUNTIME_NODE_INSTALL=skip
COPY package.json package-lock.json .npmrc ./
COPY web/package.json web/
RUN npm ci --no-audit --no-fund --loglevel=error
COPY . .
RUN npm run build -w web --silent \
 && npm prune --omit=dev --no-audit --no-fund --loglevel=error

FROM node:20-bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ffmpeg ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build --chown=root:root /app /app
RUN mkdir -p /data && chown node:node /data
USER node
ENV NODE_ENV=production \
    SIGHTLINE_DATA_DIR=/data \
    SIGHTLINE_SERVER__HOST=0.0.0.0 \
    SIGHTLINE_SERVER__PORT=8080
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8080/api/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "bin/sightline.mjs", "serve"]
CMD ["--role", "all"]
