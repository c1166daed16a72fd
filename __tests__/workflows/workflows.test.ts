/**
 * The GitHub Actions workflows, parsed: least privilege, OIDC roles instead of keys, the commands
 * each one runs, and their ties to this repository (every `npm run X` is a script in
 * package.json, every environment exists in config/environments.ts), so a rename breaks CI here
 * rather than on GitHub.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { environmentNamesList, GITHUB_ROLE_WORKFLOWS, hasVerificationHook, loadEnvironment } from '../../config';
import { PLAN_COMMENT_MARKER } from '../../tools/terraform/plan-report';

const ROOT = resolve(__dirname, '../..');
const WORKFLOWS = join(ROOT, '.github', 'workflows');

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  id?: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
}
interface Job {
  name?: string;
  needs?: string | string[];
  permissions?: Record<string, string>;
  environment?: string | { name: string };
  concurrency?: { group: string; 'cancel-in-progress'?: boolean };
  uses?: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
  steps?: Step[];
}
interface Workflow {
  on: Record<string, any>;
  permissions?: Record<string, string>;
  env?: Record<string, unknown>;
  jobs: Record<string, Job>;
}

const files = readdirSync(WORKFLOWS).filter((file) => file.endsWith('.yml'));
const texts: Record<string, string> = Object.fromEntries(files.map((file) => [file, readFileSync(join(WORKFLOWS, file), 'utf8')]));
const workflows: Record<string, Workflow> = Object.fromEntries(files.map((file) => [file, parse(texts[file]) as Workflow]));
const scripts = Object.keys(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts);
const environments = environmentNamesList();

const jobsOf = (file: string) => Object.entries(workflows[file].jobs);
const stepsOf = (file: string) => jobsOf(file).flatMap(([, job]) => job.steps ?? []);
const runsOf = (file: string) => stepsOf(file).flatMap((step) => (step.run ? [step.run] : []));
const list = <T>(value: T | T[] | undefined): T[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);
/** The reusable workflow a job calls, parsed. */
const called = (job: Job) => (job.uses?.startsWith('./.github/workflows/') ? workflows[job.uses.slice('./.github/workflows/'.length)] : undefined);
const assumesRole = (steps: Step[] = []) => steps.some((step) => step.uses?.startsWith('aws-actions/configure-aws-credentials@'));
/** Whether a job, or the reusable workflow it calls, assumes an AWS role. */
const jobAssumesRole = (job: Job): boolean => assumesRole(job.steps) || Object.values(called(job)?.jobs ?? {}).some((inner) => assumesRole(inner.steps));

describe.each(files)('the %s workflow', (file) => {
  const workflow = workflows[file];

  it('grants only contents: read at the top; jobs ask for more where they need it', () => {
    expect(workflow.permissions).toEqual({ contents: 'read' });
  });

  it('asks for id-token: write exactly in the jobs that assume an AWS role, and for no write scope it does not name', () => {
    for (const [, job] of jobsOf(file)) {
      expect(job.permissions?.['id-token'] === 'write').toBe(jobAssumesRole(job));
      const writes = Object.entries(job.permissions ?? {}).filter(([, level]) => level === 'write').map(([scope]) => scope);
      expect(writes.every((scope) => ['id-token', 'pull-requests'].includes(scope))).toBe(true);
    }
  });

  it('stores no AWS keys: roles are assumed through OIDC with role-to-assume from a variable', () => {
    expect(texts[file]).not.toMatch(/AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|aws-access-key-id|aws-secret-access-key|AWS_SESSION_TOKEN/i);
    for (const step of stepsOf(file).filter((candidate) => candidate.uses?.startsWith('aws-actions/configure-aws-credentials@'))) {
      // A variable, optionally a per-environment one first (AWS_PLAN_ROLE_ARN_PROD, for several accounts).
      expect(step.with?.['role-to-assume']).toMatch(/^\$\{\{ (?:vars\[format\('AWS_[A-Z]+_ROLE_ARN_\{0\}', inputs\.environment\)\] \|\| )?vars\.AWS_[A-Z]+_ROLE_ARN \}\}$/);
    }
  });

  it('pins every action by commit SHA with its version in a comment (a tag can be moved, a commit cannot)', () => {
    const lines = texts[file].split('\n').filter((line) => /^\s*(?:- )?uses:/.test(line));
    expect(lines.length).toBe(stepsOf(file).filter((step) => step.uses).length + jobsOf(file).filter(([, job]) => job.uses).length);
    for (const line of lines) {
      expect(line).toMatch(/^\s*(?:- )?uses: (?:[\w.-]+\/[\w.-]+(?:\/[\w./-]+)?@[0-9a-f]{40} # v\d+\.\d+\.\d+|\.\/\.github\/workflows\/[\w.-]+\.yml)$/);
    }
  });

  it('never runs fork code with secrets: no pull_request_target', () => {
    expect(Object.keys(workflow.on)).not.toContain('pull_request_target');
  });

  it('runs only npm scripts that package.json defines', () => {
    const used = runsOf(file).flatMap((run) => [...run.matchAll(/\bnpm run (?:--silent )?([\w:-]+)/g)].map((match) => match[1]));
    expect(used.filter((script) => !scripts.includes(script))).toEqual([]);
  });

  it('names only environments that config/environments.ts defines', () => {
    const literal = runsOf(file).flatMap((run) => [...run.matchAll(/--env[ =]([a-z][\w-]*)/g)].map((match) => match[1]));
    const passed = jobsOf(file).flatMap(([, job]) => (typeof job.with?.environment === 'string' ? [job.with.environment] : []));
    const choices = list(workflow.on.workflow_dispatch?.inputs?.environment?.options as string[] | undefined);
    const planned = jobsOf(file).flatMap(([, job]) => String(job.env?.PLAN_ENVIRONMENTS ?? '').split(/\s+/).filter(Boolean));
    expect([...literal, ...passed, ...choices, ...planned].filter((name) => !environments.includes(name))).toEqual([]);
  });
});

describe('the workflows the roles trust by name', () => {
  // With subjectClaims 'workflow' the roles trust these files by path (modules/github-identity.ts):
  // a renamed file, or a role assumed from another one, would fail on GitHub.
  const rolesAssumed = (file: string) =>
    stepsOf(file)
      .filter((step) => step.uses?.startsWith('aws-actions/configure-aws-credentials@'))
      .map((step) => String(step.with?.['role-to-assume']).match(/AWS_([A-Z]+)_ROLE_ARN/)?.[1]);

  it('exist, and the deploy role is assumed only in the release workflow, the plan role only in the plan workflows', () => {
    for (const file of [...GITHUB_ROLE_WORKFLOWS.deploy, ...GITHUB_ROLE_WORKFLOWS.plan]) expect(files).toContain(file);
    for (const file of files) {
      const roles = rolesAssumed(file);
      if (roles.includes('DEPLOY')) expect(GITHUB_ROLE_WORKFLOWS.deploy).toContain(file);
      if (roles.includes('PLAN')) expect(GITHUB_ROLE_WORKFLOWS.plan).toContain(file);
    }
    expect(rolesAssumed('release-environment.yml')).toEqual(['DEPLOY']);
  });
});

describe('dependabot', () => {
  it('bumps the pinned actions (SHA and version comment) weekly', () => {
    const config = parse(readFileSync(join(ROOT, '.github', 'dependabot.yml'), 'utf8')) as { version: number; updates: Array<Record<string, any>> };
    expect(config.version).toBe(2);
    expect(config.updates).toContainEqual(expect.objectContaining({ 'package-ecosystem': 'github-actions', directory: '/', schedule: { interval: 'weekly' } }));
  });
});

describe('the pull-request workflow', () => {
  const workflow = workflows['pull-request.yml'];
  const runs = runsOf('pull-request.yml');
  const plan = workflow.jobs.plan;

  it('runs on pull_request (and on main after a merge)', () => {
    expect(Object.keys(workflow.on).sort()).toEqual(['pull_request', 'push']);
    expect(workflow.on.push.branches).toEqual(['main']);
  });

  it('installs with the npm cache, then runs the tests, the policy rules, validate and drift for every environment', () => {
    const setupNode = stepsOf('pull-request.yml').filter((step) => step.uses?.startsWith('actions/setup-node@'));
    expect(setupNode.every((step) => step.with?.cache === 'npm')).toBe(true);
    const checks = workflow.jobs.checks.steps!.flatMap((step) => (step.run ? [step.run] : []));
    expect(checks).toEqual(['npm ci', 'npm test', 'npm run policy -- --all', 'npm run validate -- --all', 'npm run drift -- --self-check --all']);
  });

  it('plans every environment offline with the Markdown and JSON summaries', () => {
    expect(runs).toContainEqual(expect.stringMatching(/^npm run --silent plan -- --all --markdown plan\.md --json > plan\.json$/));
  });

  it('plans every stack of PLAN_ENVIRONMENTS against the real state and appends the same summary per environment', () => {
    const online = plan.steps!.find((step) => step.name === 'terraform plan against the real state (read-only)')!;
    expect(online.if).toBe("steps.mode.outputs.online == 'true'");
    expect(online.run).toContain('ENVIRONMENT="$environment" tools/ci/plan-stacks.sh every || status=1');
    expect(online.run).toContain('npx tsx tools/plan-comment.ts --env "$environment" --plans plans');
    expect(online.run).toContain('>> plan.md');
    expect(online.run).not.toContain('cdktf diff');
  });

  it('assumes the read-only plan role only when AWS_PLAN_ROLE_ARN is set and the code is not a fork', () => {
    const assume = plan.steps!.find((step) => step.uses?.startsWith('aws-actions/configure-aws-credentials@'))!;
    expect(assume.with?.['role-to-assume']).toBe('${{ vars.AWS_PLAN_ROLE_ARN }}');
    expect(assume.if).toBe("steps.mode.outputs.online == 'true'");
    const mode = plan.steps!.find((step) => step.id === 'mode')!;
    expect(mode.env).toMatchObject({ PLAN_ROLE: '${{ vars.AWS_PLAN_ROLE_ARN }}', TRUSTED: expect.stringContaining('github.event.pull_request.head.repo.full_name == github.repository') });
    expect(mode.run).toContain('online=false');
    expect(plan.environment).toBeUndefined(); // the plan role trusts pull requests, not GitHub environments
  });

  it('writes the plan to the job summary and comments it on the pull request, updating the comment found by its marker', () => {
    expect(runs).toContain('cat plan.md >> "$GITHUB_STEP_SUMMARY"');
    const comment = plan.steps!.find((step) => step.uses?.startsWith('actions/github-script@'))!;
    const script = String(comment.with?.script);
    expect(script).toContain(`const marker = '${PLAN_COMMENT_MARKER}'`);
    expect(script).toMatch(/github\.paginate\(github\.rest\.issues\.listComments/);
    expect(script).toMatch(/if \(previous\) \{\s+await github\.rest\.issues\.updateComment\(/);
    expect(comment.if).toContain('github.event.pull_request.head.repo.full_name == github.repository');
    expect(plan.permissions).toEqual({ contents: 'read', 'id-token': 'write', 'pull-requests': 'write' });
  });

  describe('the comment script, run as actions/github-script runs it', () => {
    interface Comment {
      id: number;
      body: string;
      user: { type: string };
      html_url: string;
    }
    const script = String(plan.steps!.find((step) => step.uses?.startsWith('actions/github-script@'))!.with?.script);
    const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor as new (...args: string[]) => (...values: unknown[]) => Promise<void>;

    /** Runs the step against a pull request holding `comments`; returns them as the step leaves them. */
    async function runScript(comments: Comment[], planMarkdown: string): Promise<{ comments: Comment[]; calls: string[] }> {
      const calls: string[] = [];
      const listComments = async () => ({ data: comments });
      const github = {
        paginate: async (method: unknown, params: { issue_number: number }) => {
          calls.push(`list #${params.issue_number}`);
          expect(method).toBe(listComments);
          return comments;
        },
        rest: {
          issues: {
            listComments,
            updateComment: async (params: { comment_id: number; body: string }) => {
              calls.push(`update ${params.comment_id}`);
              comments.find((comment) => comment.id === params.comment_id)!.body = params.body;
            },
            createComment: async (params: { issue_number: number; body: string }) => {
              calls.push(`create #${params.issue_number}`);
              const created = { id: 100 + comments.length, body: params.body, user: { type: 'Bot' }, html_url: 'https://github.com/example-org/shop/pull/7#c' };
              comments.push(created);
              return { data: created };
            },
          },
        },
      };
      const context = { repo: { owner: 'example-org', repo: 'shop' }, issue: { number: 7 }, serverUrl: 'https://github.com', runId: 42 };
      const core = { info: () => undefined };
      const fakeRequire = (name: string) => {
        expect(name).toBe('node:fs');
        return { readFileSync: (path: string) => (path === 'plan.md' ? planMarkdown : '') };
      };
      await new AsyncFunction('require', 'github', 'context', 'core', script)(fakeRequire, github, context, core);
      return { comments, calls };
    }

    const planV1 = `${PLAN_COMMENT_MARKER}\n### terraform plan\n| dev | 47 |`;
    const planV2 = `${PLAN_COMMENT_MARKER}\n### terraform plan\n| dev | 48 |`;

    it('creates the comment on the first run', async () => {
      const { comments, calls } = await runScript([{ id: 1, body: 'LGTM', user: { type: 'User' }, html_url: '' }], planV1);
      expect(calls).toEqual(['list #7', 'create #7']);
      expect(comments.map((comment) => comment.body)).toEqual(['LGTM', planV1]);
    });

    it('edits its own comment on later runs instead of adding one', async () => {
      const { comments, calls } = await runScript(
        [
          { id: 1, body: `${PLAN_COMMENT_MARKER} quoted by a person`, user: { type: 'User' }, html_url: '' },
          { id: 2, body: planV1, user: { type: 'Bot' }, html_url: '' },
        ],
        planV2,
      );
      expect(calls).toEqual(['list #7', 'update 2']);
      expect(comments.map((comment) => comment.body)).toEqual([`${PLAN_COMMENT_MARKER} quoted by a person`, planV2]);
    });

    it('cuts a summary over GitHub\'s 65,536-character limit and links the job log', async () => {
      const long = `${PLAN_COMMENT_MARKER}\n${'| `shop-dev-web` | 1 | 0 | 0 | 0 |  |\n'.repeat(3000)}`;
      const { comments } = await runScript([], long);
      expect(comments[0].body.length).toBeLessThanOrEqual(65_536);
      expect(comments[0].body.startsWith(PLAN_COMMENT_MARKER)).toBe(true);
      expect(comments[0].body).toMatch(/Cut at GitHub's 65536-character comment limit: every stack's plan is in the job log, https:\/\/github\.com\/example-org\/shop\/actions\/runs\/42\n$/);
      expect((await runScript([], planV1)).comments[0].body).toBe(planV1);
    });

    it('refuses a summary without the marker, which it could never find again', async () => {
      await expect(runScript([], '### terraform plan')).rejects.toThrow(`plan.md does not start with ${PLAN_COMMENT_MARKER}`);
    });
  });
});

describe('the release workflow', () => {
  const release = workflows['release.yml'];
  const environmentWorkflow = workflows['release-environment.yml'];
  const releaseJob = environmentWorkflow.jobs.release;
  const releaseStep = releaseJob.steps!.find((step) => step.run?.includes('npm run deploy --'))!;

  it('runs on push to main and by hand', () => {
    expect(Object.keys(release.on).sort()).toEqual(['push', 'workflow_dispatch']);
    expect(release.on.push.branches).toEqual(['main']);
  });

  it('builds the image from app/ once, tagged with the commit SHA, and hands it on as an artifact', () => {
    const build = release.jobs.build.steps!.find((step) => step.id === 'build')!;
    expect(build.run).toMatch(/docker build .*-t "\$SERVICE:\$GITHUB_SHA" app\//);
    expect(build.run).toContain('docker save "$SERVICE:$GITHUB_SHA"');
    expect(release.jobs.build.steps!.some((step) => step.uses?.startsWith('actions/upload-artifact@'))).toBe(true);
  });

  it('releases to dev after the build, then to prod after dev, both through the environment workflow', () => {
    expect([release.jobs.dev.needs, release.jobs.prod.needs]).toEqual(['build', ['build', 'dev']]);
    expect([release.jobs.dev.uses, release.jobs.prod.uses]).toEqual(['./.github/workflows/release-environment.yml', './.github/workflows/release-environment.yml']);
    expect([release.jobs.dev.with?.environment, release.jobs.prod.with?.environment]).toEqual(['dev', 'prod']);
  });

  it('runs each release in the GitHub environment of its name, which the deploy role of that environment trusts', () => {
    expect(releaseJob.environment).toBe('${{ inputs.environment }}');
    for (const name of ['dev', 'prod']) expect(loadEnvironment(name).github?.deployEnvironment ?? name).toBe(name);
  });

  it('never lets two releases to one environment race: a concurrency group per environment that queues', () => {
    expect(releaseJob.concurrency).toEqual({ group: 'release-${{ inputs.environment }}', 'cancel-in-progress': false });
  });

  it('pushes the loaded image only after checking it is the one the build made', () => {
    const push = releaseJob.steps!.find((step) => step.run?.includes('docker push'))!;
    expect(push.run!.indexOf('"$IMAGE_ID"')).toBeLessThan(push.run!.indexOf('docker push'));
    expect(push.env?.IMAGE).toBe('${{ steps.ecr.outputs.registry }}/${{ steps.names.outputs.repository }}:${{ github.sha }}');
  });

  it('releases with npm run deploy by the commit SHA, never latest', () => {
    expect(releaseStep.run).toMatch(/^exec npm run deploy -- --env "\$ENVIRONMENT" --service "\$SERVICE" --tag "\$GITHUB_SHA"/);
    expect(`${texts['release.yml']}${texts['release-environment.yml']}`).not.toMatch(/:latest\b|--tag latest/);
  });

  it('delivers a cancel to the release tool as SIGINT: exec, and a bash script shell that execs the tool', () => {
    expect(releaseStep.run!.startsWith('exec ')).toBe(true);
    expect(releaseJob.env?.NPM_CONFIG_SCRIPT_SHELL).toBe('bash');
    // After the SIGKILL, `settle` brings this release to a safe end (__tests__/e2e/cancel.test.ts runs it).
    expect(releaseJob.steps!.at(-1)).toMatchObject({
      if: "(cancelled() || failure()) && (steps.release.outcome == 'cancelled' || steps.release.outcome == 'failure')",
      run: 'npm run deploy -- settle --env "$ENVIRONMENT" --service "$SERVICE" --description "$RELEASE_DESCRIPTION"',
    });
    expect(releaseStep.run).toContain('--description "$RELEASE_DESCRIPTION"');
    expect(releaseStep.id).toBe('release');
    expect(releaseJob.env?.RELEASE_DESCRIPTION).toBe('release ${{ github.sha }} run ${{ github.run_id }}');
  });

  it('verifies a release whose test listener admits nobody only through the verification hook inside the VPC, never from the runner', () => {
    const releases = Object.values(release.jobs).filter((job) => typeof job.with?.environment === 'string');
    const closed = releases.filter((job) => loadEnvironment(String(job.with!.environment)).services.every((service) => service.testListener.allowedCidrs.length === 0));
    expect(closed.map((job) => job.with!.environment)).toContain('prod');
    for (const job of closed) {
      const env = loadEnvironment(String(job.with!.environment));
      const path = job.with?.['verify-path'];
      // A path is only passed where the hook checks it (no --verify-base-url in the workflow).
      if (path) expect([env.environment, hasVerificationHook(env)]).toEqual([env.environment, true]);
    }
    expect(release.jobs.prod.with?.['verify-path']).toBe('/health');
    expect(hasVerificationHook(loadEnvironment('prod'))).toBe(true);
    expect(`${texts['release.yml']}${texts['release-environment.yml']}`).not.toContain('--verify-base-url');
    expect(texts['release.yml']).toMatch(/Verified from inside the VPC: prod has a verification hook/);
  });

  it('passes --verify through when a job asks for it, and the chat webhook secret to the release step alone', () => {
    expect(releaseStep.run).toContain('${VERIFY_PATH:+--verify "$VERIFY_PATH"}');
    expect(releaseStep.env?.CHAT_WEBHOOK_URL).toBe('${{ secrets.CHAT_WEBHOOK_URL }}');
    // Nothing else in any workflow (job env, another step, an action's inputs) names the secret.
    const mentions = files.flatMap((file) => texts[file].split('\n').filter((line) => line.includes('secrets.CHAT_WEBHOOK_URL')).map((line) => `${file}: ${line.trim()}`));
    expect(mentions).toEqual(['release-environment.yml: CHAT_WEBHOOK_URL: ${{ secrets.CHAT_WEBHOOK_URL }}']);
    expect(releaseJob.env?.CHAT_WEBHOOK_URL).toBeUndefined();
    expect([release.jobs.dev, release.jobs.prod].every((job) => (job as { secrets?: unknown }).secrets === 'inherit')).toBe(true);
  });

  it('passes a migration from a manual run through each environment to --migrate, as an environment variable', () => {
    expect(releaseStep.run).toContain('${MIGRATE:+--migrate "$MIGRATE"}');
    expect(releaseJob.env?.MIGRATE).toBe('${{ inputs.migrate }}');
    expect(releaseStep.run).not.toContain('inputs.migrate');
    expect([release.jobs.dev, release.jobs.prod].map((job) => job.with?.migrate)).toEqual(["${{ inputs.migrate || '' }}", "${{ inputs.migrate || '' }}"]);
  });
});

describe('the infrastructure workflow', () => {
  const workflow = workflows['infrastructure.yml'] as Workflow & { concurrency?: Job['concurrency'] };
  const { plan, replan } = workflow.jobs;
  const applyShared = workflow.jobs['apply-shared'] as Job & { if?: string };
  const applyServices = workflow.jobs['apply-services'] as Job & { if?: string };
  const runsIn = (job: Job) => (job.steps ?? []).flatMap((step) => (step.run ? [step.run] : []));
  const roleOf = (job: Job) => job.steps!.find((step) => step.uses?.startsWith('aws-actions/configure-aws-credentials@'))?.with?.['role-to-assume'];
  const uploadOf = (job: Job) => job.steps!.find((step) => step.uses?.startsWith('actions/upload-artifact@'))!;
  const downloadOf = (job: Job) => job.steps!.find((step) => step.uses?.startsWith('actions/download-artifact@'))!;

  it('queues plans and applies of one environment behind each other, never cancelling one half-way', () => {
    expect(workflow.concurrency).toEqual({ group: 'infra-${{ inputs.environment }}', 'cancel-in-progress': false });
  });

  it('takes an optional service, handed to the scripts as a variable and never pasted into one', () => {
    expect(workflow.on.workflow_dispatch.inputs.service).toMatchObject({ type: 'string', default: '' });
    expect(workflow.env?.SERVICE).toBe('${{ inputs.service }}');
    expect(runsOf('infrastructure.yml').some((run) => run.includes('inputs.'))).toBe(false);
  });

  it('plans with the read-only plan role outside any GitHub environment, after the policy rules, and only with shared state', () => {
    for (const job of [plan, replan]) {
      expect(job.environment).toBeUndefined(); // the plan role trusts branches, not GitHub environments
      expect(String(roleOf(job))).toContain('vars.AWS_PLAN_ROLE_ARN');
    }
    const runs = runsIn(plan);
    const policy = runs.indexOf('npm run policy -- --env "$ENVIRONMENT"');
    expect(policy).toBeGreaterThanOrEqual(0);
    expect(runs.indexOf('tools/ci/plan-stacks.sh')).toBeGreaterThan(policy);
    expect(runsIn(replan)).toContain('tools/ci/plan-stacks.sh services');
    expect(runs.join('\n')).toMatch(/stateBackend\)"\n\s*if \[ "\$backend" != s3 \]; then[\s\S]*?exit 1/);
    for (const job of [plan, replan]) expect(runsIn(job).some((run) => run.includes('tools/plan-comment.ts --env "$ENVIRONMENT" --plans plans') && run.includes('>> "$GITHUB_STEP_SUMMARY"'))).toBe(true);
  });

  it('applies in dependency order: the shared stack, then the service stacks planned after it, each apply behind the infra-<env> approval', () => {
    expect(applyShared.needs).toBe('plan');
    expect(applyShared.if).toBe("needs.plan.outputs.shared == 'true'");
    expect(replan.needs).toBe('apply-shared');
    expect(applyServices.needs).toEqual(['plan', 'apply-shared', 'replan']);
    // Never the service plans made before a shared apply: with a shared change only replan's.
    expect(applyServices.if).toContain("(needs.plan.outputs.shared != 'true' && needs.plan.outputs.services != '')");
    expect(applyServices.if).toContain("(needs.plan.outputs.shared == 'true' && needs.replan.result == 'success' && needs.replan.outputs.services != '')");
    for (const job of [applyShared, applyServices]) {
      expect(job.environment).toBe('infra-${{ inputs.environment }}');
      expect(roleOf(job)).toBe('${{ vars.AWS_INFRA_ROLE_ARN }}');
      expect(runsIn(job).some((run) => /\bcdktf deploy\b|terraform (-chdir=\S+ )?apply/.test(run))).toBe(false); // only through apply-stacks.sh
    }
    expect(runsIn(applyShared).at(-1)).toBe('tools/ci/apply-stacks.sh "$STACK"');
    expect(runsIn(applyServices).at(-1)).toBe('tools/ci/apply-stacks.sh $STACKS');
  });

  it('hands each apply job the saved plans of its plan job, kept one day, provider lock files included', () => {
    expect(downloadOf(applyShared).with?.name).toBe(uploadOf(plan).with?.name);
    expect(uploadOf(replan).with?.name).toBe('tfplan-${{ inputs.environment }}-after-shared');
    expect(downloadOf(applyServices).with?.name).toBe('${{ steps.plans.outputs.artifact }}');
    for (const job of [plan, replan]) {
      expect(uploadOf(job).with).toMatchObject({ path: 'saved-plans/', 'include-hidden-files': true, 'retention-days': 1, 'if-no-files-found': 'error' });
    }
    for (const job of [applyShared, applyServices]) expect(downloadOf(job).with?.path).toBe('saved-plans');
  });
});
