#!/usr/bin/env bash
# Installs sonoria into a throwaway root (`cmake --install BUILD_DIR --prefix /usr` with DESTDIR)
# and checks what a system install needs: exactly the expected files, with sane modes; the unit
# naming the installed binary; the system configuration loaded by the installed binary; both units
# accepted by `systemd-analyze verify`. Given a .deb as well, checks that it holds the same files
# and declares its dependencies, its conffile and its maintainer scripts.
#
#   tests/package/check_layout.sh BUILD_DIR [PACKAGE.deb]
#
# Needs the binary built in BUILD_DIR; needs no root. Exit 0: every check passed; 1: one failed
# (each failure is printed), also when systemd-analyze is missing and the units could not be
# verified (Debian package systemd, which scripts/bootstrap installs).
set -euo pipefail

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
  echo "usage: $0 BUILD_DIR [PACKAGE.deb]" >&2
  exit 2
fi
build_dir=$(cd "$1" && pwd)
deb="${2:-}"
source_dir=$(cd "$(dirname "$0")/../.." && pwd)
cmake="${CMAKE:-cmake}"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/sonoria-layout.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
root="$tmp/root"

failures=0
fail() {
  echo "check_layout: FAIL: $*" >&2
  failures=$((failures + 1))
}

cache_value() {  # cache_value NAME: a variable from BUILD_DIR's CMakeCache.txt
  sed -n "s/^$1:[A-Z]*=//p" "$build_dir/CMakeCache.txt"
}
unit_dir=$(cache_value SONORIA_SYSTEMD_UNIT_DIR)
config_dir=$(cache_value SONORIA_CONFIG_DIR)
if [ -z "$unit_dir" ] || [ -z "$config_dir" ]; then
  echo "check_layout: $build_dir/CMakeCache.txt has no SONORIA_SYSTEMD_UNIT_DIR or SONORIA_CONFIG_DIR" >&2
  exit 1
fi

if ! DESTDIR="$root" "$cmake" --install "$build_dir" --prefix /usr >"$tmp/install.log" 2>&1; then
  cat "$tmp/install.log" >&2
  echo "check_layout: FAIL: cmake --install $build_dir --prefix /usr failed" >&2
  exit 1
fi

# Every installed file, and its mode.
declare -A expected=(
  [usr/bin/sonoria]=755
  [usr/share/bash-completion/completions/sonoria]=644
  [usr/share/zsh/vendor-completions/_sonoria]=644
  [usr/share/fish/vendor_completions.d/sonoria.fish]=644
  ["${unit_dir#/}/sonoria.service"]=644
  ["${unit_dir#/}/sonoria.socket"]=644
  ["${config_dir#/}/sonoria.toml"]=644
  [usr/share/doc/sonoria/README.md]=644
  [usr/share/doc/sonoria/README.install.md]=644
  [usr/share/doc/sonoria/LICENSE]=644
  [usr/share/doc/sonoria/THIRD_PARTY_NOTICES.md]=644
)
for page in "$source_dir"/man/*.1; do expected["usr/share/man/man1/$(basename "$page")"]=644; done
for example in "$source_dir"/examples/*.toml; do
  expected["usr/share/doc/sonoria/examples/$(basename "$example")"]=644
done

printf '%s\n' "${!expected[@]}" | sort >"$tmp/expected"
(cd "$root" && find . -type f -o -type l) | sed 's|^\./||' | sort >"$tmp/installed"
if ! diff -u "$tmp/expected" "$tmp/installed" >"$tmp/diff"; then
  fail "the installed files differ from the expected ones (- missing, + unexpected):"
  grep '^[-+][^-+]' "$tmp/diff" >&2 || true
fi
for path in "${!expected[@]}"; do
  [ -f "$root/$path" ] || continue
  mode=$(stat -c '%a' "$root/$path")
  [ "$mode" = "${expected[$path]}" ] || fail "/$path has mode $mode, expected ${expected[$path]}"
done
writable=$(cd "$root" && find . -perm /022 | sed 's|^\.||')
[ -z "$writable" ] || fail "writable by group or others: $writable"
[ -x "$root/usr/bin/sonoria" ] || fail "/usr/bin/sonoria is not executable"

# The unit runs the installed binary with the installed configuration.
service="$root$unit_dir/sonoria.service"
if [ -f "$service" ]; then
  exec_start=$(sed -n 's/^ExecStart=//p' "$service")
  [ "$exec_start" = "/usr/bin/sonoria --config $config_dir/sonoria.toml serve" ] ||
    fail "sonoria.service: ExecStart=$exec_start (expected /usr/bin/sonoria --config $config_dir/sonoria.toml serve)"
  if grep -n '@[A-Za-z_]*@' "$service" >&2; then fail "sonoria.service: a placeholder was not filled in"; fi
  # shellcheck disable=SC2016  # $MAINPID is systemd's, literally
  for key in 'ProtectSystem=strict' 'NoNewPrivileges=true' 'StateDirectory=sonoria' 'Restart=on-failure' \
             'ExecReload=/bin/kill -HUP $MAINPID' 'WatchdogSec=30' 'Type=notify' 'User=sonoria' \
             'CapabilityBoundingSet=' 'MemoryDenyWriteExecute=true' 'RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6'; do
    grep -qxF "$key" "$service" || fail "sonoria.service has no line $key"
  done
fi

# The installed binary loads the installed configuration, which puts the database in the state
# directory and listens on loopback. (A clean environment: no SONORIA_* variable may interfere.)
config="$root$config_dir/sonoria.toml"
if [ -x "$root/usr/bin/sonoria" ] && [ -f "$config" ]; then
  if env -i PATH=/usr/bin:/bin HOME="$tmp" "$root/usr/bin/sonoria" --config "$config" config show \
       >"$tmp/config-show" 2>&1; then
    grep -q '/var/lib/sonoria/sonoria\.db' "$tmp/config-show" ||
      fail "sonoria config show: database.path is not /var/lib/sonoria/sonoria.db: $(grep -i 'database.path' "$tmp/config-show")"
    grep -q '127\.0\.0\.1:8080' "$tmp/config-show" ||
      fail "sonoria config show: server.listen is not 127.0.0.1:8080"
  else
    fail "the installed binary does not load the installed configuration: $(cat "$tmp/config-show")"
  fi
fi

# The maintainer scripts parse.
for script in postinst prerm postrm; do
  sh -n "$source_dir/packaging/debian/$script" || fail "packaging/debian/$script does not parse"
done

if [ -n "$deb" ]; then
  if ! dpkg-deb -c "$deb" >"$tmp/deb-contents"; then
    fail "dpkg-deb -c $deb failed"
  else
    # The package holds the same files (minus directories), with the same modes, owned by root.
    awk '$1 !~ /^d/ { sub(/^\.\//, "", $6); print $6 }' "$tmp/deb-contents" | sort >"$tmp/deb-files"
    if ! diff -u "$tmp/expected" "$tmp/deb-files" >"$tmp/deb-diff"; then
      fail "$deb differs from the install layout (- missing, + unexpected):"
      grep '^[-+][^-+]' "$tmp/deb-diff" >&2 || true
    fi
    awk '$1 !~ /^d/ && $1 != "-rw-r--r--" && $1 != "-rwxr-xr-x" { print }' "$tmp/deb-contents" >"$tmp/deb-modes"
    [ ! -s "$tmp/deb-modes" ] || fail "$deb has files with unusual modes: $(cat "$tmp/deb-modes")"
    awk '$2 != "root/root" { print }' "$tmp/deb-contents" >"$tmp/deb-owners"
    [ ! -s "$tmp/deb-owners" ] || fail "$deb has files not owned by root: $(cat "$tmp/deb-owners")"
    grep -qE '^-rwxr-xr-x .* \./usr/bin/sonoria$' "$tmp/deb-contents" ||
      fail "$deb: /usr/bin/sonoria is missing or not executable"
  fi
  depends=$(dpkg-deb -f "$deb" Depends)
  for package in adduser ca-certificates espeak-ng-data pocketsphinx-en-us tzdata libc6 libssl3 libsqlite3-0 libsystemd0; do
    grep -qE "(^|, )$package( |,|$)" <<<"$depends" || fail "$deb: Depends has no $package: $depends"
  done
  [ "$(dpkg-deb -I "$deb" conffiles 2>/dev/null)" = "$config_dir/sonoria.toml" ] ||
    fail "$deb: conffiles is not exactly $config_dir/sonoria.toml"
  for script in postinst prerm postrm; do
    dpkg-deb -I "$deb" "$script" >/dev/null 2>&1 || fail "$deb has no $script"
  done
fi

# systemd's own reading of the units: a temporary copy whose ExecStart names the binary in the
# throwaway root (verify wants it to exist), and MANPATH there too (verify looks up
# Documentation=man:…). Any output is a finding: unknown keys are only warnings.
verified=no
if command -v systemd-analyze >/dev/null 2>&1 && [ -f "$service" ]; then
  mkdir -p "$tmp/units"
  sed "s|^ExecStart=/usr/bin/|ExecStart=$root/usr/bin/|" "$service" >"$tmp/units/sonoria.service"
  cp "$root$unit_dir/sonoria.socket" "$tmp/units/sonoria.socket"
  if ! MANPATH="$root/usr/share/man" SYSTEMD_LOG_COLOR=0 systemd-analyze verify \
         "$tmp/units/sonoria.socket" "$tmp/units/sonoria.service" >"$tmp/verify" 2>&1 || [ -s "$tmp/verify" ]; then
    fail "systemd-analyze verify: $(cat "$tmp/verify")"
  fi
  verified=yes
fi

if [ "$failures" -gt 0 ]; then
  echo "check_layout: $failures check(s) failed" >&2
  exit 1
fi
if [ "$verified" = no ]; then  # (a missing unit has failed above)
  echo "check_layout: systemd-analyze is not installed, so the units were not verified (Debian package systemd; scripts/bootstrap installs it)" >&2
  exit 1
fi
echo "check_layout: the install layout is right${deb:+, and $deb matches it}"
