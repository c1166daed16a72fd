/** Small `terraform show -json` documents shaped like Terraform 1.11's, for the pure parts of the tools. */
import type { Change, PlanJson, ResourceChange } from '../../tools/terraform/plan-json';

export function resourceChange(address: string, change: Partial<Change> & Pick<Change, 'actions'>, extra: Partial<ResourceChange> = {}): ResourceChange {
  const [type, name] = address.split('.');
  return {
    address,
    mode: 'managed',
    type,
    name,
    provider_name: 'registry.terraform.io/hashicorp/aws',
    change: { before: null, after: null, ...change },
    ...extra,
  };
}

export function plan(parts: Partial<PlanJson> = {}): PlanJson {
  return {
    format_version: '1.2',
    planned_values: { root_module: { resources: [] } },
    prior_state: { values: { root_module: { resources: [{}] } } },
    ...parts,
  };
}

export const TARGET_GROUP = 'aws_lb_target_group.web_blue';
export const SERVICE = 'aws_ecs_service.web_service';
export const TASK_DEFINITION = 'aws_ecs_task_definition.web_task';

/** The service's ignore_changes as the stack synthesizes them. */
export const SYNTHESIZED = {
  resource: {
    aws_ecs_service: { web_service: { lifecycle: { ignore_changes: ['task_definition', 'load_balancer', 'desired_count'] } } },
    aws_lb_listener: { web_production: { lifecycle: { ignore_changes: ['default_action'] } } },
    aws_lb_target_group: { web_blue: { name: 'shop-dev-web-blue' } },
  },
};
