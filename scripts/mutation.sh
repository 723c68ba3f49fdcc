#!/usr/bin/env bash
# Mutation score of the model and the invariants with Stryker.NET (the dotnet-stryker tool of
# .config/dotnet-tools.json), against tests/Properties and tests/Cli. Not part of the default run.
#
#   scripts/mutation.sh PROJECT [STRYKER ARGS...]
#
# PROJECT: buddymodel, aeration, reporting, specs (a config in stryker/), or all (one after the
# other). Extra arguments go to Stryker, e.g. `-m "**/Zone.Free.cs"` for a sample of files or
# `-c 1` for one test runner. Reports: mutation/PROJECT/reports/mutation-report.{json,html};
# progress (one character per mutant, the `dots` reporter) and the summary: mutation/PROJECT.log.
#
# Stryker swaps the mutated assembly into the test projects' bin folders, so one run per clone at
# a time: a second run while one is going refuses to start. Whole projects take hours on two
# cores (docs/mutation.md has the measured times).
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"

usage() { echo "usage: scripts/mutation.sh buddymodel|aeration|reporting|specs|all [stryker args...]" >&2; exit 2; }
[ $# -ge 1 ] || usage
what="$1"; shift
case "$what" in
  all) projects=(buddymodel aeration reporting specs) ;;
  buddymodel|aeration|reporting|specs) projects=("$what") ;;
  *) echo "scripts/mutation.sh: unknown project '$what' (buddymodel, aeration, reporting, specs, all)" >&2; exit 2 ;;
esac

lock="$root/mutation/.running"
mkdir -p "$root/mutation"
if ! mkdir "$lock" 2>/dev/null; then
  echo "scripts/mutation.sh: a mutation run is already going in this clone ($lock); wait for it, or remove the folder if it was killed" >&2
  exit 2
fi
trap 'rmdir "$lock"' EXIT

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 COYOTE_CLI_TELEMETRY_OPTOUT=1
dotnet tool restore >/dev/null
# Stryker builds the test projects itself; a restored and built solution makes that build quick,
# and the CLI tests that run the built tool or the Coyote scenario assembly (tests/Concurrency)
# find them: without it those tests fail in Stryker's initial run and stop counting.
dotnet restore Verification.sln >/dev/null
dotnet build Verification.sln --no-restore -c Debug -v q >/dev/null || { echo "scripts/mutation.sh: the solution does not build; run dotnet build Verification.sln to see why" >&2; exit 3; }

for p in "${projects[@]}"; do
  out="$root/mutation/$p"
  log="$root/mutation/$p.log"
  rm -rf "$out"
  echo "mutation: $p (log: mutation/$p.log)"
  start=$(date +%s)
  (cd tests/Properties && dotnet tool run dotnet-stryker -- -f "../../stryker/$p.json" -O "$out" "$@") >"$log" 2>&1 || {
    echo "mutation: Stryker failed on $p (exit $?); the end of mutation/$p.log:" >&2
    tail -20 "$log" >&2
    exit 3
  }
  secs=$(( $(date +%s) - start ))
  score=$(grep -oE "The final mutation score is [0-9.]+ ?%" "$log" | tail -1 || true)
  echo "mutation: $p: ${score:-no score in the log} ($secs s)"
done
