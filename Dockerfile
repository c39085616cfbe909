# Multi-stage build. `build` compiles src/ to dist/ (esbuild, a dev dependency: `npm run build`).
# `deps` installs the production dependencies (better-sqlite3 13 and onnxruntime-node ship prebuilt
# binaries, and allowScripts denies better-sqlite3's implicit node-gyp build; the compilers stay in
# this stage only for an npm that ignores allowScripts). The runtime image holds only those
# dependencies, the compiled dist/, rules and the models, runs it with plain node (no tsx, no
# TypeScript sources), and runs as non-root.
FROM node:24-bookworm-slim AS build
WORKDIR /app
ENV ONNXRUNTIME_NODE_INSTALL=skip
COPY package.json package-lock.json .npmrc ./
# Only esbuild runs here, and it needs no install script (its binary is a platform package).
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json ./
COPY scripts ./scripts
COPY src ./src
# The rule schemas are imported by the sources and compiled into the bundles.
COPY rules/schema ./rules/schema
RUN npm run build

FROM node:24-bookworm-slim AS deps
WORKDIR /app
# onnxruntime-node's postinstall downloads CUDA libraries; the CPU binaries ship in the package.
ENV ONNXRUNTIME_NODE_INSTALL=skip
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json .npmrc ./
RUN npm ci --omit=dev --no-audit --no-fund \
 # onnxruntime-node ships binaries for every platform; the image runs on linux/x64 only.
 && find node_modules/onnxruntime-node/bin/napi-v6 -mindepth 1 -maxdepth 1 ! -name linux -exec rm -rf {} + \
 && find node_modules/onnxruntime-node/bin/napi-v6/linux -mindepth 1 -maxdepth 1 ! -name x64 -exec rm -rf {} + \
 # better-sqlite3 ships a prebuilt binary per platform (17 MB): keep linux-x64 (glibc).
 && find node_modules/better-sqlite3/prebuilds -mindepth 1 -maxdepth 1 ! -name linux-x64.node -exec rm -rf {} +

FROM node:24-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production \
    ONNXRUNTIME_NODE_INSTALL=skip \
    PORT=3000 \
    SHUTDOWN_DELAY_MS=5000 \
    DATA_DIR=/var/lib/decision-engine \
    RULES_DIR=/app/rules \
    MODELS_DIR=/app/models
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY --from=build /app/dist ./dist
COPY rules ./rules
COPY models ./models
RUN mkdir -p /var/lib/decision-engine && chown node:node /var/lib/decision-engine
USER node
EXPOSE 3000
VOLUME ["/var/lib/decision-engine"]
# Start period: the fraud graph is rebuilt from the store at start (about 8 s per 100k applications
# here, so ~80 s at 1M); /ready answers 503 until then, /health at once.
HEALTHCHECK --interval=10s --timeout=2s --start-period=180s \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# IDENTIFIER_HASH_KEY (32+ characters) is required in production: pass it at run time.
# The command-line tools are compiled too: `node dist/api-key.js`, `node dist/rekey.js`,
# `node dist/import.js` (the npm scripts of the same names run the sources through tsx, a dev tool).
CMD ["node", "dist/main.js"]
