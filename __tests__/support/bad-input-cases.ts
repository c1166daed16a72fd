/**
 * Every bad input the test suites try, in one list per suite, by class: the tests iterate these
 * lists, and docs/reliability-bad-input.md's table is rendered from them (a test fails when the
 * two disagree). "Nothing changed" is asserted for each: no AWS call at all where the input can
 * be judged from flags, variables, configuration and local files; otherwise reads only.
 *
 * Tokens in arguments and variables, filled in by the tests: `{tmp}` a fresh temporary directory
 * holding `a-file` (a plain file), `rendered/` (taskdef.json and appspec.yaml from an earlier
 * render) and, end to end, `aws-config` (an AWS config file whose profile `broken` has
 * `region = not a region;x`);
 * `{prodDeployment}` the id of a prod deployment waiting for approval (end to end).
 */
import { GetDeploymentCommand, GetDeploymentConfigCommand, GetDeploymentGroupCommand, ListDeploymentsCommand } from '@aws-sdk/client-codedeploy';
import { DescribeServicesCommand } from '@aws-sdk/client-ecs';
import { DescribeListenersCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { awsError, DIGEST, type World } from '../deploy/support/fake-aws';

export const INPUT_CLASSES = [
  'flags and values',
  'environment variables',
  'image',
  'deployment id',
  'local files',
  'stack and configuration',
  'credentials',
] as const;
export type InputClass = (typeof INPUT_CLASSES)[number];

export interface BadInputCase {
  readonly inputClass: InputClass;
  readonly title: string;
  readonly argv: readonly string[];
  /** Variables set for the run; `undefined` removes one the harness sets. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** The one line on stderr. */
  readonly expected: RegExp;
  /** `none`: not a single AWS call; `reads`: read-only calls, no mutating one. */
  readonly aws: 'none' | 'reads';
  /** Unit cases: changes to the fake AWS world before the run. */
  readonly setup?: (world: World) => void;
  /** Text the output must not contain anywhere (a secret). */
  readonly neverPrinted?: string;
}

const ECR = '123456789012.dkr.ecr.ap-northeast-1.amazonaws.com';
const SECRET_WEBHOOK = 'hooks.example.com/services/T000/B000/s3cr3t-t0k3n';

const notFound = (world: World) => world.codeDeploy.on(GetDeploymentCommand).rejects(awsError('DeploymentDoesNotExistException', 'The deployment d-BOGUS could not be found.'));
const devDeployment = (world: World) =>
  world.codeDeploy.on(GetDeploymentCommand).resolves({ deploymentInfo: { deploymentId: 'd-DEV000001', applicationName: 'shop-dev-web', deploymentGroupName: 'shop-dev-web', status: 'Ready' } });

/** Through scripts/main.ts in-process, AWS faked with aws-sdk-client-mock (__tests__/deploy/bad-input.test.ts). */
export const UNIT_CASES: readonly BadInputCase[] = [
  // flags and values
  { inputClass: 'flags and values', title: 'an unknown command', argv: ['deploi', '--env', 'prod'], expected: /^error: unknown command "deploi"; use one of: deploy, status/, aws: 'none' },
  { inputClass: 'flags and values', title: 'an unknown flag', argv: ['--env', 'prod', '--tag', 'v1', '--bogus'], expected: /^error: deploy: unknown flag --bogus; see npm run deploy -- deploy --help$/, aws: 'none' },
  { inputClass: 'flags and values', title: 'a flag without its value', argv: ['--tag', 'v1', '--env'], expected: /^error: deploy: flag --env needs a value/, aws: 'none' },
  { inputClass: 'flags and values', title: 'a flag followed by another flag instead of a value', argv: ['--env', '--tag', 'v1'], expected: /^error: deploy: flag --env needs a value/, aws: 'none' },
  { inputClass: 'flags and values', title: 'a stray word', argv: ['deploy', 'prod', '--env', 'prod', '--tag', 'v1'], expected: /^error: deploy: unexpected argument prod/, aws: 'none' },
  { inputClass: 'flags and values', title: 'the same flag twice with different values', argv: ['--env', 'prod', '--env', 'dev', '--tag', 'v1'], expected: /^error: deploy: --env is given more than once; pass it once$/, aws: 'none' },
  { inputClass: 'flags and values', title: 'the same flag twice with the same value', argv: ['stop', '--env', 'prod', '--service', 'web', '--service', 'web'], expected: /^error: stop: --service is given more than once; pass it once$/, aws: 'none' },
  { inputClass: 'flags and values', title: 'a boolean flag twice', argv: ['stop', '--env', 'prod', '--no-rollback', '--no-rollback'], expected: /^error: stop: --no-rollback is given more than once/, aws: 'none' },
  { inputClass: 'flags and values', title: 'a tag ending in a newline', argv: ['--env', 'prod', '--tag', 'v1.4.2\n'], expected: /^error: --tag holds a control character \(U\+000A, a newline\) at position 7; pass the value without it$/, aws: 'none' },
  { inputClass: 'flags and values', title: 'an environment name with a carriage return', argv: ['status', '--env', 'prod\r'], expected: /^error: --env holds a control character \(U\+000D\)/, aws: 'none' },
  { inputClass: 'flags and values', title: 'a description with a tab', argv: ['--env', 'prod', '--tag', 'v1', '--description', 'a\tb'], expected: /^error: --description holds a control character \(U\+0009\)/, aws: 'none' },
  { inputClass: 'flags and values', title: 'no --env', argv: ['--tag', 'v1'], expected: /^error: --env is required; use one of: dev, prod, preview$/, aws: 'none' },
  { inputClass: 'flags and values', title: 'an unknown environment', argv: ['--env', 'staging', '--tag', 'v1'], expected: /^error: unknown environment "staging"; use one of: dev, prod, preview$/, aws: 'none' },
  { inputClass: 'flags and values', title: 'an unknown service', argv: ['--env', 'prod', '--service', 'api', '--tag', 'v1'], expected: /^error: unknown service "api" in environment prod; use one of: web$/, aws: 'none' },
  { inputClass: 'flags and values', title: 'an empty service name', argv: ['--env', 'prod', '--service', 'web,', '--tag', 'v1'], expected: /^error: --service "web," has an empty name/, aws: 'none' },
  { inputClass: 'flags and values', title: '--all with --service', argv: ['--env', 'prod', '--all', '--service', 'web', '--tag', 'v1'], expected: /^error: --all and --service conflict/, aws: 'none' },
  { inputClass: 'flags and values', title: '--image with --tag', argv: ['--env', 'prod', '--image', `repo@${DIGEST}`, '--tag', 'v1'], expected: /^error: --image and --tag conflict; pass one of them$/, aws: 'none' },
  { inputClass: 'flags and values', title: '--all with --image', argv: ['--env', 'prod', '--all', '--image', `repo@${DIGEST}`], expected: /^error: --all and --image conflict/, aws: 'none' },
  { inputClass: 'flags and values', title: 'neither --image nor --tag', argv: ['--env', 'prod'], expected: /^error: pass --image URI or --tag TAG$/, aws: 'none' },
  { inputClass: 'flags and values', title: 'a timeout that is not a duration', argv: ['--env', 'prod', '--tag', 'v1', '--timeout', 'soon'], expected: /^error: --timeout "soon" is not a duration; use e.g. 90s, 30m or 1h30m$/, aws: 'none' },
  { inputClass: 'flags and values', title: 'a zero timeout', argv: ['--env', 'prod', '--tag', 'v1', '--timeout', '0s'], expected: /^error: --timeout must be longer than zero$/, aws: 'none' },
  { inputClass: 'flags and values', title: 'an unknown --if-active choice', argv: ['--env', 'prod', '--tag', 'v1', '--if-active', 'maybe'], expected: /^error: --if-active must be one of fail, wait, stop, not "maybe"$/, aws: 'none' },
  { inputClass: 'flags and values', title: 'a concurrency of zero', argv: ['--env', 'prod', '--tag', 'v1', '--concurrency', '0'], expected: /^error: --concurrency must be a whole number from 1 to 50, not "0"$/, aws: 'none' },
  { inputClass: 'flags and values', title: '--all with a concurrency over 50', argv: ['--env', 'preview', '--all', '--tag', 'v1', '--concurrency', '51'], expected: /^error: --concurrency must be a whole number from 1 to 50, not "51"$/, aws: 'none' },
  { inputClass: 'flags and values', title: '--all with a concurrency that is not a number', argv: ['--env', 'preview', '--all', '--tag', 'v1', '--concurrency', 'all'], expected: /^error: --concurrency must be a whole number from 1 to 50, not "all"$/, aws: 'none' },
  { inputClass: 'flags and values', title: '--all in an unknown environment', argv: ['--env', 'staging', '--all', '--tag', 'v1'], expected: /^error: unknown environment "staging"; use one of: dev, prod, preview$/, aws: 'none' },
  { inputClass: 'flags and values', title: '--all without --env', argv: ['--all', '--tag', 'v1'], expected: /^error: --env is required; use one of: dev, prod, preview$/, aws: 'none' },
  { inputClass: 'flags and values', title: "a deployment config that is not this service's", argv: ['--env', 'prod', '--tag', 'v1', '--deployment-config', 'CodeDeployDefault.AllAtOnce'], expected: /^error: --deployment-config "CodeDeployDefault.AllAtOnce" is not an ECS deployment config of this service; use one of: .*shop-prod-web-traffic-shift$/, aws: 'none' },
  { inputClass: 'flags and values', title: 'a deployment config on a rolling service', argv: ['--env', 'preview', '--service', 'web', '--tag', 'v1', '--deployment-config', 'CodeDeployDefault.ECSAllAtOnce'], expected: /^error: --deployment-config needs release.strategy "blue-green"/, aws: 'none' },
  { inputClass: 'flags and values', title: '--verify on a service without an approval wait', argv: ['--env', 'dev', '--tag', 'v1', '--verify', '/health'], expected: /^error: --verify needs a blue-green service with release.approvalWaitMinutes set/, aws: 'none' },
  { inputClass: 'flags and values', title: '--verify with a path not starting with a slash', argv: ['--env', 'prod', '--tag', 'v1', '--verify', 'health'], expected: /^error: --verify "health" must be a path starting with "\/"$/, aws: 'none' },
  { inputClass: 'flags and values', title: '--verify-tries without --verify', argv: ['--env', 'prod', '--tag', 'v1', '--verify-tries', '3'], expected: /^error: --verify-tries needs --verify PATH$/, aws: 'none' },
  { inputClass: 'flags and values', title: 'a --verify-base-url that is not a URL', argv: ['--env', 'prod', '--tag', 'v1', '--verify', '/h', '--verify-base-url', 'localhost'], expected: /^error: --verify-base-url "localhost" is not an http\(s\) URL$/, aws: 'none' },
  { inputClass: 'flags and values', title: 'a description over 100 characters', argv: ['--env', 'prod', '--tag', 'v1', '--description', 'x'.repeat(101)], expected: /^error: --description is over 100 characters/, aws: 'none' },
  { inputClass: 'flags and values', title: 'rollback --to another family', argv: ['rollback', '--env', 'prod', '--to', 'arn:aws:ecs:ap-northeast-1:123456789012:task-definition/other:3'], expected: /^error: --to .* is in family other, not shop-prod-web$/, aws: 'none' },
  { inputClass: 'flags and values', title: 'rollback --to garbage', argv: ['rollback', '--env', 'prod', '--to', 'yesterday'], expected: /^error: --to "yesterday" is neither a revision number nor a task definition ARN$/, aws: 'none' },
  { inputClass: 'flags and values', title: 'render without an image', argv: ['render', '--env', 'prod'], expected: /^error: pass --image URI or --tag TAG$/, aws: 'none' },
  { inputClass: 'flags and values', title: 'an unknown flag on approve', argv: ['approve', '--env', 'prod', '--force'], expected: /^error: approve: unknown flag --force/, aws: 'none' },

  // environment variables
  { inputClass: 'environment variables', title: 'AWS_REGION that is not a region', argv: ['--env', 'prod', '--tag', 'v1.4.2'], env: { AWS_REGION: 'not a region;x' }, expected: /^error: AWS_REGION "not a region;x" is not an AWS region code: set AWS_REGION=ap-northeast-1/, aws: 'none' },
  { inputClass: 'environment variables', title: "AWS_REGION other than the environment's", argv: ['--env', 'prod', '--tag', 'v1.4.2'], env: { AWS_REGION: 'us-east-1' }, expected: /^error: AWS_REGION us-east-1 differs from environment prod's region ap-northeast-1/, aws: 'none' },
  { inputClass: 'environment variables', title: "AWS_DEFAULT_REGION other than the environment's", argv: ['status', '--env', 'prod'], env: { AWS_DEFAULT_REGION: 'eu-west-1' }, expected: /^error: AWS_DEFAULT_REGION eu-west-1 differs from environment prod's region/, aws: 'none' },
  { inputClass: 'environment variables', title: 'AWS_PROFILE with a space', argv: ['status', '--env', 'prod'], env: { AWS_PROFILE: 'my profile' }, expected: /^error: AWS_PROFILE "my profile" is not a profile name/, aws: 'none' },
  { inputClass: 'environment variables', title: 'AWS_PROFILE and access keys both set', argv: ['status', '--env', 'prod'], env: { AWS_PROFILE: 'shop', AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 'x' }, expected: /^error: AWS_PROFILE and AWS_ACCESS_KEY_ID are both set, and the SDK would quietly prefer the profile: unset one of them$/, aws: 'none' },
  { inputClass: 'environment variables', title: 'AWS_ACCESS_KEY_ID without its secret', argv: ['status', '--env', 'prod'], env: { AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE' }, expected: /^error: AWS_ACCESS_KEY_ID is set without AWS_SECRET_ACCESS_KEY/, aws: 'none' },
  { inputClass: 'environment variables', title: 'a malformed AWS_ENDPOINT_URL', argv: ['--env', 'prod', '--tag', 'v1.4.2'], env: { AWS_ENDPOINT_URL: 'localhost:4566' }, expected: /^error: AWS_ENDPOINT_URL "localhost:4566" is not an http\(s\) URL/, aws: 'none' },
  { inputClass: 'environment variables', title: 'a per-service endpoint that is not http(s)', argv: ['status', '--env', 'prod'], env: { AWS_ENDPOINT_URL_CODEDEPLOY: 'ftp://127.0.0.1' }, expected: /^error: AWS_ENDPOINT_URL_CODEDEPLOY "ftp:\/\/127.0.0.1" is not an http\(s\) URL/, aws: 'none' },
  { inputClass: 'environment variables', title: 'ECS_BG_POLL_MS that is not a number', argv: ['status', '--env', 'prod'], env: { ECS_BG_POLL_MS: 'fast' }, expected: /^error: ECS_BG_POLL_MS "fast" must be a whole number from 1 to 600000/, aws: 'none' },
  { inputClass: 'environment variables', title: 'ECS_BG_MAX_ATTEMPTS of zero', argv: ['status', '--env', 'prod'], env: { ECS_BG_MAX_ATTEMPTS: '0' }, expected: /^error: ECS_BG_MAX_ATTEMPTS "0" must be a whole number from 1 to 20/, aws: 'none' },
  { inputClass: 'environment variables', title: 'a negative ECS_BG_REQUEST_TIMEOUT_MS', argv: ['status', '--env', 'prod'], env: { ECS_BG_REQUEST_TIMEOUT_MS: '-5' }, expected: /^error: ECS_BG_REQUEST_TIMEOUT_MS "-5" must be a whole number/, aws: 'none' },
  { inputClass: 'environment variables', title: 'ECS_BG_OFFLINE that is not a boolean', argv: ['status', '--env', 'prod'], env: { ECS_BG_OFFLINE: 'yes' }, expected: /^error: ECS_BG_OFFLINE "yes" must be 1, true, 0 or false$/, aws: 'none' },
  { inputClass: 'environment variables', title: 'a misspelt ECS_BG_ variable', argv: ['status', '--env', 'prod'], env: { ECS_BG_POLL: '100' }, expected: /^error: ECS_BG_POLL is not a variable the release tool reads \(a typo\?\)/, aws: 'none' },
  { inputClass: 'environment variables', title: 'a chat webhook that is not a URL (never echoed)', argv: ['--env', 'prod', '--tag', 'v1.4.2'], env: { CHAT_WEBHOOK_URL: SECRET_WEBHOOK }, expected: /^error: CHAT_WEBHOOK_URL is set but is not an http\(s\) URL \(its value is secret and not shown\)/, aws: 'none', neverPrinted: 's3cr3t-t0k3n' },

  // image
  { inputClass: 'image', title: 'the latest tag', argv: ['--env', 'prod', '--tag', 'latest'], expected: /^error: --tag "latest" is a mutable tag/, aws: 'none' },
  { inputClass: 'image', title: 'a branch alias in an image tag', argv: ['--env', 'prod', '--image', `${ECR}/shop-prod/web:main`], expected: /^error: --image tag "main" is a mutable tag/, aws: 'none' },
  { inputClass: 'image', title: 'a malformed image', argv: ['--env', 'prod', '--image', 'Shop/Web:v1'], expected: /^error: --image "Shop\/Web:v1" is malformed/, aws: 'none' },
  { inputClass: 'image', title: 'an image with neither tag nor digest', argv: ['--env', 'prod', '--image', 'ghcr.io/acme/web'], expected: /^error: --image "ghcr.io\/acme\/web" has neither tag nor digest/, aws: 'none' },
  { inputClass: 'image', title: 'a tag that is not a tag', argv: ['--env', 'prod', '--tag', 'v1/2'], expected: /^error: --tag "v1\/2" is not a valid image tag$/, aws: 'none' },
  { inputClass: 'image', title: "dev's repository released into prod", argv: ['--env', 'prod', '--image', `${ECR}/shop-dev/web@${DIGEST}`], expected: /^error: --image ".*" is in repository shop-dev\/web, but prod\/web pulls only from its own ECR repository shop-prod\/web in ap-northeast-1/, aws: 'none' },
  { inputClass: 'image', title: "this repository's name in another region", argv: ['--env', 'prod', '--image', `123456789012.dkr.ecr.us-east-1.amazonaws.com/shop-prod/web@${DIGEST}`], expected: /^error: --image ".*" is in region us-east-1, but prod\/web pulls only from/, aws: 'none' },
  { inputClass: 'image', title: 'another registry by an unchecked digest', argv: ['--env', 'prod', '--image', `ghcr.io/acme/web@${DIGEST}`], expected: /^error: --image ".*" is in registry ghcr.io, but prod\/web pulls only from/, aws: 'none' },
  { inputClass: 'image', title: 'render of an image from another registry', argv: ['render', '--env', 'prod', '--image', `ghcr.io/acme/web@${DIGEST}`, '--out', '{tmp}/new'], expected: /^error: --image ".*" is in registry ghcr.io/, aws: 'none' },
  { inputClass: 'image', title: 'a same-named repository in another account', argv: ['--env', 'prod', '--image', `210987654321.dkr.ecr.ap-northeast-1.amazonaws.com/shop-prod/web@${DIGEST}`], expected: /^error: --image ".*" is not in 123456789012\.dkr\.ecr\.ap-northeast-1\.amazonaws\.com\/shop-prod\/web, the repository prod\/web pulls from/, aws: 'reads' },
  { inputClass: 'image', title: 'a tag ECR does not have', argv: ['--env', 'prod', '--tag', 'v9.9.9'], expected: /^error: image shop-prod\/web:v9\.9\.9 not found in ECR: push it first/, aws: 'reads' },

  // deployment id
  { inputClass: 'deployment id', title: 'a deployment id of the wrong shape', argv: ['stop', '--env', 'prod', '--deployment-id', 'd-bogus'], expected: /^error: --deployment-id "d-bogus" is not a CodeDeploy deployment id/, aws: 'none' },
  { inputClass: 'deployment id', title: 'stop with a deployment id CodeDeploy does not know', argv: ['stop', '--env', 'prod', '--deployment-id', 'd-BOGUS'], expected: /^error: --deployment-id d-BOGUS: no such deployment in ap-northeast-1/, aws: 'reads', setup: notFound },
  { inputClass: 'deployment id', title: "approve with dev's deployment id under --env prod", argv: ['approve', '--env', 'prod', '--deployment-id', 'd-DEV000001'], expected: /^error: --deployment-id d-DEV000001 belongs to shop-dev-web\/shop-dev-web: it is not one of environment prod's deployments/, aws: 'reads', setup: devDeployment },
  { inputClass: 'deployment id', title: "finish with another environment's deployment id", argv: ['finish', '--env', 'prod', '--deployment-id', 'd-DEV000001'], expected: /^error: --deployment-id d-DEV000001 belongs to shop-dev-web\/shop-dev-web/, aws: 'reads', setup: devDeployment },
  { inputClass: 'deployment id', title: "stop with another environment's deployment id", argv: ['stop', '--env', 'prod', '--deployment-id', 'd-DEV000001'], expected: /^error: --deployment-id d-DEV000001 belongs to shop-dev-web\/shop-dev-web/, aws: 'reads', setup: devDeployment },
  { inputClass: 'deployment id', title: "wait with another environment's deployment id", argv: ['wait', '--env', 'prod', '--deployment-id', 'd-DEV000001'], expected: /^error: --deployment-id d-DEV000001 belongs to shop-dev-web\/shop-dev-web/, aws: 'reads', setup: devDeployment },
  { inputClass: 'deployment id', title: "a deployment id this environment's role may not read", argv: ['approve', '--env', 'prod', '--deployment-id', 'd-OTHER0001'], expected: /^error: --deployment-id d-OTHER0001 cannot be read with this environment's credentials: it is not one of environment prod's deployments/, aws: 'reads', setup: (world) => world.codeDeploy.on(GetDeploymentCommand).rejects(awsError('AccessDeniedException', 'not authorized')) },

  // local files
  { inputClass: 'local files', title: 'render --out onto a file', argv: ['render', '--env', 'prod', '--tag', 'v1.4.2', '--out', '{tmp}/a-file'], expected: /^error: --out .*\/a-file: .*\/a-file is a file, not a directory; choose another --out$/, aws: 'none' },
  { inputClass: 'local files', title: 'render --out under a file', argv: ['render', '--env', 'prod', '--tag', 'v1.4.2', '--out', '{tmp}/a-file/build'], expected: /^error: --out .*\/a-file\/build: .*\/a-file is a file, not a directory/, aws: 'none' },
  { inputClass: 'local files', title: 'render over files rendered before', argv: ['render', '--env', 'prod', '--tag', 'v1.4.2', '--out', '{tmp}/rendered'], expected: /^error: --out .*\/rendered already holds taskdef.json and appspec.yaml; nothing is overwritten: remove them or choose another --out$/, aws: 'none' },
  { inputClass: 'local files', title: 'render --out in /proc (an impossible path)', argv: ['render', '--env', 'prod', '--tag', 'v1.4.2', '--out', '/proc/1/build'], expected: /^error: --out \/proc\/1\/build: cannot write in \/proc\/1 \(ENOENT\); choose a writable directory$/, aws: 'none' },
  { inputClass: 'local files', title: 'render --out in a directory nobody may write in (sysfs)', argv: ['render', '--env', 'prod', '--tag', 'v1.4.2', '--out', '/sys/build'], expected: /^error: --out \/sys\/build: cannot write in \/sys \((EPERM|EACCES|EROFS)\); choose a writable directory$/, aws: 'none' },

  // stack and configuration
  { inputClass: 'stack and configuration', title: 'a service missing from the cluster', argv: ['--env', 'prod', '--tag', 'v1.4.2'], expected: /^error: service shop-prod-web not found in cluster shop-prod: run `npm run plan`\/`cdktf deploy` first$/, aws: 'reads', setup: (world) => world.ecs.on(DescribeServicesCommand).resolves({ services: [], failures: [{ reason: 'MISSING' }] }) },
  { inputClass: 'stack and configuration', title: 'a missing cluster', argv: ['--env', 'prod', '--tag', 'v1.4.2'], expected: /^error: cluster shop-prod not found in ap-northeast-1/, aws: 'reads', setup: (world) => world.ecs.on(DescribeServicesCommand).rejects(awsError('ClusterNotFoundException')) },
  { inputClass: 'stack and configuration', title: 'a service on the wrong deployment controller', argv: ['--env', 'prod', '--tag', 'v1.4.2'], expected: /^error: service shop-prod-web uses the ECS deployment controller but config says release.strategy "blue-green" \(needs CODE_DEPLOY\)/, aws: 'reads', setup: (world) => world.ecs.on(DescribeServicesCommand).resolves({ services: [{ ...world.service, deploymentController: { type: 'ECS' } }] }) },
  { inputClass: 'stack and configuration', title: 'a missing deployment group', argv: ['--env', 'prod', '--tag', 'v1.4.2'], expected: /^error: deployment group shop-prod-web not found in application shop-prod-web/, aws: 'reads', setup: (world) => world.codeDeploy.on(GetDeploymentGroupCommand).rejects(awsError('DeploymentGroupDoesNotExistException')) },
  { inputClass: 'stack and configuration', title: 'a production listener on another port than configured', argv: ['--env', 'prod', '--tag', 'v1.4.2'], expected: /^error: deployment group shop-prod-web's production listener is on port 81, config expects 443/, aws: 'reads', setup: (world) => world.elbv2.on(DescribeListenersCommand).resolves({ Listeners: [{ ListenerArn: 'listener/prod', Port: 81 }, { ListenerArn: 'listener/test', Port: 8443 }] }) },
  { inputClass: 'stack and configuration', title: 'a deployment config CodeDeploy does not have', argv: ['--env', 'prod', '--tag', 'v1.4.2', '--deployment-config', 'shop-prod-web-traffic-shift'], expected: /^error: --deployment-config shop-prod-web-traffic-shift does not exist in CodeDeploy/, aws: 'reads', setup: (world) => world.codeDeploy.on(GetDeploymentConfigCommand).rejects(awsError('DeploymentConfigDoesNotExistException')) },
  { inputClass: 'stack and configuration', title: 'an active deployment with --if-active fail', argv: ['--env', 'prod', '--tag', 'v1.4.2', '--if-active', 'fail'], expected: /already has an active deployment d-OLD/, aws: 'reads', setup: (world) => world.codeDeploy.on(ListDeploymentsCommand).resolves({ deployments: ['d-OLD'] }) },
  { inputClass: 'stack and configuration', title: 'approve on a rolling service', argv: ['approve', '--env', 'preview', '--service', 'web'], expected: /^error: preview\/web releases by rolling update: there is no approval or termination wait$/, aws: 'reads' },
  { inputClass: 'stack and configuration', title: 'approve with nothing running', argv: ['approve', '--env', 'prod'], expected: /^error: no active deployment in shop-prod-web: nothing to approve$/, aws: 'reads' },
  { inputClass: 'stack and configuration', title: 'stop with nothing running', argv: ['stop', '--env', 'prod'], expected: /^error: no active deployment in shop-prod-web: nothing to stop$/, aws: 'reads' },
  { inputClass: 'stack and configuration', title: 'rollback --to a revision that does not exist', argv: ['rollback', '--env', 'prod', '--to', '99'], expected: /^error: task definition shop-prod-web:99 not found: check --to$/, aws: 'reads' },

  // credentials
  { inputClass: 'credentials', title: 'missing credentials', argv: ['--env', 'prod', '--tag', 'v1.4.2'], expected: /^error: no AWS credentials: set AWS_PROFILE or AWS_ACCESS_KEY_ID\/AWS_SECRET_ACCESS_KEY$/, aws: 'reads', setup: (world) => world.ecs.on(DescribeServicesCommand).rejects(Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' })) },
];

/** Through the real CLI process and SDK against the emulator (__tests__/e2e/bad-input.test.ts); dev and prod are seeded. */
export const E2E_CASES: readonly BadInputCase[] = [
  { inputClass: 'flags and values', title: 'the same flag twice: --env prod --env dev', argv: ['deploy', '--env', 'prod', '--env', 'dev', '--tag', 'v1.1.0'], expected: /^error: deploy: --env is given more than once; pass it once$/, aws: 'none' },
  { inputClass: 'flags and values', title: 'a tag ending in a newline', argv: ['deploy', '--env', 'dev', '--tag', 'v1.1.0\n'], expected: /^error: --tag holds a control character \(U\+000A, a newline\)/, aws: 'none' },
  { inputClass: 'image', title: 'the latest tag', argv: ['deploy', '--env', 'dev', '--tag', 'latest'], expected: /--tag "latest" is a mutable tag: release a build-specific tag/, aws: 'none' },
  { inputClass: 'flags and values', title: 'an unknown environment', argv: ['deploy', '--env', 'staging', '--tag', 'v1.1.0'], expected: /unknown environment "staging"; use one of: dev, prod, preview/, aws: 'none' },
  { inputClass: 'image', title: 'an upper-case repository', argv: ['deploy', '--env', 'dev', '--image', `${ECR}/shop-dev/Web:v1.1.0`], expected: /--image ".*" is malformed: the repository must be lower-case/, aws: 'none' },
  { inputClass: 'image', title: 'a truncated digest', argv: ['deploy', '--env', 'dev', '--image', `${ECR}/shop-dev/web@sha256:1234`], expected: /--image ".*" is malformed: "sha256:1234" is not a sha256 digest/, aws: 'none' },
  { inputClass: 'image', title: 'an image with neither tag nor digest', argv: ['deploy', '--env', 'dev', '--image', `${ECR}/shop-dev/web`], expected: /has neither tag nor digest/, aws: 'none' },
  { inputClass: 'image', title: "dev's repository released into prod", argv: ['deploy', '--env', 'prod', '--image', `${ECR}/shop-dev/web@${DIGEST}`], expected: /^error: --image ".*" is in repository shop-dev\/web, but prod\/web pulls only from its own ECR repository shop-prod\/web/, aws: 'none' },
  { inputClass: 'image', title: 'another registry by an unchecked digest', argv: ['deploy', '--env', 'dev', '--image', `ghcr.io/acme/web@${DIGEST}`], expected: /^error: --image ".*" is in registry ghcr.io, but dev\/web pulls only from/, aws: 'none' },
  { inputClass: 'image', title: 'a tag missing from ECR', argv: ['deploy', '--env', 'dev', '--tag', 'v9.9.9'], expected: /^error: image shop-dev\/web:v9\.9\.9 not found in ECR: push it first, or check the tag$/, aws: 'reads' },
  { inputClass: 'flags and values', title: '--verify without an approval wait', argv: ['deploy', '--env', 'dev', '--tag', 'v1.1.0', '--verify', '/health'], expected: /--verify needs a blue-green service with release\.approvalWaitMinutes/, aws: 'none' },
  { inputClass: 'environment variables', title: 'AWS_REGION that is not a region', argv: ['deploy', '--env', 'dev', '--tag', 'v1.1.0'], env: { AWS_REGION: 'not a region;x' }, expected: /^error: AWS_REGION "not a region;x" is not an AWS region code: set AWS_REGION=ap-northeast-1/, aws: 'none' },
  { inputClass: 'environment variables', title: "AWS_REGION other than the environment's", argv: ['deploy', '--env', 'dev', '--tag', 'v1.1.0'], env: { AWS_REGION: 'us-east-1' }, expected: /AWS_REGION us-east-1 differs from environment dev's region ap-northeast-1/, aws: 'none' },
  { inputClass: 'environment variables', title: "a profile whose region is not a region", argv: ['status', '--env', 'dev'], env: { AWS_CONFIG_FILE: '{tmp}/aws-config', AWS_PROFILE: 'broken', AWS_REGION: undefined, AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined }, expected: /^error: the AWS region from AWS_REGION or the profile is unusable \(Region not accepted: .*\): set AWS_REGION=ap-northeast-1 or fix the profile's region$/, aws: 'none' },
  { inputClass: 'environment variables', title: 'a malformed AWS_ENDPOINT_URL', argv: ['deploy', '--env', 'dev', '--tag', 'v1.1.0'], env: { AWS_ENDPOINT_URL: 'http://' }, expected: /^error: AWS_ENDPOINT_URL "http:\/\/" is not an http\(s\) URL/, aws: 'none' },
  { inputClass: 'environment variables', title: 'TEST_FLEET without ECS_BG_OFFLINE (a synthetic fleet aimed at AWS)', argv: ['deploy', '--env', 'dev', '--all', '--tag', 'v1.1.0'], env: { TEST_FLEET: 'dev=50' }, expected: /^error: TEST_FLEET makes dev a synthetic fleet for the emulator and is honoured only offline \(ECS_BG_OFFLINE=1\); unset it$/, aws: 'none' },
  { inputClass: 'environment variables', title: 'a malformed TEST_FLEET', argv: ['deploy', '--env', 'dev', '--all', '--tag', 'v1.1.0'], env: { TEST_FLEET: 'dev:50', ECS_BG_OFFLINE: '1' }, expected: /^error: TEST_FLEET "dev:50" must be ENV=COUNT, e\.g\. dev=50/, aws: 'none' },
  { inputClass: 'environment variables', title: 'ECS_BG_MAX_ATTEMPTS that is not a number', argv: ['status', '--env', 'dev'], env: { ECS_BG_MAX_ATTEMPTS: 'many' }, expected: /^error: ECS_BG_MAX_ATTEMPTS "many" must be a whole number from 1 to 20/, aws: 'none' },
  { inputClass: 'environment variables', title: 'a chat webhook with credentials that is not a URL (never echoed)', argv: ['deploy', '--env', 'dev', '--tag', 'v1.1.0'], env: { CHAT_WEBHOOK_URL: 'user:p4ssw0rd@hooks.example.com/x' }, expected: /^error: CHAT_WEBHOOK_URL is set but is not an http\(s\) URL \(its value is secret and not shown\)/, aws: 'none', neverPrinted: 'p4ssw0rd' },
  { inputClass: 'deployment id', title: 'a deployment id of the wrong shape', argv: ['stop', '--env', 'dev', '--deployment-id', 'd-bogus'], expected: /^error: --deployment-id "d-bogus" is not a CodeDeploy deployment id/, aws: 'none' },
  { inputClass: 'deployment id', title: "approve --env dev with prod's deployment", argv: ['approve', '--env', 'dev', '--deployment-id', '{prodDeployment}'], expected: /^error: --deployment-id d-\w+ belongs to shop-prod-web\/shop-prod-web: it is not one of environment dev's deployments/, aws: 'reads' },
  { inputClass: 'deployment id', title: "stop --env dev with prod's deployment", argv: ['stop', '--env', 'dev', '--deployment-id', '{prodDeployment}'], expected: /^error: --deployment-id d-\w+ belongs to shop-prod-web\/shop-prod-web/, aws: 'reads' },
  { inputClass: 'local files', title: 'render over files rendered before', argv: ['render', '--env', 'dev', '--tag', 'v1.1.0', '--out', '{tmp}/rendered'], expected: /^error: --out .*\/rendered already holds taskdef.json and appspec.yaml; nothing is overwritten/, aws: 'none' },
  { inputClass: 'local files', title: 'render --out in /proc (an impossible path)', argv: ['render', '--env', 'dev', '--tag', 'v1.1.0', '--out', '/proc/self/build'], expected: /^error: --out \/proc\/self\/build: cannot write in \/proc\/self \(\w+\); choose a writable directory$/, aws: 'none' },
  { inputClass: 'local files', title: 'render --out onto a file', argv: ['render', '--env', 'dev', '--tag', 'v1.1.0', '--out', '{tmp}/a-file'], expected: /is a file, not a directory/, aws: 'none' },
];

function filled(text: string, tokens: Readonly<Record<string, string>>): string {
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => tokens[name] ?? whole);
}

/** `{tmp}` and the other tokens replaced. */
export function filledArgv(argv: readonly string[], tokens: Readonly<Record<string, string>>): string[] {
  return argv.map((arg) => filled(arg, tokens));
}

/** The case's variables with the tokens replaced. */
export function filledEnv(env: BadInputCase['env'], tokens: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(env ?? {}).flatMap(([name, value]) => (value === undefined ? [] : [[name, filled(value, tokens)]])));
}

/** A value as it appears in the table: shell-quoted when needed, control characters spelt out. */
function shellWord(word: string): string {
  if (/^[\w@%+=:,./{}-]+$/.test(word)) return word;
  if (/[\u0000-\u001f]/.test(word)) return `$'${word.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t').replace(/'/g, "\\'")}'`;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

function example(entry: BadInputCase): string {
  const unset = Object.entries(entry.env ?? {}).flatMap(([name, value]) => (value === undefined ? [name] : []));
  const variables = `${unset.length ? `env -u ${unset.join(' -u ')} ` : ''}${Object.entries(entry.env ?? {}).flatMap(([name, value]) => (value === undefined ? [] : [`${name}=${shellWord(value)} `])).join('')}`;
  const argv = entry.argv.map((word) => (word.length > 60 ? `${word.slice(0, 57)}…` : word));
  return `\`${`${variables}npm run deploy -- ${argv.map(shellWord).join(' ')}`.replace(/\|/g, '\\|').replace(/`/g, "'")}\``;
}

/** The asserted line, as a code span: the pattern's source, cut after 90 characters. */
function expectedLine(entry: BadInputCase): string {
  const source = entry.expected.source.length > 90 ? `${entry.expected.source.slice(0, 87)}…` : entry.expected.source;
  return `\`/${source.replace(/`/g, "'")}/\``.replace(/\|/g, '\\|');
}

function assertion(entry: BadInputCase): string {
  return `exit 2, one line ${expectedLine(entry)}; ${entry.aws === 'none' ? 'no AWS call' : 'reads only, no mutating call'}${entry.neverPrinted ? '; the secret never printed' : ''}`;
}

/** The table docs/reliability-bad-input.md carries: counts by class, then every case. */
export function badInputTable(): string {
  const suites = [
    ['unit (mocked AWS)', UNIT_CASES],
    ['end to end (CLI process, emulator)', E2E_CASES],
  ] as const;
  const counts = INPUT_CLASSES.map((inputClass) => {
    const [unit, e2e] = suites.map(([, cases]) => cases.filter((entry) => entry.inputClass === inputClass).length);
    return `| ${inputClass} | ${unit} | ${e2e} | ${unit + e2e} |`;
  });
  const total = UNIT_CASES.length + E2E_CASES.length;
  const rows = suites.flatMap(([suite, cases]) =>
    [...cases]
      .sort((a, b) => INPUT_CLASSES.indexOf(a.inputClass) - INPUT_CLASSES.indexOf(b.inputClass))
      .map((entry) => `| ${entry.inputClass} | ${entry.title.replace(/\|/g, '\\|')} | ${example(entry)} | ${assertion(entry)} | ${suite} |`),
  );
  return [
    '| Input class | Unit | End to end | Total |',
    '| --- | --- | --- | --- |',
    ...counts,
    `| **all** | ${UNIT_CASES.length} | ${E2E_CASES.length} | ${total} |`,
    '',
    '| Input class | Bad input | Example | Asserted result | Suite |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
}
