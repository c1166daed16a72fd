#!/usr/bin/env bash
# Plans an environment's stacks against their real state, in dependency order, for
# .github/workflows/infrastructure.yml (whose header says why it plans this way). Run from the
# repository root after `cdktf synth` (cdktf.out/stacks/<stack>/), with ENVIRONMENT and, for one
# service's stack only, SERVICE set:
#
#   tools/ci/plan-stacks.sh            # the shared stack first; the service stacks too unless it changes
#   tools/ci/plan-stacks.sh services   # every service stack (after the shared stack was applied)
#   tools/ci/plan-stacks.sh every      # every stack, shared first, to look at only (pull requests)
#
# Per stack with changes: the saved plan and the provider lock file in saved-plans/<stack>/, which
# the apply job applies and nothing else. Per stack planned: `terraform show -json` of the plan in
# plans/<stack>.json, or one line in plans/<stack>.failed, for tools/plan-comment.ts; the plan text
# in the log. Outputs (GITHUB_OUTPUT): shared=true|false (the shared stack changes), services="the
# service stacks with changes, in order", deferred=true when the service stacks were left for after
# the shared apply. Exits 1 when a plan failed, after planning the others.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
names() { "$ROOT/node_modules/.bin/tsx" "$ROOT/tools/names.ts" --env "$ENVIRONMENT" "$@"; }
mode="${1:-all}"
output="${GITHUB_OUTPUT:-/dev/null}"
mkdir -p plans saved-plans
failed=0
changed=()

# One stack: plan -out, the saved plan kept when it changes something.
plan_stack() {
  local stack="$1" dir="cdktf.out/stacks/$1" status=0
  terraform -chdir="$dir" init -input=false -no-color > "plans/$stack.init.txt" 2>&1 || status=$?
  if [ "$status" -eq 0 ]; then
    # -lock=false: a plan writes nothing; the apply takes the lock.
    terraform -chdir="$dir" plan -input=false -lock=false -detailed-exitcode -no-color -out=tfplan > "plans/$stack.txt" 2>&1 || status=$?
  fi
  if [ "$status" -ne 0 ] && [ "$status" -ne 2 ]; then
    cat "plans/$stack.init.txt" "plans/$stack.txt" 2> /dev/null || true
    echo "terraform plan failed (exit $status)" > "plans/$stack.failed"
    echo "::error::$stack: terraform plan failed (exit $status)"
    failed=1
    return
  fi
  cat "plans/$stack.txt"
  terraform -chdir="$dir" show -json tfplan > "plans/$stack.json"
  if [ "$status" -eq 2 ]; then
    changed+=("$stack")
    mkdir -p "saved-plans/$stack"
    cp "$dir/tfplan" "$dir/.terraform.lock.hcl" "saved-plans/$stack/"
    echo "$stack: changes, plan saved in saved-plans/$stack/tfplan"
  else
    echo "$stack: no changes"
  fi
}

shared="$(names stack)"
if [ -n "${SERVICE:-}" ]; then
  services=("$(names --service "$SERVICE" serviceStack)")
else
  all="$(names stacks)"
  mapfile -t services < <(printf '%s\n' "$all" | grep -vx "$shared" || true)
fi

shared_changed=false
deferred=false
case "$mode" in
  all | every | services) ;;
  *) echo "usage: tools/ci/plan-stacks.sh [services | every]" >&2; exit 2 ;;
esac
if [ "$mode" != services ] && [ -z "${SERVICE:-}" ]; then
  plan_stack "$shared"
  if [ "${#changed[@]}" -gt 0 ]; then shared_changed=true; fi
fi
if [ "$shared_changed" = true ] && [ "$mode" = all ]; then
  # The service stacks read the shared stack's outputs: planned now, they would carry the values
  # the shared apply is about to change. They are planned after it (the replan job).
  deferred=true
  echo "$shared changes: the ${#services[@]} service stack(s) are planned after it is applied"
else
  for stack in "${services[@]}"; do plan_stack "$stack"; done
fi

changed_services=()
for stack in "${changed[@]+"${changed[@]}"}"; do
  if [ "$stack" != "$shared" ]; then changed_services+=("$stack"); fi
done
{
  echo "shared=$shared_changed"
  echo "services=${changed_services[*]+"${changed_services[*]}"}"
  echo "deferred=$deferred"
} >> "$output"
exit "$failed"
