/** `finish`: end the termination wait early, removing the old task set now. */
import { exitCodeHelp } from '../cli/exit-codes';
import { continueDeployment } from '../steps/continue-deployment';
import { finishRelease, type Command, type CommandOptions } from './common';
import { parseTargetCommand } from './simple';

export interface FinishOptions extends CommandOptions {
  readonly deploymentId?: string;
}

export const finishCommand: Command<FinishOptions> = {
  name: 'finish',
  summary: 'end the termination wait early (old tasks removed, no instant rollback after)',
  help: `Usage: npm run deploy -- finish --env ENV [--service NAME] [--deployment-id ID] [--json]

ContinueDeployment (TERMINATION_WAIT) once traffic has fully moved and CodeDeploy keeps the old
task set for a quick rollback. Afterwards a rollback needs a new deployment. In any other state
nothing is sent (exit 2).

${exitCodeHelp()}`,
  parse(argv) {
    const { flags, targets, help } = parseTargetCommand('finish', argv, { 'deployment-id': { type: 'string' } }, { allowMany: false });
    return { help, json: flags.json, targets, deploymentId: flags['deployment-id'] };
  },
  async run(context, options) {
    const target = options.targets[0];
    const result = await continueDeployment(context, target, options.deploymentId, 'TERMINATION_WAIT');
    return finishRelease(context, 'finish', target.env, [result], {}, { notify: false });
  },
};
