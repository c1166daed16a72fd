/**
 * `render`: write taskdef.json (the registration the release would make, image pinned) and
 * appspec.yaml (TaskDefinition left as <TASK_DEFINITION>, as CodePipeline's CodeDeployToECS action
 * expects) for teams releasing through CodePipeline. Same checks as deploy, no mutating call.
 */
import { BadInputError } from '../cli/errors';
import { EXIT, exitCodeHelp } from '../cli/exit-codes';
import { appSpecYaml } from '../steps/appspec';
import { checkImageForTarget, checkTag } from '../steps/image';
import { serviceResult } from '../steps/outcome';
import { planOutputFiles, writeNewFiles, type OutputPlan } from '../steps/output-files';
import { planAppSpec, planRelease } from '../steps/plan';
import { targetLabel } from '../steps/target';
import { finishRelease, type Command, type CommandOptions } from './common';
import { parseTargetCommand } from './simple';

export interface RenderOptions extends CommandOptions {
  readonly image?: string;
  readonly tag?: string;
  /** Where the files go, checked writable and free before AWS is read. */
  readonly output: OutputPlan;
}

export const renderCommand: Command<RenderOptions> = {
  name: 'render',
  summary: 'write taskdef.json and appspec.yaml for CodePipeline',
  help: `Usage: npm run deploy -- render --env ENV [--service NAME] (--image URI | --tag TAG) [--out DIR] [--json]

Writes DIR/taskdef.json (RegisterTaskDefinition input: the Terraform-owned base revision with the
image pinned by digest, release tags included) and DIR/appspec.yaml (TaskDefinition:
<TASK_DEFINITION>, filled in by CodePipeline's CodeDeployToECS action). Checks as deploy does;
changes nothing in AWS. --out defaults to the current directory; it must be writable (missing
directories are made) and must not hold these files already: render never overwrites.

${exitCodeHelp()}`,
  parse(argv) {
    const { flags, targets, help } = parseTargetCommand(
      'render',
      argv,
      { image: { type: 'string' }, tag: { type: 'string' }, out: { type: 'string' } },
      { allowMany: false },
    );
    if (!help) {
      if (flags.image !== undefined && flags.tag !== undefined) throw new BadInputError('--image and --tag conflict; pass one of them');
      if (flags.image === undefined && flags.tag === undefined) throw new BadInputError('pass --image URI or --tag TAG');
      if (flags.image !== undefined) checkImageForTarget(flags.image, targets[0]);
      if (flags.tag !== undefined) checkTag(flags.tag);
      if (flags.out === '') throw new BadInputError('--out needs a directory');
    }
    const names = targets[0]?.strategy === 'blue-green' ? ['taskdef.json', 'appspec.yaml'] : ['taskdef.json'];
    const output = help ? { directory: '', existing: '', files: [] } : planOutputFiles('--out', flags.out ?? '.', names);
    return { help, json: flags.json, targets, image: flags.image, tag: flags.tag, output };
  },
  async run(context, options) {
    const target = options.targets[0];
    const plan = await planRelease(context, target, { image: options.image, tag: options.tag });
    const contents = [`${JSON.stringify(plan.registration, null, 2)}\n`];
    if (target.strategy === 'blue-green') contents.push(appSpecYaml(planAppSpec(plan, '<TASK_DEFINITION>')));
    writeNewFiles('--out', options.output, contents);
    const files = [...options.output.files];
    for (const file of files) context.out.line(`wrote ${file}`);
    const result = serviceResult(target, EXIT.succeeded, `${targetLabel(target)}: rendered ${plan.image.uri} on ${plan.base.arn.split('/').pop()}`, {
      image: plan.image.uri,
      baseRevision: plan.base.arn,
    });
    return finishRelease(context, 'render', target.env, [result], { files }, { notify: false });
  },
};
