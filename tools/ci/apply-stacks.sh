#!/usr/bin/env bash
# Applies the saved plans in saved-plans/<stack>/ (tools/ci/plan-stacks.sh), one stack at a time in
# the order given (dependency order: the shared stack before the service stacks), for
# .github/workflows/infrastructure.yml. Each stack applies exactly the plan that was shown for
# approval: `terraform init` with that plan's provider lock file, read-only, then `apply tfplan`,
# which Terraform refuses if the stack's state moved on since the plan. Run from the repository
# root after `cdktf synth` of the same commit:
#
#   tools/ci/apply-stacks.sh shop-prod-web shop-prod-worker
#
# Stops at the first failure and names the stacks it did not apply.
set -euo pipefail

remaining=("$@")
report() {
  if [ "${#remaining[@]}" -gt 0 ]; then echo "::error::not applied: ${remaining[*]} (run the workflow again to plan them afresh)"; fi
}
trap report EXIT

for stack in "$@"; do
  dir="cdktf.out/stacks/$stack"
  if [ ! -f "saved-plans/$stack/tfplan" ]; then
    echo "::error::$stack: no saved plan in saved-plans/$stack/"
    exit 1
  fi
  cp "saved-plans/$stack/tfplan" "saved-plans/$stack/.terraform.lock.hcl" "$dir/"
  terraform -chdir="$dir" init -input=false -lockfile=readonly -no-color
  terraform -chdir="$dir" apply -input=false -no-color tfplan
  echo "$stack: applied"
  remaining=("${remaining[@]:1}")
done
