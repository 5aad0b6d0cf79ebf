# AITBC coordinator. Build from the repository root:
#   docker build -f docker/coordinator.Dockerfile -t aitbc/coordinator .
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

FROM node:20-bookworm-slim
ENV NODE_ENV=production APP_ENV=production PORT=18000
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/dist dist
# The service registry is data, not code: mount another directory over it (or set REGISTRY_DIR) to
# change the catalogue without rebuilding; the coordinator validates it at boot.
COPY apps/coordinator/registry.d /etc/aitbc/coordinator/registry.d
ENV REGISTRY_DIR=/etc/aitbc/coordinator/registry.d
USER node
EXPOSE 18000
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||18000)+'/health/live').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "dist/apps/coordinator/src/main.js"]
