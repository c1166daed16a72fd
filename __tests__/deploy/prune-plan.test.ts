import type { Service } from '@aws-sdk/client-ecs';
import { liveRevisions } from '../../scripts/commands/prune';
import { keptLabel, planPrune } from '../../scripts/steps/prune-plan';

const rev = (n: number) => `arn:aws:ecs:ap-northeast-1:123456789012:task-definition/shop-dev-web:${n}`;
const newestFirst = (count: number) => Array.from({ length: count }, (_, i) => rev(count - i));

describe('which revisions prune deregisters', () => {
  it('keeps the live, the rollback target, the newest Terraform-owned and the newest N; deregisters the rest oldest first', () => {
    const plan = planPrune({ activeNewestFirst: newestFirst(10), live: [rev(10)], rollback: [rev(10), rev(8), rev(7)], terraformOwned: rev(3), keepNewest: 2 });
    expect(plan.kept.map(keptLabel)).toEqual([':10 (live, newest)', ':9 (newest)', ':8 (rollback)', ':7 (rollback)', ':3 (terraform)']);
    expect(plan.deregister).toEqual([rev(1), rev(2), rev(4), rev(5), rev(6)]);
  });

  it('keeps the revision `rollback` would choose even with --keep 0', () => {
    const plan = planPrune({ activeNewestFirst: newestFirst(5), live: [rev(5)], rollback: [rev(5), rev(4), rev(2)], terraformOwned: rev(1), keepNewest: 0 });
    expect(plan.kept.map(keptLabel)).toEqual([':5 (live)', ':4 (rollback)', ':1 (terraform)']);
    expect(plan.deregister).toEqual([rev(2), rev(3)]);
  });

  it('keeps both revisions of a service between task sets', () => {
    const plan = planPrune({ activeNewestFirst: newestFirst(4), live: [rev(4), rev(2)], rollback: [], terraformOwned: rev(1), keepNewest: 0 });
    expect(plan.deregister).toEqual([rev(3)]);
  });

  it('ignores kept revisions that are not ACTIVE any more', () => {
    const plan = planPrune({ activeNewestFirst: [rev(3), rev(2)], live: [rev(3)], rollback: [rev(1)], terraformOwned: rev(2), keepNewest: 0 });
    expect(plan.kept.map((entry) => entry.arn)).toEqual([rev(3), rev(2)]);
    expect(plan.deregister).toEqual([]);
  });

  it("reads the live revisions from the service, its task sets and its deployments", () => {
    const service: Service = { taskDefinition: rev(4), taskSets: [{ taskDefinition: rev(4) }, { taskDefinition: rev(3) }], deployments: [{ taskDefinition: rev(2) }] };
    expect(liveRevisions(service)).toEqual([rev(4), rev(3), rev(2)]);
  });
});
