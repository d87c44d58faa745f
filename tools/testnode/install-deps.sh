#!/bin/sh
# Installs the Debian packages the real-lvm2 test node needs on the HOST
# (tools/testnode, docs/testing.md). Idempotent: when every package is already
# installed it does nothing; otherwise it runs apt-get update once and installs
# the missing ones. Run as root (CI) or through sudo.
set -eu

PACKAGES="
qemu-system-x86
busybox-static
lvm2
thin-provisioning-tools
e2fsprogs
xfsprogs
btrfs-progs
cpio
socat
kmod
util-linux
mount
"

missing=""
for pkg in $PACKAGES; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
  if [ "$status" != "installed" ]; then
    missing="$missing $pkg"
  fi
done

if [ -z "$missing" ]; then
  echo "testnode deps: all installed"
  exit 0
fi

SUDO=""
if [ "$(id -u)" != "0" ]; then
  SUDO="sudo"
fi

echo "testnode deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
# --no-install-recommends: qemu-system-x86 recommends GUI, OVMF and block
# plugins; a headless TCG guest needs none of them.
# shellcheck disable=SC2086
$SUDO apt-get install -y --no-install-recommends $missing
echo "testnode deps: done"
