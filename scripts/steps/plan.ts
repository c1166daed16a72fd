/**
 * Plan a release: every read-only check and lookup, in order, ending with exactly what would be
 * registered and deployed. `deploy`, `deploy --dry-run` and `render` share this one path, so a
 * dry run shows what the real run does and stops before its first mutating call.
 */
import type { RegisterTaskDefinitionCommandInput, Service } from '@aws-sdk/client-ecs';
import { BadInputError } from '../cli/errors';
import type { Context } from '../context';
import { buildAppSpec, primaryTaskSet, type AppSpec } from './appspec';
import { readScalingTarget, type ScalingTarget } from './auto-scaling';
import { chooseBaseRevision, describeTaskDefinition, type BaseRevision } from './base-revision';
import { findContainer, withImage } from './container-definitions';
import { findActiveDeployment } from './deployment-state';
import { checkImageForTarget, resolveImage, type ImageRequest, type ResolvedImage } from './image';
import {
  checkController,
  checkDeploymentConfigName,
  checkDeploymentGroup,
  describeLiveService,
  runningTaskDefinition,
  verifyDeploymentConfig,
  type DeploymentGroupCheck,
} from './preflight';
import { readsInOrder } from './reads-in-order';
import { registrationInput, revisionContent, sameRevisionContent } from './register-revision';
import type { ReleaseTarget } from './target';
import { verifyBaseUrl, type VerifyRequest } from './verify';
import { hookVerification, releaseHooks, type HookVerification } from './verification-hook';

export interface ReleaseRequest extends ImageRequest {
  readonly deploymentConfig?: string;
  readonly verify?: VerifyRequest;
}

export interface ReleasePlan {
  readonly target: ReleaseTarget;
  readonly service: Service;
  /** Blue/green only. */
  readonly group?: DeploymentGroupCheck;
  readonly image: ResolvedImage;
  readonly base: BaseRevision;
  readonly registration: RegisterTaskDefinitionCommandInput;
  readonly runningArn?: string;
  /** The service already runs a revision with these containers and settings. */
  readonly alreadyRunning: boolean;
  /** Blue/green: the deployment running in the group now, if any. */
  readonly activeDeploymentId?: string;
  /** The scalable target now, with a suspension a release left behind (undefined: the service does not scale). */
  readonly scaling?: ScalingTarget;
  /** `--verify --verify-base-url` (or no verification hook): the URL this run checks on the test listener. */
  readonly verifyUrl?: string;
  /** `release.verifyPath` or `--verify`: the environment's verification hook checks the test listener. */
  readonly verificationHook?: HookVerification;
}

/** Checks that need no AWS call: they fail before any request is sent. */
export function checkRequestOffline(target: ReleaseTarget, request: ReleaseRequest): void {
  if (request.image !== undefined) checkImageForTarget(request.image, target);
  if (request.deploymentConfig !== undefined) {
    if (target.strategy !== 'blue-green') throw new BadInputError(`--deployment-config needs release.strategy "blue-green"; ${target.names.service} is rolling`);
    checkDeploymentConfigName(target, request.deploymentConfig);
  }
  if (request.verify && !hookVerification(target, request.verify)) {
    if (target.strategy !== 'blue-green' || target.service.release.approvalWaitMinutes === undefined) {
      throw new BadInputError(`--verify needs a blue-green service with release.approvalWaitMinutes set (traffic waits while the test listener is checked); ${target.names.service} has none`);
    }
  }
  if (request.verify && !request.verify.path.startsWith('/')) throw new BadInputError(`--verify "${request.verify.path}" must be a path starting with "/"`);
}

/** The AppSpec with the new revision's ARN, or a placeholder while it is not registered yet. */
export function planAppSpec(plan: ReleasePlan, taskDefinitionArn: string): AppSpec {
  return buildAppSpec(plan.service, taskDefinitionArn, releaseHooks(plan.target, plan.verificationHook));
}

/** Blue/green wiring: the deployment group and its listeners, `--deployment-config`, the `--verify` URL. */
async function checkBlueGreenWiring(context: Context, target: ReleaseTarget, request: ReleaseRequest): Promise<{ group: DeploymentGroupCheck; verifyUrl?: string }> {
  const [group] = await readsInOrder([
    checkDeploymentGroup(context, target),
    request.deploymentConfig ? verifyDeploymentConfig(context, request.deploymentConfig) : undefined,
  ]);
  if (!request.verify || hookVerification(target, request.verify)) return { group };
  if (group.approvalWaitMinutes === undefined) {
    throw new BadInputError(`--verify needs deployment group ${target.names.deploymentGroup} to wait for approval (STOP_DEPLOYMENT ready option); apply the stack (\`cdktf deploy\`)`);
  }
  return { group, verifyUrl: `${await verifyBaseUrl(context, group.test, request.verify)}${request.verify.path}` };
}

/** The container CodeDeploy routes traffic to must be the configured one. */
function checkLiveContainer(service: Service, target: ReleaseTarget): void {
  const live = (primaryTaskSet(service)?.loadBalancers ?? service.loadBalancers)?.[0]?.containerName;
  if (live && live !== target.service.containerName) {
    throw new BadInputError(`service ${target.names.service} routes traffic to container "${live}" but config says "${target.service.containerName}": align containerName in config/environments.ts or apply the stack`);
  }
}

export async function planRelease(context: Context, target: ReleaseTarget, request: ReleaseRequest): Promise<ReleasePlan> {
  checkRequestOffline(target, request);
  const blueGreen = target.strategy === 'blue-green';
  // Every read here is independent of the others, so they all go out at once; the results are
  // judged in the order of the checks (service, wiring, container, image, base revision, ...).
  const liveService = describeLiveService(context, target).then((service) => {
    checkController(service, target);
    return service;
  });
  const [service, wiring, , image, base, activeDeploymentId, scaling] = await readsInOrder([
    liveService,
    blueGreen ? checkBlueGreenWiring(context, target, request) : undefined,
    blueGreen ? liveService.then((live) => checkLiveContainer(live, target)) : undefined,
    resolveImage(context, target, request),
    liveService.then((live) => chooseBaseRevision(context, target, live)),
    blueGreen ? findActiveDeployment(context, target) : undefined,
    blueGreen ? readScalingTarget(context, target) : undefined,
  ]);

  const containerName = target.service.containerName;
  const containers = base.taskDefinition.containerDefinitions ?? [];
  findContainer(containers, containerName, `base revision ${base.arn}`);
  const content = revisionContent(base.taskDefinition, withImage(containers, containerName, image.uri));

  const runningArn = runningTaskDefinition(service);
  let alreadyRunning = false;
  if (runningArn) {
    // Choosing the base described the running revision too (with the tag, or on the scan): no second read.
    const running = base.described.get(runningArn) ?? (await describeTaskDefinition(context, runningArn));
    alreadyRunning = sameRevisionContent(revisionContent(running.taskDefinition, running.taskDefinition.containerDefinitions ?? []), content);
  }
  return {
    target,
    service,
    group: wiring?.group,
    image,
    base,
    registration: registrationInput(content, base.arn),
    runningArn,
    alreadyRunning,
    activeDeploymentId,
    scaling,
    verifyUrl: wiring?.verifyUrl,
    verificationHook: blueGreen ? hookVerification(target, request.verify) : undefined,
  };
}
