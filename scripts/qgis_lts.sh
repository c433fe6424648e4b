#!/usr/bin/env bash
# `make test-qgis-lts`: the unit tier, `make package` and the QGIS tier (which loads the packaged
# zip in a fresh QGIS) on QGIS 3.40 LTS, Python 3.13 and numpy 2, in a Debian 13 (trixie) chroot
# cached under .cache/lts/ (ignored by git). Needs a Debian 12 or 13 host and root (or sudo).
#
#   scripts/qgis_lts.sh                 make setup, then test-unit, package, test-qgis inside
#   scripts/qgis_lts.sh TARGET...       make setup, then these Makefile targets inside
#   scripts/qgis_lts.sh shell           a shell in the chroot's copy of the project
#   scripts/qgis_lts.sh clean           delete the chroot
#
# First run ~8 min on 2 cores (debootstrap ~1 min, QGIS and friends ~3 min, both venvs ~1 min on a
# fast link, the tests ~3 min; 4.3 GB on disk); later runs skip straight to the tests (~2 min).
# The project is copied in fresh each run (the host's .venv and .runtime are built for the host's
# Python). All mounts live in a private mount namespace: nothing is ever left mounted on the
# host, even after kill -9. Exit status: 0 when every target passed.
# QGIS_LTS_DIR=/var/cache/x puts the chroot outside the clone (a CI that clones afresh each time).
set -euo pipefail

SUITE=${LTS_SUITE:-trixie}
MIRROR=${LTS_MIRROR:-http://deb.debian.org/debian}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
LTS=${QGIS_LTS_DIR:-$ROOT/.cache/lts}
CHROOT=$LTS/$SUITE
BOOTSTRAPPED=$CHROOT/.school_detector-debootstrap # debootstrap finished
STAMP=$CHROOT/.school_detector-base-ready         # and `make apt` too: both are skipped from then on
SRC=/src/project # inside the chroot, next to /src/shared (tests/paths.py: ../shared/data)
START=$SECONDS

say() { printf '== [lts %4ds] %s\n' $((SECONDS - START)) "$*"; }
die() {
  printf 'qgis_lts: %s\n' "$*" >&2
  exit 2
}

# --- host checks, root, private mount namespace, one run at a time ---------------------------
if [ ! -r /etc/debian_version ] || ! command -v apt-get >/dev/null || ! command -v dpkg >/dev/null; then
  die "this target needs a Debian 12 or 13 host (apt, dpkg, debootstrap): it builds a Debian 13 chroot. \
Elsewhere, run \`make test\` on a Debian 13 machine or container instead."
fi
if [ "$(id -u)" != 0 ]; then
  command -v sudo >/dev/null || die "needs root (chroot, mount, debootstrap) and sudo is missing"
  exec sudo --preserve-env "$BASH" "$0" "$@"
fi
if [ -z "${QGIS_LTS_NAMESPACE:-}" ]; then
  command -v unshare >/dev/null || die "unshare (util-linux) is missing"
  export QGIS_LTS_NAMESPACE=1
  exec unshare --mount --propagation private "$BASH" "$0" "$@"
fi
mkdir -p "$LTS"
exec 9>"$LTS/lock"
flock -n 9 || {
  say "another qgis_lts run holds $LTS/lock: waiting"
  flock 9
}

# --- mounts and processes under the chroot ----------------------------------------------------
mounted_under() { # mount points under $CHROOT, deepest first (/proc/mounts escapes spaces)
  local prefix=${CHROOT// /\\040}/
  awk -v p="$prefix" 'index($2, p) == 1 { print $2 }' /proc/mounts | sort -r | sed 's/\\040/ /g'
}
kill_chroot_processes() { # anything whose root is our chroot (gpg-agent, Xvfb, a test's child)
  local sig p pids
  for sig in TERM KILL; do
    pids=()
    for p in /proc/[0-9]*; do
      [ "$(readlink "$p/root" 2>/dev/null)" = "$CHROOT" ] && pids+=("${p#/proc/}")
    done
    [ ${#pids[@]} -eq 0 ] && return 0
    kill -s "$sig" "${pids[@]}" 2>/dev/null || true
    sleep 2
  done
}
unmount_all() {
  local m
  kill_chroot_processes
  while IFS= read -r m; do
    [ -n "$m" ] && { umount "$m" 2>/dev/null || umount -l "$m" || echo "qgis_lts: could not unmount $m" >&2; }
  done < <(mounted_under)
}
# shellcheck disable=SC2329 # (run by the EXIT trap)
cleanup() {
  local rc=$?
  trap - EXIT INT TERM HUP
  [ -d "$CHROOT" ] && unmount_all
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

mnt() { # mnt PATH-IN-CHROOT mount-arguments...
  local target=$CHROOT$1
  shift
  mkdir -p "$target"
  mount "$@" "$target"
}
remove_chroot() {
  unmount_all
  [ -z "$(mounted_under)" ] || die "something is still mounted under $CHROOT; not deleting it"
  rm -rf --one-file-system "$CHROOT"
}

kill_chroot_processes # a killed (kill -9) earlier run's tests, if any are still going

if [ "${1:-}" = clean ]; then
  say "deleting $CHROOT"
  [ -e "$CHROOT" ] && remove_chroot
  exit 0
fi

# --- the host's pip and CA configuration, so pip inside reaches the same index ------------------
PIP_FILES=(/etc/pip.conf /etc/xdg/pip "$HOME/.config/pip" "$HOME/.pip" "${PIP_CONFIG_FILE:-}")
host_paths() { # absolute paths named in pip configuration and PIP_*/CA variables that exist here
  {
    for f in "${PIP_FILES[@]}"; do [ -n "$f" ] && [ -e "$f" ] && find "$f" -type f -exec cat {} + 2>/dev/null || true; done
    env | grep -E '^(PIP_[A-Z_]+|SSL_CERT_FILE|SSL_CERT_DIR|REQUESTS_CA_BUNDLE|CURL_CA_BUNDLE)=' | cut -d= -f2- || true
  } | tr -s " \t'\"=," '\n' | sed -n 's,^file://,,; s,/simple/*$,,; \,^/,p' | sort -u |
    while IFS= read -r p; do [ -e "$p" ] && printf '%s\n' "$p"; done
}
copy_host_config() {
  local f p
  rm -f "$CHROOT/etc/resolv.conf" && cp -L /etc/resolv.conf "$CHROOT/etc/resolv.conf"
  if [ -d /usr/local/share/ca-certificates ]; then # the host's extra CAs (a proxy's, say)
    mkdir -p "$CHROOT/usr/local/share/ca-certificates"
    cp -a /usr/local/share/ca-certificates/. "$CHROOT/usr/local/share/ca-certificates/"
  fi
  [ -f /etc/ssl/certs/ca-certificates.crt ] && cp /etc/ssl/certs/ca-certificates.crt "$CHROOT/etc/ssl/certs/"
  for f in "${PIP_FILES[@]}"; do
    [ -n "$f" ] && [ -e "$f" ] || continue
    p=$f
    [[ $f == "$HOME"/* ]] && p=/root${f#"$HOME"}
    mkdir -p "$CHROOT$(dirname "$p")"
    rm -rf "${CHROOT:?}$p" && cp -a "$f" "$CHROOT$p"
  done
  while IFS= read -r p; do
    case $p in /etc/ssl/* | /etc/pip.conf | /etc/xdg/pip* | "$HOME"/*) continue ;; esac
    if [ -f "$p" ]; then # a cert bundle or constraints file named by the configuration
      mkdir -p "$CHROOT$(dirname "$p")" && cp -L "$p" "$CHROOT$p"
    elif [ -d "$p" ] && [[ $p == /*/* || $p == /opt ]] && [[ $p != /proc* && $p != /sys* && $p != /dev* ]]; then
      mnt "$p" --bind "$p" && mount -o remount,bind,ro "$CHROOT$p" # a local index or wheel folder
    fi
  done < <(host_paths)
}
CHROOT_ENV=(PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8
  TERM="${TERM:-dumb}" DEBIAN_FRONTEND=noninteractive PIP_CACHE_DIR=/root/.cache/pip)
while IFS= read -r v; do CHROOT_ENV+=("$v"); done < <(env | grep -E \
  '^(PIP_[A-Z_]+|SSL_CERT_FILE|SSL_CERT_DIR|REQUESTS_CA_BUNDLE|CURL_CA_BUNDLE|https?_proxy|HTTPS?_PROXY|no_proxy|NO_PROXY)=' |
  grep -v '^PIP_CACHE_DIR=' || true)
in_chroot() { # in the background + wait, so that a TERM or INT to this script acts at once
  chroot "$CHROOT" /usr/bin/env -i "${CHROOT_ENV[@]}" /bin/bash -c "$1" &
  wait $!
}

mount_all() {
  local cache=${PIP_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/pip}
  mnt /proc -t proc proc
  mnt /sys --bind /sys
  mnt /dev --bind /dev
  mnt /dev/pts --bind /dev/pts
  mnt /dev/shm -t tmpfs -o mode=1777 shm
  # the host's pip cache, when it has one: downloads made here serve the host and vice versa
  if [ -z "${PIP_NO_CACHE_DIR:-}" ] && [ -d "$cache" ]; then mnt /root/.cache/pip --bind "$cache"; fi
  copy_host_config
}

copy_project() { # the working tree as git sees it (tracked + untracked, minus ignored), fresh
  local dest=$CHROOT$SRC shared=$ROOT/../shared
  mkdir -p "$dest"
  find "$dest" -mindepth 1 -maxdepth 1 ! -name .venv ! -name .runtime ! -name .cache -exec rm -rf --one-file-system {} +
  if git -C "$ROOT" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    (cd "$ROOT" && git ls-files -z --cached --others --exclude-standard |
      while IFS= read -r -d '' f; do [ -e "$f" ] || [ -L "$f" ] && printf '%s\0' "$f"; done |
      tar --null -T - -cf -) | tar -xf - -C "$dest"
  else
    tar -C "$ROOT" --exclude=./.git --exclude=./.venv --exclude=./.runtime --exclude=./.cache --exclude=./dist \
      --exclude=./demo_output --exclude=__pycache__ -cf - . | tar -xf - -C "$dest"
  fi
  rm -rf --one-file-system "$CHROOT/src/shared"
  if [ -d "$shared" ]; then
    mkdir -p "$CHROOT/src/shared" && tar -C "$shared" -cf - . | tar -xf - -C "$CHROOT/src/shared"
  else
    say "warning: $shared is missing; the tests that read ../shared/data will fail"
  fi
  find "$CHROOT/tmp" -mindepth 1 -maxdepth 1 -exec rm -rf --one-file-system {} + # last run's pytest tmp
}

# --- 1. the chroot: debootstrap + the Makefile's Debian packages, once --------------------------
if [ ! -f "$BOOTSTRAPPED" ]; then
  if [ -e "$CHROOT" ]; then
    say "removing an unfinished chroot at $CHROOT"
    remove_chroot
  fi
  if ! command -v debootstrap >/dev/null; then
    say "installing debootstrap on the host"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null
  fi
  say "debootstrap $SUITE from $MIRROR into $CHROOT (first run only)"
  t=$SECONDS
  debootstrap --variant=minbase --include=make,ca-certificates "$SUITE" "$CHROOT" "$MIRROR" >"$LTS/debootstrap.log" 2>&1 ||
    {
      tail -20 "$LTS/debootstrap.log" >&2
      die "debootstrap failed (full log: $LTS/debootstrap.log)"
    }
  printf '#!/bin/sh\nexit 101\n' >"$CHROOT/usr/sbin/policy-rc.d" && chmod +x "$CHROOT/usr/sbin/policy-rc.d"
  echo 'force-unsafe-io' >"$CHROOT/etc/dpkg/dpkg.cfg.d/school-detector-unsafe-io" # a throwaway system
  echo 'Acquire::Languages "none";' >"$CHROOT/etc/apt/apt.conf.d/99school-detector"
  touch "$BOOTSTRAPPED"
  say "debootstrap done in $((SECONDS - t)) s"
fi

mount_all
say "copying the project into the chroot ($SRC)"
copy_project

if [ ! -f "$STAMP" ]; then
  say "make apt inside (QGIS and the Makefile's Debian packages; first run only)"
  t=$SECONDS
  in_chroot "cd $SRC && make apt" >"$LTS/apt.log" 2>&1 || {
    tail -20 "$LTS/apt.log" >&2
    die "make apt failed inside the chroot (full log: $LTS/apt.log)"
  }
  date -u +%FT%TZ >"$STAMP"
  say "make apt done in $((SECONDS - t)) s"
fi
# shellcheck disable=SC2016 # (expanded inside the chroot)
VERSIONS='printf "Debian %s, QGIS %s, " "$(cat /etc/debian_version)" "$(dpkg-query -W -f "\${Version}" qgis)"
python3 -c "import sys, numpy; print(f\"Python {sys.version.split()[0]}, numpy {numpy.__version__}\")"'
say "inside: $(in_chroot "$VERSIONS" || true)"

if [ "${1:-}" = shell ]; then
  chroot "$CHROOT" /usr/bin/env -i "${CHROOT_ENV[@]}" /bin/bash -c "cd $SRC && exec bash -i"
  exit $?
fi

# --- 2. make setup, then the targets ------------------------------------------------------------
say "make setup inside (the venvs are built on the first run only)"
t=$SECONDS
in_chroot "cd $SRC && make setup" || {
  status=$?
  say "make setup failed ($status) after $((SECONDS - t)) s"
  exit "$status"
}
say "make setup done in $((SECONDS - t)) s"

TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=(test-unit package test-qgis)
status=0
results=()
for target in "${TARGETS[@]}"; do
  say "make $target (QGIS 3.40, Python 3.13)"
  t=$SECONDS
  if in_chroot "cd $SRC && make $target"; then
    results+=("ok     make $target ($((SECONDS - t)) s)")
  else
    status=1
    results+=("FAILED make $target ($((SECONDS - t)) s)")
  fi
done
say "summary ($SUITE chroot, $((SECONDS - START)) s in all):"
printf '     %s\n' "${results[@]}"
exit "$status"
