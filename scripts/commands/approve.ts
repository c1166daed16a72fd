/** `approve`: let a deployment waiting for approval (Ready) shift traffic. */
import { exitCodeHelp } from '../cli/exit-codes';
import { continueDeployment } from '../steps/continue-deployment';
import { finishRelease, type Command, type CommandOptions } from './common';
import { parseTargetCommand } from './simple';

export interface ApproveOptions extends CommandOptions {
  readonly deploymentId?: string;
}

export const approveCommand: Command<ApproveOptions> = {
  name: 'approve',
  summary: 'approve a deployment waiting in Ready: traffic starts moving',
  help: `Usage: npm run deploy -- approve --env ENV [--service NAME] [--deployment-id ID] [--json]

ContinueDeployment (READY_WAIT) on the active deployment, only when it is Ready (replacement tasks
up, test listener serving them, production traffic waiting). In any other state nothing is sent
and the message says what the deployment is doing. Exit 2 then.

${exitCodeHelp()}`,
  parse(argv) {
    const { flags, targets, help } = parseTargetCommand('approve', argv, { 'deployment-id': { type: 'string' } }, { allowMany: false });
    return { help, json: flags.json, targets, deploymentId: flags['deployment-id'] };
  },
  async run(context, options) {
    const target = options.targets[0];
    const result = await continueDeployment(context, target, options.deploymentId, 'READY_WAIT');
    return finishRelease(context, 'approve', target.env, [result], {}, { notify: false });
  },
};
