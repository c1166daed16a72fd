/**
 * The IAM documents (and other size-limited strings) of synthesized stacks, measured as IAM counts them (characters, whitespace
 * not counted) once Terraform has put values in place of the expressions: every role's trust
 * policy, its inline policies together, and its managed policy attachments. The limits test
 * compares them with IAM's quotas at 100 services (docs/limits.md).
 *
 * An expression is replaced by the value AWS will store, built from the referenced resource's own
 * name (an ARN of the same shape); an expression the table does not know fails the measurement,
 * because guessing would hide a document that grows.
 */
import { iamPolicySize } from '../../modules/iam-policy';
import { objectAt, referenceTarget, resources, type Synthesized } from '../../policy/synthesized';

/** What IAM stores for one role, measured. */
export interface RoleDocuments {
  /** The role's name. */
  readonly role: string;
  /** Its trust policy's size. */
  readonly trust: number;
  /** Its inline policies' sizes together (IAM's quota is per role, not per policy). */
  readonly inline: number;
  /** How many inline policies it has. */
  readonly inlinePolicies: number;
  /** The managed policies attached to it. */
  readonly managedPolicies: readonly string[];
}

/** The account and region the values are built for: every account id has 12 digits. */
export interface Where {
  readonly partition: string;
  readonly region: string;
  readonly account: string;
}

/** The ARN AWS gives a resource of each type, from the resource's attributes. */
const ARN_OF_TYPE: Readonly<Record<string, (body: Record<string, any>, where: Where) => string>> = {
  aws_ecr_repository: (body, w) => `arn:${w.partition}:ecr:${w.region}:${w.account}:repository/${body.name}`,
  aws_cloudwatch_log_group: (body, w) => `arn:${w.partition}:logs:${w.region}:${w.account}:log-group:${body.name}`,
  aws_lambda_function: (body, w) => `arn:${w.partition}:lambda:${w.region}:${w.account}:function:${body.function_name}`,
  aws_iam_role: (body, w) => `arn:${w.partition}:iam::${w.account}:role/${body.name}`,
  aws_iam_openid_connect_provider: (_body, w) => `arn:${w.partition}:iam::${w.account}:oidc-provider/token.actions.githubusercontent.com`,
};

/** `text` with each `${…}` replaced by the value AWS stores; throws on an expression it cannot value. */
export function withValues(stack: Synthesized, text: string, where: Where): string {
  return text.replace(/\$\{([^{}]*)\}/g, (whole, expression: string) => {
    const local = /^local\.([\w-]+)$/.exec(expression);
    if (local) {
      const value = (stack as { locals?: Record<string, unknown> }).locals?.[local[1]];
      // The stack's locals hold the account id read from an ARN (element(split(":", …), 4)).
      if (typeof value === 'string' && /^\$\{element\(split\(":",/.test(value)) return where.account;
      throw new Error(`cannot value local.${local[1]} (${String(value)}); teach __tests__/support/iam-documents.ts`);
    }
    const target = referenceTarget(whole);
    const attribute = expression.split('.').pop();
    const body = target ? objectAt(stack, target) : undefined;
    const type = target?.split('.')[0];
    if (body && type && attribute === 'arn' && ARN_OF_TYPE[type]) return ARN_OF_TYPE[type](body, where);
    if (body && type === 'aws_iam_role' && (attribute === 'name' || attribute === 'id')) return String(body.name);
    // A load balancer's ARN ends in a 16-digit hex id; its DNS name adds a 10-digit number to its name.
    if (body && type === 'aws_lb' && attribute === 'arn_suffix') return `app/${body.name}/0123456789abcdef`;
    if (body && type === 'aws_lb' && attribute === 'dns_name') return `${body.internal ? 'internal-' : ''}${body.name}-1234567890.${where.region}.elb.amazonaws.com`;
    throw new Error(`cannot value \${${expression}} in an IAM document; teach __tests__/support/iam-documents.ts its value`);
  });
}

/** The role a policy or attachment names (`${aws_iam_role.x.id}`, `.name`, or a literal name). */
function roleNamed(stack: Synthesized, reference: string, where: Where): string {
  return withValues(stack, reference, where);
}

/** Every role of the stacks with its documents measured. */
export function roleDocuments(stacks: readonly Synthesized[], where: Where): RoleDocuments[] {
  return stacks.flatMap((stack) => {
    const policies = resources(stack, 'aws_iam_role_policy').map((policy) => ({ role: roleNamed(stack, policy.role, where), size: iamPolicySize(withValues(stack, policy.policy, where)) }));
    const attachments = resources(stack, 'aws_iam_role_policy_attachment').map((attachment) => ({ role: roleNamed(stack, attachment.role, where), arn: String(attachment.policy_arn) }));
    return resources(stack, 'aws_iam_role').map((role): RoleDocuments => {
      const own = policies.filter((policy) => policy.role === role.name);
      return {
        role: String(role.name),
        trust: iamPolicySize(withValues(stack, role.assume_role_policy, where)),
        inline: own.reduce((total, policy) => total + policy.size, 0),
        inlinePolicies: own.length,
        managedPolicies: attachments.filter((attachment) => attachment.role === role.name).map((attachment) => attachment.arn),
      };
    });
  });
}

/** Sizes of the customer managed policies (aws_iam_policy) of the stacks. */
export function managedPolicySizes(stacks: readonly Synthesized[], where: Where): { readonly name: string; readonly size: number }[] {
  return stacks.flatMap((stack) => resources(stack, 'aws_iam_policy').map((policy) => ({ name: String(policy.name), size: iamPolicySize(withValues(stack, policy.policy, where)) })));
}

/** The size in bytes of each Lambda function's environment variables, keys and values, as Lambda counts them (4 KB in all). */
export function lambdaEnvironmentSizes(stacks: readonly Synthesized[], where: Where): { readonly name: string; readonly size: number }[] {
  return stacks.flatMap((stack) =>
    resources(stack, 'aws_lambda_function').map((fn) => {
      const variables: Record<string, string> = fn.environment?.variables ?? {};
      const size = Object.entries(variables).reduce((total, [key, value]) => total + Buffer.byteLength(key) + Buffer.byteLength(withValues(stack, value, where)), 0);
      return { name: String(fn.function_name), size };
    }),
  );
}
