/**
 * Ctrl-C through `npm run deploy`, the command people and the release workflow run: the terminal
 * signals npm, its script shell and the tool at once. npm re-raises a signal on itself when its
 * script dies of one (and a shell that waits for the tool dies of the SIGINT it received), which
 * turned the tool's exit 3 into npm's 130; the script `exec`s the tool so its exit code is npm's.
 */
import { expectExit, startCli, useEmulator, verdict, waitForCall, waitForState } from './support';

const e2e = useEmulator(['prod']);


describe('Ctrl-C through npm run deploy', () => {
  it.each([['/bin/sh (npm default)', undefined], ['bash (the release workflow)', 'bash']])(
    'with %s as the script shell: stops with rollback and exits 3, the documented code',
    async (_, shell) => {
      const { aws, clock } = e2e;
      // Emulated time stands still from the start (API calls are still answered), so the deployment
      // waits until the tool, interrupted once scaling is suspended, has asked to stop it.
      clock.pause();
      const release = startCli(aws, ['deploy', '--env', 'prod', '--tag', 'v1.1.0'], { viaNpm: true, env: { NPM_CONFIG_SCRIPT_SHELL: shell }, killAfterMs: 60_000 });
      await waitForState(aws, (state) => state.deployments.length > 0 && state.scalableTargets[0].suspended.DynamicScalingOutSuspended === true, 'deployment created, auto scaling suspended', 30_000);
      release.interrupt();
      await waitForCall(aws, 'StopDeployment', 200, 30_000);
      clock.resume();
      const result = await release.done;
      expectExit(result, 3);
      expect(result.signal).toBeNull();
      expect(verdict(result)).toMatch(/interrupted; deployment d-\w+ stopped/);
    },
    90_000,
  );
});
