/**
 * Local AWS endpoint emulator for ECS, CodeDeploy (ECS blue/green), ECR, ELBv2 and Application
 * Auto Scaling, speaking the real wire protocols so the real AWS SDK v3 clients talk to it.
 *
 *   const aws = await startEmulator({ environments: [loadEnvironment('dev')] });
 *   const ecs = new ECSClient({ endpoint: aws.url, region: aws.region, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
 *   …
 *   await aws.close();
 *
 * Or run it standalone: `npm run emulator` (emulator/server.ts). See emulator/README.md.
 */
export { startEmulator, Emulator, DEFAULT_TIME_SCALE, DEFAULT_ACCOUNT_ID, type EmulatorHandle, type EmulatorOptions } from './emulator';
export { seedFromEnvironment, DEFAULT_IMAGE_TAGS, type SeedOptions } from './seed';
export type { FaultInput, FaultRule, FaultKind } from './faults';
export type { ImageInput, ImageResult, AlarmInput, HookFailureInput } from './control';
export type { CallRecord } from './calls';
export type { TaskScript, OneOffTaskRecord } from './model';
export type { StateDump } from './state';
export { ECS_LIFECYCLE_EVENTS } from './simulation/codedeploy';
