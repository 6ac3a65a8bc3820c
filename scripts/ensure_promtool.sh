#!/usr/bin/env bash
# tests/deploy checks the Prometheus config and alert rules with promtool (Debian's
# `prometheus` package); install it if it is missing. The package would also start a
# Prometheus server: a policy-rc.d that forbids starting services is in place while it
# installs, and any server it started anyway is stopped.
set -euo pipefail
if command -v promtool >/dev/null 2>&1; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive

POLICY=/usr/sbin/policy-rc.d
OURS=""
if [ ! -e "$POLICY" ]; then
  # exit 101: "action forbidden" for invoke-rc.d and deb-systemd-invoke.
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$POLICY" >/dev/null
  $SUDO chmod 755 "$POLICY"
  OURS=1
fi
cleanup() {
  if [ -n "$OURS" ]; then
    $SUDO rm -f "$POLICY"
  fi
}
trap cleanup EXIT

install_prometheus() {
  $SUDO apt-get install -y -q --no-install-recommends prometheus >/dev/null
}
install_prometheus || { $SUDO apt-get update -q >/dev/null && install_prometheus; }

# Belt and braces: leave no Prometheus server behind (systemd hosts or plain init).
if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
  $SUDO systemctl disable --now prometheus.service >/dev/null 2>&1 || true
elif [ -x /etc/init.d/prometheus ]; then
  $SUDO /etc/init.d/prometheus stop >/dev/null 2>&1 || true
fi
command -v promtool >/dev/null
