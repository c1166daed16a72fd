/**
 * The control plane: JSON routes under `/_emulator/` that tests and the demo use to look inside
 * the emulated account and to inject faults. Not an AWS API; never reached by the SDK.
 *
 *   GET    /_emulator/state    full state dump (services, listeners, deployments, call log, …)
 *   GET    /_emulator/calls    the API call log
 *   GET    /_emulator/faults   active fault rules
 *   POST   /_emulator/faults   add rule(s): FaultInput or { rules: FaultInput[] }
 *   DELETE /_emulator/faults   remove every rule
 *   POST   /_emulator/images   add an image or mark one bad/good: ImageInput
 *   POST   /_emulator/alarm    trip the alarm of a deployment: AlarmInput
 *   POST   /_emulator/hooks    make a lifecycle hook fail: HookFailureInput
 *   POST   /_emulator/tasks    script what the next one-off tasks (RunTask) do: TaskScript or { scripts: TaskScript[] }
 *   POST   /_emulator/lifecycle run an ECR lifecycle policy over a repository now: LifecycleInput
 *   POST   /_emulator/reset    reseed from the configuration; clears faults, hooks and the log
 *   POST   /_emulator/verification  what the test listeners answer the verification hook: VerificationInput
 *   GET    /_emulator/verification  the verification hook functions' log lines
 *   GET    /_emulator/test-listener/<deployment group><path>  the emulated test listener the hook GETs
 */
import type { Emulator } from './emulator';
import type { FaultInput } from './faults';
import type { HookFailureRule, ImageRecord, TaskScript } from './model';
import { AwsError } from './protocol/errors';
import { pushImage } from './seed';
import { expiredImages, type LifecyclePolicy } from './simulation/ecr-lifecycle';
import { tripAlarm } from './services/codedeploy';
import { HOOK_EVENTS } from './simulation/codedeploy';
import { findImage, findRepositoryFor, parseImage } from './simulation/images';
import { checkScript } from './simulation/one-off-tasks';
import { TEST_LISTENER_ROUTE, type VerificationInput } from './verification-hook';

export interface ImageInput {
  /** Repository name (e.g. `shop-dev/web`), with `tag` or `digest`. */
  repository?: string;
  tag?: string;
  digest?: string;
  /** Or a full image reference: `<uri>:<tag>`, `<uri>@sha256:…`, or any other registry's image. */
  image?: string;
  /** Mark the image bad (its tasks never pass health checks) or good again. @default false for new images */
  bad?: boolean;
}

export interface AlarmInput {
  deploymentId?: string;
  applicationName?: string;
  deploymentGroupName?: string;
  /** Name reported in the error message. @default the group's first alarm */
  alarmName?: string;
}

export interface HookFailureInput {
  /** BeforeInstall, AfterInstall, AfterAllowTestTraffic, BeforeAllowTraffic or AfterAllowTraffic. */
  lifecycleEvent: string;
  /** Only deployments of this group. @default any */
  deploymentGroupName?: string;
  /** How many hook runs fail. @default 1 */
  times?: number;
}

export interface ImageResult {
  repository?: string;
  image: string;
  digest?: string;
  tags?: string[];
  bad: boolean;
}

/** Add an image to an emulated repository, or mark one (or any registry's reference) bad. */
export function putImage(emulator: Emulator, input: ImageInput): ImageResult {
  const { world } = emulator.sim;
  let repositoryName = input.repository;
  let tag = input.tag;
  let digest = input.digest;
  if (input.image) {
    const reference = parseImage(input.image);
    const repository = findRepositoryFor(world, reference);
    if (!repository) {
      // Another registry (the bootstrap image): only its reference can be marked.
      if (input.bad ?? true) world.badImageRefs.add(input.image);
      else world.badImageRefs.delete(input.image);
      return { image: input.image, bad: world.badImageRefs.has(input.image) };
    }
    repositoryName = repository.name;
    tag = reference.digest ? undefined : reference.tag;
    digest = reference.digest;
  }
  const repository = world.repositories.find((candidate) => candidate.name === repositoryName);
  if (!repository) throw new Error(`no emulated repository named ${String(repositoryName)}; have ${world.repositories.map((r) => r.name).join(', ')}`);
  let image: ImageRecord | undefined = findImage(repository, { tag: digest ? undefined : tag, digest });
  if (!image) {
    if (digest || !tag) throw new Error(`image ${digest ?? '(no tag)'} not found in ${repository.name}; give a tag to push a new image`);
    image = pushImage(repository, tag, emulator.sim.clock.now(), { bad: input.bad ?? false });
  } else if (input.bad !== undefined) {
    image.bad = input.bad;
  }
  return { repository: repository.name, image: `${repository.uri}@${image.digest}`, digest: image.digest, tags: [...image.tags], bad: image.bad };
}

export interface LifecycleInput {
  repository: string;
  /** The policy as ECR takes it: the parsed JSON, or the JSON text (as Terraform's `policy`). */
  policy: LifecyclePolicy | string;
}

/** Run an ECR lifecycle policy over a repository at the emulated now: expired images are deleted, as ECR's daily evaluation would. */
export function runLifecyclePolicy(emulator: Emulator, input: LifecycleInput): { expired: { digest: string; tags: string[] }[] } {
  const repository = emulator.sim.world.repositories.find((candidate) => candidate.name === input.repository);
  if (!repository) throw new Error(`no emulated repository named ${String(input.repository)}`);
  const policy = typeof input.policy === 'string' ? (JSON.parse(input.policy) as LifecyclePolicy) : input.policy;
  const expired = new Set(expiredImages(policy, repository.images, emulator.sim.clock.now()));
  repository.images = repository.images.filter((image) => !expired.has(image));
  return { expired: [...expired].map((image) => ({ digest: image.digest, tags: [...image.tags] })) };
}

export function addHookFailure(emulator: Emulator, input: HookFailureInput): HookFailureRule {
  if (!HOOK_EVENTS.includes(input.lifecycleEvent)) throw new Error(`lifecycleEvent must be one of ${HOOK_EVENTS.join(', ')}`);
  const times = input.times ?? 1;
  if (!Number.isInteger(times) || times < 1) throw new Error('times must be a positive integer');
  const rule: HookFailureRule = {
    id: `hook-failure-${emulator.sim.world.hookFailures.length + 1}-${input.lifecycleEvent}`,
    lifecycleEvent: input.lifecycleEvent,
    deploymentGroupName: input.deploymentGroupName,
    remaining: times,
  };
  emulator.sim.world.hookFailures.push(rule);
  return { ...rule };
}

/** Queue scripts for the next one-off tasks, in order; returns the whole queue. */
export function scriptTasks(emulator: Emulator, scripts: readonly TaskScript[]): TaskScript[] {
  scripts.forEach(checkScript);
  emulator.sim.world.taskScripts.push(...scripts.map((script) => ({ ...script })));
  return emulator.sim.world.taskScripts.map((script) => ({ ...script }));
}

export interface ControlResponse {
  status: number;
  body: unknown;
}

/** Route one control request. `body` is the parsed JSON body (or undefined). */
export function handleControl(emulator: Emulator, method: string, path: string, body: unknown): ControlResponse {
  const route = `${method} ${path.replace(/^\/_emulator/, '').replace(/\/$/, '') || '/'}`;
  const input = (body ?? {}) as Record<string, unknown>;
  if (method === 'GET' && path.startsWith(`${TEST_LISTENER_ROUTE}/`)) {
    const group = path.slice(TEST_LISTENER_ROUTE.length + 1).split('/')[0];
    const answer = emulator.verification.response(group);
    return { status: answer.status, body: answer.body };
  }
  try {
    switch (route) {
      case 'GET /':
      case 'GET /state':
        return { status: 200, body: emulator.state() };
      case 'GET /calls':
        return { status: 200, body: { calls: emulator.callLog() } };
      case 'GET /faults':
        return { status: 200, body: { faults: emulator.faults.list() } };
      case 'POST /faults': {
        const rules = Array.isArray(input.rules) ? (input.rules as FaultInput[]) : [input as unknown as FaultInput];
        return { status: 200, body: { faults: rules.map((rule) => emulator.addFault(rule)) } };
      }
      case 'DELETE /faults':
        emulator.clearFaults();
        return { status: 200, body: { faults: [] } };
      case 'POST /images':
        return { status: 200, body: { image: putImage(emulator, input as ImageInput) } };
      case 'POST /alarm': {
        emulator.sim.advance();
        const deployment = tripAlarm(emulator.sim, input as AlarmInput);
        return { status: 200, body: { deploymentId: deployment.id, status: deployment.status, rollbackInfo: deployment.rollbackInfo } };
      }
      case 'POST /hooks':
        return { status: 200, body: { hookFailure: addHookFailure(emulator, input as unknown as HookFailureInput) } };
      case 'POST /tasks': {
        const scripts = Array.isArray(input.scripts) ? (input.scripts as TaskScript[]) : [input as TaskScript];
        return { status: 200, body: { scripts: scriptTasks(emulator, scripts) } };
      }
      case 'POST /lifecycle':
        return { status: 200, body: runLifecyclePolicy(emulator, input as unknown as LifecycleInput) };
      case 'POST /verification':
        return { status: 200, body: { response: emulator.verification.setResponse(input as VerificationInput) } };
      case 'GET /verification':
        return { status: 200, body: { log: emulator.verification.logLines() } };
      case 'POST /reset':
        emulator.reset();
        return { status: 200, body: { reset: true } };
      default:
        return { status: 404, body: { error: `no control route ${route}; see emulator/control.ts` } };
    }
  } catch (error) {
    const message = error instanceof AwsError ? `${error.code}: ${error.message}` : (error as Error).message;
    return { status: 400, body: { error: message } };
  }
}
