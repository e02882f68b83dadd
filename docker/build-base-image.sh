#!/usr/bin/env bash
# Build a local Node base image FROM scratch, from the Node binary this machine already has and
# the libraries ldd lists: for machines that can reach no image registry (CI here). The project's
# Dockerfile then builds on it with --build-arg BASE=mail-lab-node:24.
set -euo pipefail
tag="${1:-mail-lab-node:24}"
node_bin="$(readlink -f "$(command -v node)")"
ctx="$(mktemp -d)"
trap 'rm -rf "$ctx"' EXIT
mkdir -p "$ctx/root/usr/local/bin" "$ctx/root/tmp" "$ctx/root/etc"
cp "$node_bin" "$ctx/root/usr/local/bin/node"
# the dynamic loader and every library node links against, at their own paths
for lib in $(ldd "$node_bin" | grep -oE '/[^ ]+'); do
  mkdir -p "$ctx/root$(dirname "$lib")"
  cp -L "$lib" "$ctx/root$lib"
done
printf 'root:x:0:0:root:/root:/usr/local/bin/node\n' > "$ctx/root/etc/passwd"
printf 'root:x:0:\n' > "$ctx/root/etc/group"
printf 'hosts: files dns\n' > "$ctx/root/etc/nsswitch.conf"
cat > "$ctx/Dockerfile" <<'DOCKERFILE'
FROM scratch
COPY root/ /
ENV PATH=/usr/local/bin
CMD ["node"]
DOCKERFILE
chmod 1777 "$ctx/root/tmp"
docker build -q -t "$tag" "$ctx" >/dev/null
echo "$tag ($(docker run --rm "$tag" node --version))"
