/**
 * Per configured environment, a shared stack (network, cluster, CodeDeploy role, identity) and one
 * stack per service (load balancer, registry, task definition, ECS service, CodeDeploy blue/green
 * deployment), each with its own Terraform state.
 */
import { App } from 'cdktf';
import { ConfigError, loadAllEnvironments } from './config';
import { EnvironmentStacks } from './modules/environment-stacks';
import { terraformProblem } from './tools/terraform/installed';

// cdktf runs `terraform version` while synthesizing: without Terraform, one line instead of a stack trace.
const missingTerraform = terraformProblem();
if (missingTerraform) {
  console.error(missingTerraform);
  process.exit(1);
}

try {
  const app = new App();
  for (const env of loadAllEnvironments()) new EnvironmentStacks(app, env);
  app.synth();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(`Invalid configuration:\n${error.problems.map((problem) => `  - ${problem}`).join('\n')}`);
  process.exit(1);
}
