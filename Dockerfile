# The image every host of the containers runtime runs (npm run lab -- --runtime containers).
# The base is a build argument: node:24-slim where a registry can be reached, or a local image
# built FROM scratch by docker/build-base-image.sh where none can (CI here).
ARG BASE=node:24-slim
FROM ${BASE}
WORKDIR /lab
# The build context is staged by lab/runtime/container-image.ts: package.json, lab/ and the
# production dependencies only.
COPY . /lab
ENV NODE_ENV=production
# Node's compile cache, filled here with every module a host may load (lab/runtime/
# warm-compile-cache.js): each container start and each `docker exec` of a client's action then
# reads the lab's modules stripped and compiled, and never loads the TypeScript stripper.
ENV NODE_COMPILE_CACHE=/lab/.compile-cache
RUN ["node", "lab/runtime/warm-compile-cache.js"]
EXPOSE 25 53/udp 53/tcp 110 143
ENTRYPOINT ["node", "lab/runtime/container-host.ts"]
