# AITBC miner daemon, for GPU hosts (run with the NVIDIA container runtime). From the repository root:
#   docker build -f docker/miner.Dockerfile -t aitbc/miner .
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund || npm install --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ormconfig.ts ./
COPY apps apps
COPY libs libs
COPY migrations migrations
COPY scripts scripts
COPY bench bench
RUN npm run build && npm prune --omit=dev

# CUDA runtime base: nvidia-smi and the driver libraries come from the host through the NVIDIA runtime.
FROM nvidia/cuda:12.4.1-runtime-ubuntu22.04
ENV NODE_ENV=production MINER_PORT=18001 NVIDIA_DRIVER_CAPABILITIES=compute,utility
COPY --from=build /usr/local/bin/node /usr/local/bin/node
RUN apt-get update && apt-get install -y --no-install-recommends ffmpeg ca-certificates && rm -rf /var/lib/apt/lists/* \
  && useradd --create-home --uid 10001 miner
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/dist dist
USER miner
EXPOSE 18001
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.MINER_PORT||18001)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "dist/apps/miner/src/main.js"]
