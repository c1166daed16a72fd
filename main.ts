/**
 * One Terraform stack per configured environment: shared network and cluster, then per service a
 * load balancer, registry, task definition, ECS service and CodeDeploy blue/green deployment.
 */
import { App } from 'cdktf';
import { ConfigError, environmentNames, loadAllEnvironments } from './config';
import { EnvironmentStack } from './modules/environment-stack';
import { terraformProblem } from './tools/terraform/installed';

// cdktf runs `terraform version` while synthesizing: without Terraform, one line instead of a stack trace.
const missingTerraform = terraformProblem();
if (missingTerraform) {
  console.error(missingTerraform);
  process.exit(1);
}

try {
  const app = new App();
  for (const env of loadAllEnvironments()) new EnvironmentStack(app, environmentNames(env).stack, { config: env });
  app.synth();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(`Invalid configuration:\n${error.problems.map((problem) => `  - ${problem}`).join('\n')}`);
  process.exit(1);
}
