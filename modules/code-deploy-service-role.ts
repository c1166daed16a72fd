/**
 * The IAM role CodeDeploy assumes to run ECS blue/green releases: one per environment, shared by
 * the deployment groups of its services.
 */
import { Construct } from 'constructs';
import type { ITerraformDependable } from 'cdktf';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { managedPolicyArn, policyDocument, trustPolicy } from './iam-policy';

export interface CodeDeployServiceRoleProps {
  /** Role name. */
  readonly name: string;
  /** Region, for the ARN partition of the managed policy. */
  readonly region: string;
}

export class CodeDeployServiceRole extends Construct {
  /** Role ARN, for deployment groups. */
  public readonly roleArn: string;
  /** Role name, for inline policies. */
  public readonly roleName: string;
  /** The role's permissions: CodeDeploy checks them when a deployment group is created. */
  public readonly permissions: ITerraformDependable;

  constructor(scope: Construct, id: string, props: CodeDeployServiceRoleProps) {
    super(scope, id);
    const role = new IamRole(this, 'role', {
      name: props.name,
      description: 'CodeDeploy: shift traffic between ECS task sets during releases',
      assumeRolePolicy: trustPolicy('codedeploy.amazonaws.com'),
    });
    // AWS's managed policy for exactly this job (see ALLOWED_MANAGED_POLICIES).
    this.permissions = new IamRolePolicyAttachment(this, 'codedeploy-for-ecs', {
      role: role.name,
      policyArn: managedPolicyArn(props.region, 'AWSCodeDeployRoleForECS'),
    });
    this.roleArn = role.arn;
    this.roleName = role.name;
  }

  /**
   * Let CodeDeploy invoke one lifecycle hook function (the environment's verification hook). The
   * managed policy covers only functions named `CodeDeployHook_*`; this names the one function.
   */
  public allowInvoke(functionArn: string): void {
    new IamRolePolicy(this, 'invoke-verification-hook', {
      name: 'invoke-verification-hook',
      role: this.roleName,
      policy: policyDocument([{ Sid: 'InvokeTheVerificationHook', Effect: 'Allow', Action: ['lambda:InvokeFunction'], Resource: [functionArn] }]),
    });
  }
}
