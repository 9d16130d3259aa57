#!/usr/bin/env bash
# Installs what the benchmarks need, idempotently:
#   - Prism (@stoplight/prism-cli, pinned to PRISM_VERSION), locally under bench/.cache/ so nothing
#     global is touched. 5.16.0's package asks for Node >= 24.18 but installs and runs on Node 20
#     (npm only warns); an older Prism found there is replaced;
#   - wrk and ab (apache2-utils) from Debian's packages, when missing.
# Safe to run again: each step is skipped when its tool is already there.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cache="$here/.cache"
prism="$cache/node_modules/.bin/prism"
PRISM_VERSION="${PRISM_VERSION:-5.16.0}"

if [[ -x "$prism" && "$("$prism" --version 2>/dev/null)" == "$PRISM_VERSION" ]]; then
    echo "prism: present ($PRISM_VERSION)"
else
    command -v npm >/dev/null || { echo "setup.sh: npm is missing (apt-get install -y npm)" >&2; exit 1; }
    mkdir -p "$cache"
    npm install --prefix "$cache" --no-audit --no-fund --loglevel=error "@stoplight/prism-cli@$PRISM_VERSION"
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
