#!/bin/sh
# Regenerates the Debian 12 fixture trees debian12-*/ from the real packages, running the real
# pam-auth-update (through run-pam-auth-update.sh, in a private mount namespace) as the
# packages' postinst does on a fresh install. Needs root, unshare, perl, debconf, apt-get.
#
#   make-debian-fixtures.sh WORKDIR
set -eu
here=$(cd "$(dirname "$0")" && pwd)
work=$1
mkdir -p "$work/debs"
cd "$work/debs"
apt-get download libpam-runtime libpam-modules libpam-pwquality libpam-cap libpam-systemd libpam-sss \
    login openssh-server util-linux passwd cron sudo
rm -rf "$work/x"
for f in *.deb; do dpkg-deb -x "$f" "$work/x"; done

make_root() { # name, profiles...
    name=$1
    shift
    root="$here/$name"
    rm -rf "$root"
    mkdir -p "$root/etc/pam.d" "$root/usr/share/pam-configs" "$root/usr/share/pam" "$root/var/lib/pam"
    for t in auth account password session session-noninteractive; do
        cp "$work/x/usr/share/pam/common-$t" "$root/usr/share/pam/"
    done
    for p in "$@"; do cp "$work/x/usr/share/pam-configs/$p" "$root/usr/share/pam-configs/"; done
    for s in login sshd su runuser passwd cron sudo other; do
        if [ -f "$work/x/etc/pam.d/$s" ]; then cp "$work/x/etc/pam.d/$s" "$root/etc/pam.d/"; fi
    done
    "$here/run-pam-auth-update.sh" "$root" --package --force
    rm -rf "$root/var/cache"
}

make_root debian12-stock unix systemd mkhomedir
make_root debian12-pwquality unix systemd mkhomedir capability pwquality
make_root debian12-sss unix systemd mkhomedir pwquality sss
