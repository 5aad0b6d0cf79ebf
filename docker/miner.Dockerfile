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
# ffmpeg for the shipped allow-list; util-linux brings prlimit for per-job memory limits.
RUN apt-get update && apt-get install -y --no-install-recommends ffmpeg ca-certificates util-linux \
  && rm -rf /var/lib/apt/lists/* \
  && useradd --create-home --uid 10001 miner \
  && mkdir -p /var/lib/aitbc/miner /etc/aitbc/miner && chown miner:miner /var/lib/aitbc/miner
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/dist dist
COPY apps/miner/allowlist.d /etc/aitbc/miner/allowlist.d
# State (proof key, job journal, workspaces) lives in a volume so a restarted container reports
# the jobs it was running instead of forgetting them.
ENV MINER_STATE_DIR=/var/lib/aitbc/miner MINER_ALLOWLIST_DIR=/etc/aitbc/miner/allowlist.d MINER_HOST=0.0.0.0
VOLUME /var/lib/aitbc/miner
USER miner
EXPOSE 18001
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.MINER_PORT||18001)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# SIGTERM drains (MINER_DRAIN_TIMEOUT_SECONDS, default 60): give docker stop enough time, e.g.
#   docker stop -t 90 …   or   stop_grace_period: 90s   in compose.
STOPSIGNAL SIGTERM
# Heap: the daemon itself needs ~60 MiB; a CLI job finishing with 10 MiB of output (ffmpeg.yaml's
# max_output_bytes) briefly holds ~30 MiB more (base64, canonical JSON for the proof, journal record,
# request body), and ~14 MiB while its report waits for the coordinator. 512 MiB covers a dozen such
# jobs at once; raise it with MINER_CONCURRENCY or max_output_bytes.
CMD ["node", "--max-old-space-size=512", "dist/apps/miner/src/main.js"]
