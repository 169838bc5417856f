#!/usr/bin/env bash
# The DfE-community SSDA903 validator (../shared/tools/validate903) on the
# return exported from generated native histories (issue 17): for several
# seeds and sizes and the collection years 2023-24 and 2024-25 (and 2024-25
# beside 2023-24 as its previous year, which turns on the rules that compare
# years), no error but the stand-in postcode rules the validator lists apart;
# and `export 903 --check` finds nothing missing in the same histories, so
# the check and the validator agree on a complete return.
#   validate903_generated.sh CARELOG VALIDATE903
set -euo pipefail
carelog="$1"
validate="$2"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
fail=0
for spec in 7:150 11:300 23:600; do
  seed="${spec%%:*}" children="${spec##*:}"
  dir="$work/s$seed"
  mkdir -p "$dir"
  # Ends well after 31 March 2025, so both years are complete.
  "$carelog" gen --children "$children" --years 6 --seed "$seed" --end 2025-09-30 > "$dir/g.ndjson"
  "$carelog" import --store "$dir/store" "$dir/g.ndjson" > /dev/null
  for year in 2023 2024; do
    "$carelog" export 903 --store "$dir/store" --year "$year" --out "$dir/e$year"
    last=()
    [ "$year" = 2024 ] && last=(--last "$dir/e2023")
    for with_last in no yes; do
      [ "$with_last" = yes ] && [ "${#last[@]}" -eq 0 ] && continue
      args=("$dir/e$year" --year "$year")
      [ "$with_last" = yes ] && args+=("${last[@]}")
      if ! out="$("$validate" "${args[@]}" 2>&1)"; then
        echo "FAIL: seed $seed, $children children, $year-$(( (year + 1) % 100 )) (previous year: $with_last):"
        echo "$out"
        fail=1
      else
        echo "ok: seed $seed, $children children, $year (previous year: $with_last): ${out##*$'\n'}"
      fi
    done
    if ! check="$("$carelog" export 903 --store "$dir/store" --year "$year" --check)"; then
      echo "FAIL: export 903 --check, seed $seed, $year:"
      echo "$check" | tail -20
      fail=1
    fi
  done
done
exit "$fail"
