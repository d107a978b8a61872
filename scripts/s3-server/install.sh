#!/usr/bin/env bash
# Installs the Debian packages behind the tests' S3 server: OpenStack Swift
# (proxy with its s3api middleware, account, container and object servers)
# and memcached, which Swift's tempauth needs to hold its tokens.
# Safe to run again: it does nothing when everything is already there.
set -euo pipefail

packages=(swift swift-proxy swift-account swift-container swift-object
  memcached)

missing=()
for package in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
  [[ $status == "install ok installed" ]] || missing+=("$package")
done
if [[ ${#missing[@]} -eq 0 ]]; then
  echo "s3-server: Swift and memcached are already installed."
  exit 0
fi

fail() {
  echo "s3-server: $1" >&2
  exit 1
}

command -v apt-get >/dev/null ||
  fail "apt-get not found; install ${missing[*]} with this system's" \
    "package manager (Debian 12 ships Swift 2.30)."
sudo=()
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null ||
    fail "installing ${missing[*]} needs root; run this script as root."
  sudo=(sudo)
fi

echo "s3-server: installing ${missing[*]} ..."
export DEBIAN_FRONTEND=noninteractive
log=$(mktemp)
# Only the tail of apt's output is worth showing, and only when it fails.
if ! "${sudo[@]}" apt-get update -q >"$log" 2>&1 ||
  ! "${sudo[@]}" apt-get install -y -q --no-install-recommends \
    "${missing[@]}" >>"$log" 2>&1; then
  tail -n 20 "$log" >&2
  rm -f "$log"
  fail "apt-get could not install ${missing[*]} (see above)."
fi
rm -f "$log"

for binary in swift-proxy-server swift-account-server \
  swift-container-server swift-object-server memcached; do
  [[ -x /usr/bin/$binary ]] || fail "$binary is still missing after the install."
done
echo "s3-server: installed."
