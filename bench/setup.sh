#!/usr/bin/env bash
# Installs what the benchmarks need, idempotently:
#   - Prism (@stoplight/prism-cli), locally under bench/.cache/ so nothing global is touched;
#   - wrk and ab (apache2-utils) from Debian's packages, when missing.
# Safe to run again: each step is skipped when its tool is already there.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cache="$here/.cache"
prism="$cache/node_modules/.bin/prism"

if [[ -x "$prism" ]]; then
    echo "prism: present ($("$prism" --version 2>/dev/null || echo '?'))"
else
    command -v npm >/dev/null || { echo "setup.sh: npm is missing (apt-get install -y npm)" >&2; exit 1; }
    mkdir -p "$cache"
    npm install --prefix "$cache" --no-audit --no-fund --loglevel=error @stoplight/prism-cli
    echo "prism: installed ($("$prism" --version 2>/dev/null || echo '?'))"
fi

missing=()
command -v wrk >/dev/null || missing+=(wrk)
command -v ab >/dev/null || missing+=(apache2-utils)
if ((${#missing[@]})); then
    sudo_cmd=()
    [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
    "${sudo_cmd[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}"
fi
echo "wrk: $(command -v wrk)  ab: $(command -v ab)"
