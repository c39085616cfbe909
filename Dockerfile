# Multi-stage build: production dependencies install in the first stage (better-sqlite3 13 and
# onnxruntime-node ship prebuilt binaries, and allowScripts denies better-sqlite3's implicit
# node-gyp build; the compilers stay in this stage only for an npm that ignores allowScripts). The
# runtime image holds only those dependencies, sources, rules and the models, and runs as non-root.
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
COPY package.json tsconfig.json ./
COPY src ./src
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
CMD ["node", "--import", "tsx", "src/main.ts"]
