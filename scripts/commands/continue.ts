/** `approve` and `finish` are the same command over a different CodeDeploy wait: one builder serves both. */
import type { DeploymentWaitType } from '@aws-sdk/client-codedeploy';
import { exitCodeHelp } from '../cli/exit-codes';
import { continueDeployment } from '../steps/continue-deployment';
import { finishRelease, type Command, type CommandOptions } from './common';
import { parseTargetCommand } from './simple';

export interface ContinueOptions extends CommandOptions {
  readonly deploymentId?: string;
}

/** A command that sends ContinueDeployment for one wait type, only while the deployment is in that wait. */
export function continueCommand(spec: {
  name: 'approve' | 'finish';
  waitType: DeploymentWaitType;
  summary: string;
  description: string;
}): Command<ContinueOptions> {
  return {
    name: spec.name,
    summary: spec.summary,
    help: `Usage: npm run deploy -- ${spec.name} --env ENV [--service NAME] [--deployment-id ID] [--json]

${spec.description}
--deployment-id must be a deployment of this environment's and service's deployment group: it is
read first and refused (exit 2) otherwise, and nothing is sent.

${exitCodeHelp()}`,
    parse(argv) {
      const { flags, targets, help } = parseTargetCommand(spec.name, argv, { 'deployment-id': { type: 'string' } }, { allowMany: false });
      return { help, json: flags.json, targets, deploymentId: flags['deployment-id'] };
    },
    async run(context, options) {
      const target = options.targets[0];
      const result = await continueDeployment(context, target, options.deploymentId, spec.waitType);
      return finishRelease(context, spec.name, target.env, [result], {}, { notify: false });
    },
  };
}
