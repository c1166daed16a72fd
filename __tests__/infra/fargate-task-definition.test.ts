import { RELEASE_TAG_KEY } from '../../config';
import { FargateTaskDefinition, type FargateTaskDefinitionProps } from '../../modules/fargate-task-definition';
import { ignoreChanges, only, resources, synthConstructs } from './support';

function build(props: Partial<FargateTaskDefinitionProps> = {}) {
  return synthConstructs((scope) => {
    new FargateTaskDefinition(scope, 'task', {
      family: 'shop-test-web',
      containerName: 'app',
      image: 'public.ecr.aws/nginx/nginx:1.27-alpine',
      containerPort: 80,
      logGroupName: '/ecs/shop-test/web',
      region: 'ap-northeast-1',
      repositoryArn: 'arn:aws:ecr:ap-northeast-1:123456789012:repository/shop-test/web',
      executionRoleName: 'shop-test-web-execution',
      taskRoleName: 'shop-test-web-task',
      ...props,
    });
  });
}

const containerOf = (synthesized: ReturnType<typeof build>) => JSON.parse(only(synthesized, 'aws_ecs_task_definition').container_definitions)[0];
const settingsOf = (synthesized: ReturnType<typeof build>) => only(synthesized, 'terraform_data').input;
const statementsOf = (synthesized: ReturnType<typeof build>) => JSON.parse(only(synthesized, 'aws_iam_role_policy').policy).Statement;

describe('FargateTaskDefinition', () => {
  const synthesized = build({
    cpu: 512,
    memory: 1024,
    cpuArchitecture: 'ARM64',
    environmentVariables: { ZONE: 'z', APP_MODE: 'test' },
    stopTimeoutSeconds: 20,
    logRetentionDays: 14,
  });

  it('registers a Fargate awsvpc revision in the configured family, size and architecture', () => {
    expect(only(synthesized, 'aws_ecs_task_definition')).toMatchObject({
      family: 'shop-test-web',
      requires_compatibilities: ['FARGATE'],
      network_mode: 'awsvpc',
      cpu: '512',
      memory: '1024',
      runtime_platform: { operating_system_family: 'LINUX', cpu_architecture: 'ARM64' },
      skip_destroy: true,
    });
  });

  it('describes one essential container with its port, sorted environment, logs and stop timeout', () => {
    expect(containerOf(synthesized)).toEqual({
      name: 'app',
      image: 'public.ecr.aws/nginx/nginx:1.27-alpine',
      essential: true,
      portMappings: [{ containerPort: 80, protocol: 'tcp' }],
      environment: [
        { name: 'APP_MODE', value: 'test' },
        { name: 'ZONE', value: 'z' },
      ],
      secrets: [],
      logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': '/ecs/shop-test/web', 'awslogs-region': 'ap-northeast-1', 'awslogs-stream-prefix': 'app' } },
      stopTimeout: 20,
      readonlyRootFilesystem: false,
    });
  });

  it('ignores container definition drift from releases but is replaced when the container settings change', () => {
    const definition = only(synthesized, 'aws_ecs_task_definition');
    const trigger = only(synthesized, 'terraform_data');
    expect(ignoreChanges(definition)).toEqual(['container_definitions']);
    expect(definition.lifecycle.replace_triggered_by).toEqual([`terraform_data.${trigger.__id}`]);
  });

  it('leaves the image out of the replacement trigger, so only setting changes register a new revision', () => {
    const base = settingsOf(build());
    expect(JSON.parse(base.container).image).toBeUndefined();
    expect(settingsOf(build({ image: 'public.ecr.aws/nginx/nginx:1.28-alpine' }))).toEqual(base);
    expect(settingsOf(build({ environmentVariables: { FEATURE: 'on' } }))).not.toEqual(base);
    expect(settingsOf(build({ containerPort: 8080 }))).not.toEqual(base);
  });

  it('is registered only once the execution role can pull and log', () => {
    expect(only(synthesized, 'aws_ecs_task_definition').depends_on).toEqual([expect.stringMatching(/^aws_iam_role_policy\./)]);
  });

  it('keeps logs for the configured retention', () => {
    expect(only(synthesized, 'aws_cloudwatch_log_group')).toMatchObject({ name: '/ecs/shop-test/web', retention_in_days: 14 });
  });

  it('lets the execution role pull from its own repository and write its own log group only', () => {
    const statements = statementsOf(synthesized);
    expect(statements).toEqual([
      { Sid: 'EcrLoginIsAccountWide', Effect: 'Allow', Action: ['ecr:GetAuthorizationToken'], Resource: ['*'] },
      expect.objectContaining({ Resource: ['arn:aws:ecr:ap-northeast-1:123456789012:repository/shop-test/web'] }),
      expect.objectContaining({ Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: [expect.stringMatching(/aws_cloudwatch_log_group\..*\.arn\}:log-stream:\*$/)] }),
    ]);
  });

  it('lets the execution role read exactly the configured secrets', () => {
    const statements = statementsOf(
      build({
        secrets: {
          DB_PASSWORD: 'arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:db-AbCdEf:password::',
          API_KEY: 'arn:aws:ssm:ap-northeast-1:123456789012:parameter/api/key',
        },
      }),
    );
    expect(statements).toContainEqual({ Sid: 'ReadConfiguredParameters', Effect: 'Allow', Action: ['ssm:GetParameters'], Resource: ['arn:aws:ssm:ap-northeast-1:123456789012:parameter/api/key'] });
    expect(statements).toContainEqual({ Sid: 'ReadConfiguredSecrets', Effect: 'Allow', Action: ['secretsmanager:GetSecretValue'], Resource: ['arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:db-AbCdEf'] });
  });

  it('gives the task role a trust policy for ECS tasks and no permissions', () => {
    const roles = resources(synthesized, 'aws_iam_role');
    expect(roles.map((role) => role.name).sort()).toEqual(['shop-test-web-execution', 'shop-test-web-task']);
    for (const role of roles) expect(JSON.parse(role.assume_role_policy).Statement[0].Principal).toEqual({ Service: 'ecs-tasks.amazonaws.com' });
    expect(resources(synthesized, 'aws_iam_role_policy')).toHaveLength(1);
    expect(resources(synthesized, 'aws_iam_role_policy_attachment')).toHaveLength(0);
  });

  it(`never carries the ${RELEASE_TAG_KEY} tag that marks release revisions`, () => {
    expect(only(synthesized, 'aws_ecs_task_definition').tags?.[RELEASE_TAG_KEY]).toBeUndefined();
  });
});
