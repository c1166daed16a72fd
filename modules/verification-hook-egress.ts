/**
 * The verification hook's way out to one service's test listener, created in the service's own
 * stack: the hook (modules/verification-hook.ts) lives in the shared stack, which never reads a
 * service stack, so the rule naming the load balancer's security group belongs to the service.
 *
 * Give it the id `verification-hook` at the root of the service stack: its rule then has the
 * construct path, and so the Terraform address, it had when the hook and the services shared one
 * stack (`verification-hook/egress-test-<service>`).
 */
import { Construct } from 'constructs';
import { VpcSecurityGroupEgressRule } from '@cdktf/provider-aws/lib/vpc-security-group-egress-rule';

export interface VerificationHookEgressProps {
  /** The hook's security group (VerificationHook.securityGroupId). */
  readonly hookSecurityGroupId: string;
  /** The service, for the rule's id and description. */
  readonly service: string;
  /** The service load balancer's security group and its test listener's port. */
  readonly loadBalancerSecurityGroupId: string;
  readonly testListenerPort: number;
}

export class VerificationHookEgress extends Construct {
  constructor(scope: Construct, id: string, props: VerificationHookEgressProps) {
    super(scope, id);
    // Port 443 is covered by the hook's own HTTPS egress (AWS APIs); any other port needs a rule.
    if (props.testListenerPort === 443) return;
    new VpcSecurityGroupEgressRule(this, `egress-test-${props.service}`, {
      securityGroupId: props.hookSecurityGroupId,
      referencedSecurityGroupId: props.loadBalancerSecurityGroupId,
      ipProtocol: 'tcp',
      fromPort: props.testListenerPort,
      toPort: props.testListenerPort,
      description: `Test listener of ${props.service}`,
    });
  }
}
