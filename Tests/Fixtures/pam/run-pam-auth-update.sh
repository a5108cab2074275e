#!/bin/sh
# Runs the real pam-auth-update (Debian libpam-runtime, needs perl and debconf) against the tree
# ROOT, in a private mount namespace: ROOT's etc/pam.d, usr/share/pam-configs, usr/share/pam,
# var/lib/pam and var/cache/debconf are bind-mounted over the real paths for that process
# only, so this machine's own PAM configuration is never touched. Needs root and unshare(1).
#
#   run-pam-auth-update.sh ROOT [pam-auth-update arguments...]
set -eu
root=$(cd "$1" && pwd)
shift
exec unshare --mount --propagation private sh -eu -c '
    root=$1
    shift
    for d in etc/pam.d usr/share/pam-configs usr/share/pam var/lib/pam var/cache/debconf; do
        mkdir -p "$root/$d"
        mount --bind "$root/$d" "/$d"
    done
    DEBIAN_FRONTEND=noninteractive exec pam-auth-update "$@"
' sh "$root" "$@"
