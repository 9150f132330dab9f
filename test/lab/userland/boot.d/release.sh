#!/bin/sh
# The host's FreeBSD release: installed userland/kernel files, the running kernel
# (/.lab/kernel), mirror.lab in /etc/hosts. See lib/release/install-host.cjs.
exec node "$USERLAND/lib/release/install-host.cjs" "$ROOT"
