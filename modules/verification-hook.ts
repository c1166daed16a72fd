/**
 * The environment's verification hook: a Lambda function in the VPC that CodeDeploy runs at
 * AfterAllowTestTraffic to GET a path on the test listener before production traffic moves
 * (functions/verify-test-listener/index.js; the choice and its criteria: docs/releases.md).
 *
 * It runs in the task subnets with a security group of its own, which each service's load
 * balancer admits on the test port (and nothing else does by default), so the test listener is
 * never opened to the internet. Its result decides the deployment inside CodeDeploy: a release
 * runner that dies cannot let an unverified version go live.
 *
 * One function per environment, in the shared stack, and it reads nothing from the services'
 * stacks: its settings (VERIFY_TARGETS) come from configuration and names (load balancer name,
 * test port and protocol, path), and the function looks up the load balancer's DNS name and private
 * addresses when it runs. The services' stacks admit its security group on their test listeners
 * and add its way out to them (VerificationHookEgress); so a service stack reads the hook, never
 * the other way round, and a change to one service plans only that service's stack.
 */
import { Construct } from 'constructs';
import { AssetType, Fn, TerraformAsset, TerraformLocal } from 'cdktf';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { VpcSecurityGroupEgressRule } from '@cdktf/provider-aws/lib/vpc-security-group-egress-rule';
import { anyServiceNames, ENVIRONMENT_TAG_KEY, VERIFICATION_FUNCTION_SOURCE, type EnvironmentConfig } from '../config';
import { HOOK_RESULT_ACTION, LAMBDA_VPC_NETWORK_INTERFACE_ACTIONS, partitionOf, policyDocument, trustPolicy } from './iam-policy';

/** The Node.js runtime the function runs on (it provides the AWS SDK v3 clients the code uses). */
export const VERIFICATION_FUNCTION_RUNTIME = 'nodejs22.x';
/** Seconds the function may run: 10 tries of at most 5 s each, 3 s apart, with room to spare. */
export const VERIFICATION_FUNCTION_TIMEOUT_SECONDS = 120;

export interface VerificationHookProps {
  /** Name of the function, its role and its security group. */
  readonly name: string;
  /** The function's log group (Lambda writes to `/aws/lambda/<function>`). */
  readonly logGroupName: string;
  /** Days the log keeps the verification results. @default 30 */
  readonly logRetentionDays?: number;
  /** Region, for ARNs. */
  readonly region: string;
  /**
   * The environment whose deployment groups the function reports on: its role names them by the
   * naming pattern (config/names.ts `anyServiceNames`) and their Environment tag, one statement
   * the same size for any number of services.
   */
  readonly environment: Pick<EnvironmentConfig, 'app' | 'environment'>;
  /** The VPC and the subnets the function runs in (the tasks' subnets, which reach AWS APIs). */
  readonly vpcId: string;
  readonly subnetIds: string[];
  /** What to verify, as the function's VERIFY_TARGETS variable (config `verificationTargetsVariable`). */
  readonly targetsVariable: string;
}

export class VerificationHook extends Construct {
  /** The function's security group: the test listeners admit it. */
  public readonly securityGroupId: string;
  /** The function's name (the AppSpec's AfterAllowTestTraffic hook). */
  public readonly functionName: string;
  /** The function CodeDeploy invokes. */
  public readonly function: LambdaFunction;

  private readonly securityGroup: SecurityGroup;

  constructor(scope: Construct, id: string, props: VerificationHookProps) {
    super(scope, id);
    this.functionName = props.name;
    this.securityGroup = new SecurityGroup(this, 'security-group', {
      name: props.name,
      description: `Verification hook ${props.name}: reaches the test listeners and AWS APIs only`,
      vpcId: props.vpcId,
      tags: { Name: props.name },
    });
    this.securityGroupId = this.securityGroup.id;
    // AWS APIs (CodeDeploy, EC2) are HTTPS; a test listener may be plain HTTP (see allowTestListener).
    new VpcSecurityGroupEgressRule(this, 'egress-https', {
      securityGroupId: this.securityGroup.id,
      cidrIpv4: '0.0.0.0/0',
      ipProtocol: 'tcp',
      fromPort: 443,
      toPort: 443,
      description: 'CodeDeploy, EC2 and ELB APIs, and HTTPS test listeners',
    });
    this.function = this.addFunction(props);
  }

  /** The function, its role and log group. */
  private addFunction(props: VerificationHookProps): LambdaFunction {
    const logGroup = new CloudwatchLogGroup(this, 'log-group', { name: props.logGroupName, retentionInDays: props.logRetentionDays ?? 30 });
    const role = new IamRole(this, 'role', {
      name: props.name,
      description: `Verification hook ${props.name}: report CodeDeploy hook results, run in the VPC, write its log`,
      assumeRolePolicy: trustPolicy('lambda.amazonaws.com'),
    });
    // A local keeps the expression out of the policy JSON's quoting: `${local.…}`.
    const account = new TerraformLocal(this, 'account-id', Fn.element(Fn.split(':', role.arn), 4)).asString;
    // A name pattern and the Environment tag, not a list: the policy stays the same size, and the
    // same, as services come and go.
    const any = anyServiceNames(props.environment);
    const groups = `arn:${partitionOf(props.region)}:codedeploy:${props.region}:${account}:deploymentgroup:${any.codeDeployApplication}/${any.deploymentGroup}`;
    const policy = new IamRolePolicy(this, 'policy', {
      name: 'verify-and-report',
      role: role.id,
      policy: policyDocument([
        {
          // GetDeployment: which service (deployment group) and path.
          Sid: 'ReadDeploymentsOfThisEnvironment',
          Effect: 'Allow',
          Action: ['codedeploy:GetDeployment'],
          Resource: [groups],
          Condition: { StringEquals: { [`aws:ResourceTag/${ENVIRONMENT_TAG_KEY}`]: props.environment.environment } },
        },
        // The hook's result. The Service Authorization Reference lists no resource type for
        // PutLifecycleEventHookExecutionStatus: a statement naming deployment groups would never
        // match it, so it is granted on "*" (the call names the deployment and its hook execution id).
        { Sid: 'ReportHookResults', Effect: 'Allow', Action: [HOOK_RESULT_ACTION], Resource: ['*'] },
        // The test listener's load balancer, by the name in VERIFY_TARGETS: its DNS name (the Host
        // header) and ARN suffix (its network interfaces). Describe calls have no resource-level
        // permissions (Service Authorization Reference, Elastic Load Balancing V2).
        { Sid: 'FindTheTestListenersLoadBalancer', Effect: 'Allow', Action: ['elasticloadbalancing:DescribeLoadBalancers'], Resource: ['*'] },
        { Sid: 'RunInTheVpc', Effect: 'Allow', Action: [...LAMBDA_VPC_NETWORK_INTERFACE_ACTIONS], Resource: ['*'] },
        { Sid: 'WriteThisLogGroup', Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: [`${logGroup.arn}:log-stream:*`] },
      ]),
    });
    const code = new TerraformAsset(this, 'code', { path: VERIFICATION_FUNCTION_SOURCE, type: AssetType.ARCHIVE });
    const fn = new LambdaFunction(this, 'function', {
      functionName: props.name,
      description: 'CodeDeploy AfterAllowTestTraffic: GET the release path on the test listener, report Succeeded or Failed',
      role: role.arn,
      runtime: VERIFICATION_FUNCTION_RUNTIME,
      handler: 'index.handler',
      // The archive's path carries its content hash, so a code change is a new filename.
      filename: code.path,
      timeout: VERIFICATION_FUNCTION_TIMEOUT_SECONDS,
      memorySize: 128,
      vpcConfig: { subnetIds: props.subnetIds, securityGroupIds: [this.securityGroup.id] },
      environment: { variables: { VERIFY_TARGETS: props.targetsVariable } },
      loggingConfig: { logFormat: 'Text', logGroup: logGroup.name },
      tags: { Name: props.name },
      // The role must hold its permissions (ENIs, logs) before Lambda checks them at creation.
      dependsOn: [policy, logGroup],
    });
    return fn;
  }
}
