#!/bin/sh
# SELinux for kit-db-test as rendered ({{layoutSummary}}): the targeted policy, enforcing.
# Run as root before starting the services. Needs semanage: dnf install policycoreutils-python-utils{{extraPackages}}
# Run again, a `semanage ... -a` says "already defined": harmless. Denials, if any: ausearch -m AVC -ts recent
here=$(cd "$(dirname "$0")" && pwd)

{{commands}}
