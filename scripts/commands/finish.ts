/** `finish`: end the termination wait early, removing the old task set now. */
import { continueCommand } from './continue';

export const finishCommand = continueCommand({
  name: 'finish',
  waitType: 'TERMINATION_WAIT',
  summary: 'end the termination wait early (old tasks removed, no instant rollback after)',
  description: `ContinueDeployment (TERMINATION_WAIT) once traffic has fully moved and CodeDeploy keeps the old
task set for a quick rollback. Afterwards a rollback needs a new deployment. In any other state
nothing is sent (exit 2). When a release left auto scaling suspended (it was interrupted in the
termination wait), waits up to 5 min for the deployment to end and restores scaling.`,
});
