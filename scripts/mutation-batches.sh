#!/usr/bin/env bash
# Stage 1 of a project's mutation score (docs/mutation.md): Stryker.NET over groups of source
# files, one Stryker run per group, so that each group writes its own report and a stopped run
# loses only its group. tests/Properties only, with the tests that kill (the unit tests, the
# allocator's properties and broken models, the oracles, the isolation walk, the explorer's
# small tests), coverage-analysis "all" (one coverage pass, not one per test: nearly every test
# covers nearly every line of the model), concurrency 2, 5 s of additional timeout.
#
#   scripts/mutation-batches.sh buddymodel [FIRST_GROUP]
#
# Reports: mutation/PROJECT-groupN/reports/mutation-report.json; logs: mutation/PROJECT-groupN.log;
# a line per group with its score on standard output. Run it with nothing else on the machine:
# under load a timeout is the machine's, and Stryker counts a timeout as killed.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"
[ $# -ge 1 ] || { echo "usage: scripts/mutation-batches.sh buddymodel [FIRST_GROUP]" >&2; exit 2; }
project="$1"; first="${2:-1}"
case "$project" in
  buddymodel)
    csproj=BuddyModel.csproj
    groups=(
      "**/BuddyModel/Zone.Alloc.cs"
      "**/BuddyModel/Zone.Free.cs"
      "**/BuddyModel/Zone.cs,**/BuddyModel/Zone.FreeArea.cs,**/BuddyModel/FreeListNodes.cs"
      "**/BuddyModel/Zone.Isolation.cs,**/BuddyModel/Zone.Pageblock.cs,**/BuddyModel/Zone.Watermark.cs,**/BuddyModel/Watermarks.cs"
      "**/BuddyModel/Zone.PageIsolation.cs"
      "**/BuddyModel/PageIsolationWalk.cs"
      "**/BuddyModel/Zone.CanonicalState.cs,**/BuddyModel/ZoneConfig.cs,**/BuddyModel/ZoneLayout.cs,**/BuddyModel/KernelEra.cs,**/BuddyModel/MigrateType.cs,**/BuddyModel/GuardedRule.cs,**/BuddyModel/GuardedRules.cs,**/BuddyModel/RuleReach.cs,**/BuddyModel/PageFlags.cs,**/BuddyModel/BadPageException.cs"
      "**/BuddyModel/ZoneChangeLog.cs,**/BuddyModel/DirtySet.cs"
    ) ;;
  *) echo "scripts/mutation-batches.sh: no groups defined for '$project' yet (buddymodel)" >&2; exit 2 ;;
esac
filter='FullyQualifiedName~Properties.Buddy.|FullyQualifiedName~Properties.Unit.|FullyQualifiedName~Properties.Oracle.|FullyQualifiedName~Properties.Isolation.|FullyQualifiedName~Properties.Exhaust.ExhaustTests'
# The change log only matters to the incremental checks: its group adds their differential test (14-21 s).
incremental='|FullyQualifiedName~Properties.Incremental.'
lock="$root/mutation/.running"
mkdir -p "$root/mutation"
mkdir "$lock" 2>/dev/null || { echo "scripts/mutation-batches.sh: a mutation run is already going in this clone ($lock)" >&2; exit 2; }
trap 'rmdir "$lock"' EXIT
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet tool restore >/dev/null
dotnet build Verification.sln -c Debug -v q >/dev/null || { echo "scripts/mutation-batches.sh: the solution does not build" >&2; exit 3; }
for ((i = first; i <= ${#groups[@]}; i++)); do
  mutate=$(python3 -c 'import sys,json; print(json.dumps(sys.argv[1].split(",")))' "${groups[$((i - 1))]}")
  config="$root/mutation/$project-group$i.json"
  f="$filter"
  case "${groups[$((i - 1))]}" in *ZoneChangeLog*) f="$filter$incremental" ;; esac
  cat > "$config" <<JSON
{ "stryker-config": { "project": "$csproj", "test-projects": [ "./Properties.csproj" ], "concurrency": 2,
  "coverage-analysis": "all", "mutation-level": "Standard", "test-case-filter": "$f", "mutate": $mutate,
  "reporters": [ "json", "dots", "cleartext" ], "additional-timeout": 5000, "thresholds": { "high": 90, "low": 80, "break": 0 } } }
JSON
  start=$(date +%s)
  (cd tests/Properties && dotnet tool run dotnet-stryker -- -f "$config" -O "$root/mutation/$project-group$i") > "$root/mutation/$project-group$i.log" 2>&1 || true
  score=$(grep -oE "The final mutation score is [0-9.]+ ?%" "$root/mutation/$project-group$i.log" | tail -1 || true)
  echo "group $i (${groups[$((i - 1))]}): ${score:-no score, see mutation/$project-group$i.log} ($(( $(date +%s) - start )) s)"
done
