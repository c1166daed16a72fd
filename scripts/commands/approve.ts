/** `approve`: let a deployment waiting for approval (Ready) shift traffic. */
import { continueCommand } from './continue';

export const approveCommand = continueCommand({
  name: 'approve',
  waitType: 'READY_WAIT',
  summary: 'approve a deployment waiting in Ready: traffic starts moving',
  description: `ContinueDeployment (READY_WAIT) on the active deployment, only when it is Ready (replacement tasks
up, test listener serving them, production traffic waiting). In any other state nothing is sent
and the message says what the deployment is doing. Exit 2 then.`,
});
