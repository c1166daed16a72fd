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
 * Built in two steps because the load balancers admit the hook's security group and the hook's
 * settings name the load balancers: construct it (security group), build the services, then
 * `addFunction` with their test listeners.
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

/** One service's test listener, as the function reads it from VERIFY_TARGETS. */
export interface VerificationTarget {
  /** CodeDeploy application and deployment group of the service. */
  readonly applicationName: string;
  readonly deploymentGroupName: string;
  /** `app/<name>/<id>`: the load balancer's network interfaces are described `ELB <suffix>`. */
  readonly loadBalancerArnSuffix: string;
  /** The load balancer's DNS name, sent as the Host header (and TLS server name). */
  readonly dnsName: string;
  /** HTTP or HTTPS, and the test listener's port. */
  readonly protocol: 'HTTP' | 'HTTPS';
  readonly port: number;
  /** The configured path (`release.verifyPath`). @default undefined (only `deploy --verify PATH`) */
  readonly path?: string;
  /** GETs before giving up. @default 10 */
  readonly tries?: number;
}

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
}

export class VerificationHook extends Construct {
  /** The function's security group: the test listeners admit it. */
  public readonly securityGroupId: string;
  /** The function's name (the AppSpec's AfterAllowTestTraffic hook); `addFunction` creates it. */
  public readonly functionName: string;

  private readonly props: VerificationHookProps;
  private readonly securityGroup: SecurityGroup;

  constructor(scope: Construct, id: string, props: VerificationHookProps) {
    super(scope, id);
    this.props = props;
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
      description: 'CodeDeploy and EC2 APIs, and HTTPS test listeners',
    });
  }

  /** Let the function reach one load balancer's test port (a plain-HTTP port needs its own egress rule). */
  public allowTestListener(id: string, loadBalancerSecurityGroupId: string, port: number): void {
    if (port === 443) return;
    new VpcSecurityGroupEgressRule(this, `egress-test-${id}`, {
      securityGroupId: this.securityGroup.id,
      referencedSecurityGroupId: loadBalancerSecurityGroupId,
      ipProtocol: 'tcp',
      fromPort: port,
      toPort: port,
      description: `Test listener of ${id}`,
    });
  }

  /** The function, its role and log group, verifying these services' test listeners. */
  public addFunction(targets: readonly VerificationTarget[]): LambdaFunction {
    const props = this.props;
    const logGroup = new CloudwatchLogGroup(this, 'log-group', { name: props.logGroupName, retentionInDays: props.logRetentionDays ?? 30 });
    const role = new IamRole(this, 'role', {
      name: props.name,
      description: `Verification hook ${props.name}: report CodeDeploy hook results, run in the VPC, write its log`,
      assumeRolePolicy: trustPolicy('lambda.amazonaws.com'),
    });
    // A local keeps the expression out of the policy JSON's quoting: `${local.…}`.
    const account = new TerraformLocal(this, 'account-id', Fn.element(Fn.split(':', role.arn), 4)).asString;
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
        { Sid: 'RunInTheVpc', Effect: 'Allow', Action: [...LAMBDA_VPC_NETWORK_INTERFACE_ACTIONS], Resource: ['*'] },
        { Sid: 'WriteThisLogGroup', Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: [`${logGroup.arn}:log-stream:*`] },
      ]),
    });
    const code = new TerraformAsset(this, 'code', { path: VERIFICATION_FUNCTION_SOURCE, type: AssetType.ARCHIVE });
    const settings = Object.fromEntries(
      targets.map((target) => [
        target.deploymentGroupName,
        {
          loadBalancerArnSuffix: target.loadBalancerArnSuffix,
          dnsName: target.dnsName,
          protocol: target.protocol,
          port: target.port,
          ...(target.path ? { path: target.path } : {}),
          tries: target.tries ?? 10,
        },
      ]),
    );
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
      // A JSON string with the names interpolated (`${aws_lb.….dns_name}`), not jsonencode(): plain
      // interpolation is what the offline drift self-check evaluates.
      environment: { variables: { VERIFY_TARGETS: JSON.stringify(settings) } },
      loggingConfig: { logFormat: 'Text', logGroup: logGroup.name },
      tags: { Name: props.name },
      // The role must hold its permissions (ENIs, logs) before Lambda checks them at creation.
      dependsOn: [policy, logGroup],
    });
    return fn;
  }
}
