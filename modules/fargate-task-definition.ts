/**
 * The Fargate task definition Terraform owns, with its log group and the two IAM roles.
 *
 * Terraform registers the first revision (with the bootstrap image) and a new one whenever the
 * container settings change in IaC. Releases register their own revisions on top of the newest
 * Terraform-owned one, changing only the image, and tag them `ReleasedBy` (config/names.ts).
 */
import { Construct } from 'constructs';
import { DataResource } from 'cdktf';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { EcsTaskDefinition } from '@cdktf/provider-aws/lib/ecs-task-definition';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { ECR_LOGIN_ACTION, policyDocument, trustPolicy, type PolicyStatement } from './iam-policy';

export interface FargateTaskDefinitionProps {
  /** Task definition family. */
  readonly family: string;
  /** Name of the container that receives traffic. */
  readonly containerName: string;
  /** Image of the first revision; releases replace it. */
  readonly image: string;
  /** Port the container listens on. */
  readonly containerPort: number;
  /** Fargate CPU units. @default 256 */
  readonly cpu?: number;
  /** Fargate memory (MiB). @default 512 */
  readonly memory?: number;
  /** CPU architecture of the image. @default 'X86_64' */
  readonly cpuArchitecture?: 'X86_64' | 'ARM64';
  /** Plain environment variables. @default {} */
  readonly environmentVariables?: Readonly<Record<string, string>>;
  /** Secrets injected as variables: name → SSM parameter or Secrets Manager ARN. @default {} */
  readonly secrets?: Readonly<Record<string, string>>;
  /** Seconds between SIGTERM and SIGKILL. @default 30 */
  readonly stopTimeoutSeconds?: number;
  /** CloudWatch log group of the container. */
  readonly logGroupName: string;
  /** Days the log group keeps events. @default 30 */
  readonly logRetentionDays?: number;
  /** Region of the log group (the awslogs driver needs it). */
  readonly region: string;
  /** ECR repository the execution role may pull from. */
  readonly repositoryArn: string;
  /** Name of the execution role (image pulls, logs, secrets). */
  readonly executionRoleName: string;
  /** Name of the task role (the application's own permissions; none by default). */
  readonly taskRoleName: string;
}

/** The ECS container definition, built in one place for the task definition and its change trigger. */
function containerDefinition(props: FargateTaskDefinitionProps) {
  const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);
  return {
    name: props.containerName,
    image: props.image,
    essential: true,
    portMappings: [{ containerPort: props.containerPort, protocol: 'tcp' }],
    environment: Object.entries(props.environmentVariables ?? {}).map(([name, value]) => ({ name, value })).sort(byName),
    secrets: Object.entries(props.secrets ?? {}).map(([name, valueFrom]) => ({ name, valueFrom })).sort(byName),
    logConfiguration: {
      logDriver: 'awslogs',
      options: {
        'awslogs-group': props.logGroupName,
        'awslogs-region': props.region,
        'awslogs-stream-prefix': props.containerName,
      },
    },
    stopTimeout: props.stopTimeoutSeconds ?? 30,
    readonlyRootFilesystem: false,
  };
}

/** Execution-role statements for reading the configured secrets, scoped to their ARNs. */
function secretStatements(secrets: Readonly<Record<string, string>>): PolicyStatement[] {
  const arns = Object.values(secrets);
  const parameters = arns.filter((arn) => arn.split(':')[2] === 'ssm');
  // A Secrets Manager reference may end in ":json-key:version-stage:version-id"; IAM wants the secret ARN.
  const secretArns = arns.filter((arn) => arn.split(':')[2] === 'secretsmanager').map((arn) => arn.split(':').slice(0, 7).join(':'));
  const unique = (values: string[]) => [...new Set(values)].sort();
  const statements: PolicyStatement[] = [];
  if (parameters.length > 0) {
    statements.push({ Sid: 'ReadConfiguredParameters', Effect: 'Allow', Action: ['ssm:GetParameters'], Resource: unique(parameters) });
  }
  if (secretArns.length > 0) {
    statements.push({ Sid: 'ReadConfiguredSecrets', Effect: 'Allow', Action: ['secretsmanager:GetSecretValue'], Resource: unique(secretArns) });
  }
  return statements;
}

export class FargateTaskDefinition extends Construct {
  /** ARN (with revision) of the newest Terraform-owned revision. */
  public readonly taskDefinitionArn: string;
  /** Task definition family. */
  public readonly family: string;
  /** Name of the container that receives traffic. */
  public readonly containerName: string;
  /** Log group name. */
  public readonly logGroupName: string;
  /** Execution role ARN. */
  public readonly executionRoleArn: string;
  /** Task role: attach the application's permissions to it. */
  public readonly taskRoleName: string;
  /** Task role ARN. */
  public readonly taskRoleArn: string;

  constructor(scope: Construct, id: string, props: FargateTaskDefinitionProps) {
    super(scope, id);
    const logGroup = new CloudwatchLogGroup(this, 'log-group', {
      name: props.logGroupName,
      retentionInDays: props.logRetentionDays ?? 30,
    });

    const executionRole = new IamRole(this, 'execution-role', {
      name: props.executionRoleName,
      description: `ECS agent for ${props.family}: pull the image, write logs, read configured secrets`,
      assumeRolePolicy: trustPolicy('ecs-tasks.amazonaws.com'),
    });
    const executionPolicy = new IamRolePolicy(this, 'execution-policy', {
      name: 'pull-log-read-secrets',
      role: executionRole.id,
      policy: policyDocument([
        { Sid: 'EcrLoginIsAccountWide', Effect: 'Allow', Action: [ECR_LOGIN_ACTION], Resource: ['*'] },
        {
          Sid: 'PullFromThisRepository',
          Effect: 'Allow',
          Action: ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
          Resource: [props.repositoryArn],
        },
        {
          Sid: 'WriteThisLogGroup',
          Effect: 'Allow',
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          Resource: [`${logGroup.arn}:log-stream:*`],
        },
        ...secretStatements(props.secrets ?? {}),
      ]),
    });

    const taskRole = new IamRole(this, 'task-role', {
      name: props.taskRoleName,
      description: `Application permissions of ${props.family} (none by default)`,
      assumeRolePolicy: trustPolicy('ecs-tasks.amazonaws.com'),
    });

    const container = containerDefinition(props);
    const { image: _releasedImage, ...settingsWithoutImage } = container;
    // Everything in the container definition except the image, which releases own. When this
    // changes in IaC, the task definition below is replaced: a new Terraform-owned revision that
    // the next release builds on.
    const containerSettings = new DataResource(this, 'container-settings', {
      input: { container: JSON.stringify(settingsWithoutImage) },
    });

    const taskDefinition = new EcsTaskDefinition(this, 'task-definition', {
      family: props.family,
      requiresCompatibilities: ['FARGATE'],
      networkMode: 'awsvpc',
      cpu: String(props.cpu ?? 256),
      memory: String(props.memory ?? 512),
      runtimePlatform: { operatingSystemFamily: 'LINUX', cpuArchitecture: props.cpuArchitecture ?? 'X86_64' },
      executionRoleArn: executionRole.arn,
      taskRoleArn: taskRole.arn,
      containerDefinitions: JSON.stringify([container]),
      // The service starts tasks as soon as the revision exists; they need the pull and log permissions by then.
      dependsOn: [executionPolicy],
      // Old revisions stay registered when Terraform replaces this one: rollbacks run them.
      skipDestroy: true,
      lifecycle: {
        // The image belongs to releases, which register their own revisions with a new one;
        // Terraform's revision keeps the bootstrap image, and changing only that image must not
        // register a revision. Real setting changes arrive through replace_triggered_by instead.
        ignoreChanges: ['container_definitions'],
        // A bare address: cdktf would wrap a construct reference in "${...}", which Terraform's
        // JSON syntax rejects inside replace_triggered_by.
        replaceTriggeredBy: [`${DataResource.tfResourceType}.${containerSettings.friendlyUniqueId}`],
      },
    });

    this.taskDefinitionArn = taskDefinition.arn;
    this.family = props.family;
    this.containerName = props.containerName;
    this.logGroupName = logGroup.name;
    this.executionRoleArn = executionRole.arn;
    this.taskRoleName = taskRole.name;
    this.taskRoleArn = taskRole.arn;
  }
}
