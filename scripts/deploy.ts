/**
 * `npm run deploy -- [command] [flags]`: the release tool's entry point. It only wires the
 * process (arguments, signals, exit code) to the dispatcher, scripts/main.ts; see `--help` and
 * docs/releases.md.
 */
import { main } from './main';
import { processStreams } from './cli/output';
import type { Interrupts } from './context';

// The project runs on Node 20 by design (package.json engines); the SDK's notice about future
// releases would otherwise break "one line on stderr" for every error.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const controller = new AbortController();
const interrupts: Interrupts = { signal: controller.signal };

// First Ctrl-C/SIGTERM: ask the running command to end safely, saying first what that will do
// where it is now (nothing changed yet, stop with rollback, detach, leave the termination wait).
// Later ones: say what it is still doing; it does not abandon a deployment half-stopped.
function onSignal(signal: NodeJS.Signals): void {
  if (!controller.signal.aborted) {
    process.stderr.write(`\n${signal}: ${interrupts.onInterrupt ?? 'ending safely'}; please wait\n`);
    controller.abort();
    return;
  }
  process.stderr.write(`\n${interrupts.stoppingMessage ?? 'still stopping safely; please wait'}\n`);
}
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

main(process.argv.slice(2), { streams: processStreams, env: process.env, interrupts }).then(
  (code) => {
    process.exitCode = code;
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  },
  (error: unknown) => {
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 5;
  },
);
