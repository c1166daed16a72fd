/**
 * Every IAM action a release needs, in one place: the deploy role's policy is built from this
 * list (modules/github-identity.ts), and __tests__/deploy/permissions.test.ts checks it against
 * the AWS SDK commands in scripts/ and against the calls the end-to-end tests make.
 *
 * Resource scoping follows the Service Authorization Reference: an action whose table row names
 * no resource type must be granted on "*" (kind `account-wide`); every other action is granted
 * only on this environment's resources.
 */

/** What an action is granted on; modules/github-identity.ts turns each kind into ARNs. */
export type ReleaseResourceKind =
  /** `service/<cluster>/<service>` of each service. */
  | 'ecs-service'
  /** `task-definition/<family>:*`: every revision of each service's family. */
  | 'task-family'
  /** The same revisions, and only while RegisterTaskDefinition creates them with the release tags. */
  | 'task-family-at-registration'
  /** The same families' revisions, run only as tasks in this environment's cluster (condition `ecs:cluster`). */
  | 'task-family-in-cluster'
  /** `task/<cluster>/*`: tasks of this environment's cluster. */
  | 'ecs-task'
  /** `log-group:<group>:log-stream:*`: the streams of each service's log group. */
  | 'log-streams'
  /** `log-group:<group>` and `log-group:<group>:*`: the verification hook function's log group. */
  | 'verification-hook-log'
  /** `container-instance/<cluster>/*` with condition `ecs:cluster`: listing the tasks of this environment's cluster. */
  | 'ecs-task-list'
  /** The execution and task roles of each service, passed only to ECS tasks. */
  | 'task-roles'
  /** Each service's ECR repository. */
  | 'repository'
  /** Each blue-green service's CodeDeploy application. */
  | 'codedeploy-application'
  /** Each blue-green service's deployment group. */
  | 'deployment-group'
  /** The deployment configuration each blue-green deployment group uses, and the predefined ECS ones `--deployment-config` may choose. */
  | 'deployment-config'
  /** Application Auto Scaling targets of this environment's ECS services (the ARN ends in an opaque id, so tags and dimensions scope it). */
  | 'ecs-scalable-target'
  /** The same targets' tags, and of those only the release tool's suspension record. */
  | 'ecs-scalable-target-record'
  /** "*": the action supports no resource-level permissions. */
  | 'account-wide';

/** How the action gets exercised. */
export type ReleasePermissionSource =
  /** The release tool sends the SDK command of the same name. */
  | 'sdk'
  /** AWS authorizes it as part of another call the tool makes (a "dependent action"). */
  | 'implied'
  /** The release workflow's `docker push` (through `aws-actions/amazon-ecr-login`). */
  | 'push';

/** Which services of an environment need the action. */
export type NeededBy = 'every service' | 'blue-green' | 'rolling' | 'auto scaling' | 'verification hook';

export interface ReleasePermission {
  /** `service:Action` as IAM spells it. */
  readonly action: string;
  /** What it is granted on. */
  readonly resource: ReleaseResourceKind;
  /** How it is exercised. */
  readonly source: ReleasePermissionSource;
  /** Which services need it: environments without such services do not get it. */
  readonly neededBy: NeededBy;
  /** Why, in a sentence (docs/identity.md shows it). */
  readonly why: string;
}

export const RELEASE_PERMISSIONS: readonly ReleasePermission[] = [
  // ECS
  { action: 'ecs:DescribeServices', resource: 'ecs-service', source: 'sdk', neededBy: 'every service', why: 'check the service, its controller and load balancers, read its TerraformRevision tag (the base revision); follow a rolling update' },
  { action: 'ecs:UpdateService', resource: 'ecs-service', source: 'sdk', neededBy: 'rolling', why: 'start a rolling update with the new revision' },
  { action: 'ecs:ListTaskDefinitions', resource: 'account-wide', source: 'sdk', neededBy: 'every service', why: 'find the newest Terraform-owned revision of the family when the service has no TerraformRevision tag (stacks applied before it)' },
  { action: 'ecs:DescribeTaskDefinition', resource: 'account-wide', source: 'sdk', neededBy: 'every service', why: 'read the base revision and its tags' },
  { action: 'ecs:RegisterTaskDefinition', resource: 'task-family', source: 'sdk', neededBy: 'every service', why: 'register the release revision with the new image' },
  { action: 'ecs:TagResource', resource: 'task-family-at-registration', source: 'implied', neededBy: 'every service', why: 'RegisterTaskDefinition with tags (ReleasedBy, BaseRevision) is also authorized as ecs:TagResource' },
  { action: 'ecs:ListTasks', resource: 'ecs-task-list', source: 'sdk', neededBy: 'rolling', why: '`status`: the running tasks of a rolling service (workers), to read their scale-in protection' },
  { action: 'ecs:GetTaskProtection', resource: 'ecs-task', source: 'sdk', neededBy: 'rolling', why: '`status`: which tasks are scale-in protected, holding a rollout, and until when' },
  { action: 'ecs:DeregisterTaskDefinition', resource: 'account-wide', source: 'sdk', neededBy: 'every service', why: 'prune: deregister old revisions of the family (the Service Authorization Reference lists no resource type for it)' },
  { action: 'iam:PassRole', resource: 'task-roles', source: 'implied', neededBy: 'every service', why: 'the new revision names the task and execution roles, and RunTask starts a task with them' },
  { action: 'ecs:RunTask', resource: 'task-family-in-cluster', source: 'sdk', neededBy: 'every service', why: '`run` and `deploy --migrate`: start a one-off task of the service\'s revision in its cluster' },
  { action: 'ecs:DescribeTasks', resource: 'ecs-task', source: 'sdk', neededBy: 'every service', why: '`run` and `--migrate`: follow the one-off task to STOPPED and read its exit code' },
  { action: 'ecs:StopTask', resource: 'ecs-task', source: 'sdk', neededBy: 'every service', why: '`run` and `--migrate`: stop the one-off task on Ctrl-C or --timeout' },
  // CloudWatch Logs
  { action: 'logs:GetLogEvents', resource: 'log-streams', source: 'sdk', neededBy: 'every service', why: '`run` and `--migrate`: stream the one-off task\'s log lines' },
  { action: 'logs:FilterLogEvents', resource: 'verification-hook-log', source: 'sdk', neededBy: 'verification hook', why: 'a release the verification hook failed: read that deployment\'s checks from the function\'s log to show the failing response' },
  // ECR
  { action: 'ecr:DescribeRepositories', resource: 'repository', source: 'sdk', neededBy: 'every service', why: 'check the repository exists and uses immutable tags' },
  { action: 'ecr:DescribeImages', resource: 'repository', source: 'sdk', neededBy: 'every service', why: 'resolve the tag to a digest to pin the image' },
  { action: 'ecr:GetAuthorizationToken', resource: 'account-wide', source: 'push', neededBy: 'every service', why: 'docker login to the registry (the token is account-wide)' },
  { action: 'ecr:BatchCheckLayerAvailability', resource: 'repository', source: 'push', neededBy: 'every service', why: 'docker push: skip layers the repository has' },
  { action: 'ecr:InitiateLayerUpload', resource: 'repository', source: 'push', neededBy: 'every service', why: 'docker push: upload a layer' },
  { action: 'ecr:UploadLayerPart', resource: 'repository', source: 'push', neededBy: 'every service', why: 'docker push: upload a layer' },
  { action: 'ecr:CompleteLayerUpload', resource: 'repository', source: 'push', neededBy: 'every service', why: 'docker push: upload a layer' },
  { action: 'ecr:PutImage', resource: 'repository', source: 'push', neededBy: 'every service', why: 'docker push: write the manifest under the immutable tag' },
  { action: 'ecr:BatchGetImage', resource: 'repository', source: 'push', neededBy: 'every service', why: 'docker push: read an existing manifest' },
  // CodeDeploy
  { action: 'codedeploy:GetDeploymentGroup', resource: 'deployment-group', source: 'sdk', neededBy: 'blue-green', why: 'check the group wiring (service, target groups, listeners)' },
  { action: 'codedeploy:GetDeploymentConfig', resource: 'deployment-config', source: 'sdk', neededBy: 'blue-green', why: 'read the traffic shift; CreateDeployment also checks it' },
  { action: 'codedeploy:CreateDeployment', resource: 'deployment-group', source: 'sdk', neededBy: 'blue-green', why: 'start the blue/green deployment' },
  { action: 'codedeploy:RegisterApplicationRevision', resource: 'codedeploy-application', source: 'implied', neededBy: 'blue-green', why: 'CreateDeployment records the AppSpec as an application revision' },
  { action: 'codedeploy:GetApplicationRevision', resource: 'codedeploy-application', source: 'implied', neededBy: 'blue-green', why: 'CreateDeployment reads that revision back' },
  { action: 'codedeploy:GetDeployment', resource: 'deployment-group', source: 'sdk', neededBy: 'blue-green', why: 'follow the deployment' },
  { action: 'codedeploy:ListDeployments', resource: 'deployment-group', source: 'sdk', neededBy: 'blue-green', why: 'find an active deployment and the last successful one' },
  { action: 'codedeploy:ListDeploymentTargets', resource: 'account-wide', source: 'sdk', neededBy: 'blue-green', why: 'progress: the task sets of a deployment' },
  { action: 'codedeploy:BatchGetDeploymentTargets', resource: 'account-wide', source: 'sdk', neededBy: 'blue-green', why: 'progress: traffic weights and task counts' },
  { action: 'codedeploy:ContinueDeployment', resource: 'account-wide', source: 'sdk', neededBy: 'blue-green', why: 'approve (shift traffic) and finish (end the termination wait)' },
  { action: 'codedeploy:StopDeployment', resource: 'account-wide', source: 'sdk', neededBy: 'blue-green', why: 'stop with rollback on failure, timeout or Ctrl-C' },
  // Elastic Load Balancing: no Describe action has a resource type in IAM.
  { action: 'elasticloadbalancing:DescribeTargetGroups', resource: 'account-wide', source: 'sdk', neededBy: 'every service', why: 'check the target groups and show which one is live' },
  { action: 'elasticloadbalancing:DescribeListeners', resource: 'account-wide', source: 'sdk', neededBy: 'every service', why: 'check the listeners and read the traffic split' },
  { action: 'elasticloadbalancing:DescribeLoadBalancers', resource: 'account-wide', source: 'sdk', neededBy: 'blue-green', why: '--verify: the DNS name behind the test listener' },
  // Application Auto Scaling
  { action: 'application-autoscaling:DescribeScalableTargets', resource: 'account-wide', source: 'sdk', neededBy: 'blue-green', why: 'read the suspended state before a release' },
  { action: 'application-autoscaling:RegisterScalableTarget', resource: 'ecs-scalable-target', source: 'sdk', neededBy: 'auto scaling', why: 'suspend scaling during the release and restore it afterwards' },
  { action: 'application-autoscaling:TagResource', resource: 'ecs-scalable-target-record', source: 'sdk', neededBy: 'auto scaling', why: 'record the state to restore before suspending scaling, so no run can strand it' },
  { action: 'application-autoscaling:UntagResource', resource: 'ecs-scalable-target-record', source: 'sdk', neededBy: 'auto scaling', why: 'drop that record once scaling is restored' },
  { action: 'application-autoscaling:ListTagsForResource', resource: 'ecs-scalable-target-record', source: 'sdk', neededBy: 'auto scaling', why: 'read a record an earlier run left, and whether this run still holds the suspension' },
];

/** The IAM service prefix of each AWS SDK client package the release tool uses. */
export const IAM_PREFIX_BY_SDK_CLIENT: Readonly<Record<string, string>> = {
  '@aws-sdk/client-ecs': 'ecs',
  '@aws-sdk/client-ecr': 'ecr',
  '@aws-sdk/client-codedeploy': 'codedeploy',
  '@aws-sdk/client-elastic-load-balancing-v2': 'elasticloadbalancing',
  '@aws-sdk/client-application-auto-scaling': 'application-autoscaling',
  '@aws-sdk/client-cloudwatch-logs': 'logs',
};

/** The IAM action an SDK command class stands for: `DescribeServicesCommand` of client-ecs → `ecs:DescribeServices`. */
export function iamActionOfSdkCommand(clientPackage: string, commandClass: string): string | undefined {
  const prefix = IAM_PREFIX_BY_SDK_CLIENT[clientPackage];
  return prefix && commandClass.endsWith('Command') ? `${prefix}:${commandClass.slice(0, -'Command'.length)}` : undefined;
}
