#!/usr/bin/env bash
# Runs every test of the local solution (everything but the Azure Functions app).
# Installs what it needs: the pinned Azurite (npm ci) and the NuGet packages (dotnet restore).
# Extra arguments go to `dotnet test`, e.g. ./test.sh --filter "FullyQualifiedName~Storage".
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
npm ci --no-audit --no-fund --loglevel=error || { echo "test.sh: npm ci failed" >&2; exit 1; }
dotnet build DataFirst.Local.slnf -c Release --nologo -v q -clp:ErrorsOnly || { echo "test.sh: build failed" >&2; exit 1; }
# The CLI tests run ./datafirst without rebuilding it: the build above made it.
export DATAFIRST_NO_BUILD=1
results="$(mktemp -d)"
dotnet test DataFirst.Local.slnf -c Release --no-build --nologo --logger "trx" --results-directory "$results" "$@"
rc=$?
passed=0; failed=0; skipped=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  line="$(grep -o '<Counters [^>]*>' "$trx" | head -1)"
  get() { echo "$line" | sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p"; }
  total=$(get total); p=$(get passed); f=$(get failed); e=$(get error); t=$(get timeout); nx=$(get notExecuted)
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0} + ${e:-0} + ${t:-0})); skipped=$((skipped + ${nx:-0}))
  : "${total:=0}"
done
rm -rf "$results"
if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
summary_line="Tests: $passed passed, $failed failed, $skipped skipped"
echo "$summary_line"
echo "$summary_line" > "${TMPDIR:-/tmp}/datafirst-test-summary"
exit $rc
