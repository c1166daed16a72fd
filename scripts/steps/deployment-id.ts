/**
 * `--deployment-id` must name a deployment of the environment and service given: a command never
 * approves, finishes, stops or follows another environment's deployment because its id was
 * pasted. The id is read (GetDeployment) and its application and deployment group compared with
 * the target's before anything is sent. CodeDeploy's own permissions cannot narrow
 * ContinueDeployment or StopDeployment to a deployment group (the Service Authorization
 * Reference lists no resource type for them), so this check is where the binding happens.
 */
import { GetDeploymentCommand } from '@aws-sdk/client-codedeploy';
import { hasName } from '../aws/errors';
import { BadInputError } from '../cli/errors';
import type { Context } from '../context';
import type { ReleaseTarget } from './target';

/** CodeDeploy deployment ids: `d-` and upper-case letters and digits (nine of them in practice). */
const DEPLOYMENT_ID = /^d-[A-Z0-9]{1,32}$/;

/** The offline check, at parse time: anything not shaped like a deployment id is refused before AWS is read. */
export function checkDeploymentIdFormat(id: string): void {
  if (!DEPLOYMENT_ID.test(id)) {
    throw new BadInputError(`--deployment-id "${id}" is not a CodeDeploy deployment id (d- and upper-case letters and digits, e.g. d-A1B2C3D4E)`);
  }
}

/** Reads deployment `id` and refuses it unless it is in the target's deployment group. Read-only. */
export async function requireDeploymentOfTarget(context: Context, target: ReleaseTarget, id: string): Promise<string> {
  const { codeDeployApplication, deploymentGroup } = target.names;
  const notOurs = `it is not one of environment ${target.env.environment}'s deployments (${codeDeployApplication}/${deploymentGroup}); pass the --env and --service it belongs to`;
  let found;
  try {
    found = await context.clients.codeDeploy.send(new GetDeploymentCommand({ deploymentId: id }));
  } catch (error) {
    if (hasName(error, 'DeploymentDoesNotExistException', 'InvalidDeploymentIdException')) {
      throw new BadInputError(`--deployment-id ${id}: no such deployment in ${target.env.region}; check the id (status lists the current one)`);
    }
    if (hasName(error, 'AccessDeniedException', 'AccessDenied')) throw new BadInputError(`--deployment-id ${id} cannot be read with this environment's credentials: ${notOurs}`);
    throw error;
  }
  const info = found.deploymentInfo;
  if (info?.applicationName !== codeDeployApplication || info?.deploymentGroupName !== deploymentGroup) {
    throw new BadInputError(`--deployment-id ${id} belongs to ${info?.applicationName ?? '?'}/${info?.deploymentGroupName ?? '?'}: ${notOurs}`);
  }
  return id;
}
