/** The environment variables the release tool reads: every usable value passes, every problem is named. */
import { loadEnvironment } from '../../config';
import { environmentVariableProblems, NUMBER_VARIABLES, TOOL_VARIABLES } from '../../scripts/aws/environment-variables';
import { secretFragments } from '../../scripts/cli/output';

const prod = loadEnvironment('prod');

describe('environment variables', () => {
  it('accepts what a real setup and the emulator set', () => {
    expect(
      environmentVariableProblems(
        {
          AWS_REGION: 'ap-northeast-1',
          AWS_DEFAULT_REGION: 'ap-northeast-1',
          AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE',
          AWS_SECRET_ACCESS_KEY: 'secret',
          AWS_ENDPOINT_URL: 'http://127.0.0.1:4566',
          AWS_ENDPOINT_URL_ECS: 'https://ecs.ap-northeast-1.amazonaws.com',
          ECS_BG_POLL_MS: '20',
          ECS_BG_MAX_ATTEMPTS: '4',
          ECS_BG_REQUEST_TIMEOUT_MS: '5000',
          ECS_BG_OFFLINE: 'TRUE',
          ECS_BG_DEBUG: 'anything',
          CHAT_WEBHOOK_URL: 'https://hooks.slack.com/services/T0/B0/x',
          AWS_REGION_UNRELATED: 'ignored',
        },
        prod,
      ),
    ).toEqual([]);
  });

  it('accepts a profile name with the characters AWS profile names use', () => {
    expect(environmentVariableProblems({ AWS_PROFILE: 'shop-prod.admin@sso' }, prod)).toEqual([]);
  });

  it('treats an empty value as unset, as the SDK does', () => {
    expect(environmentVariableProblems({ AWS_REGION: '', ECS_BG_POLL_MS: '', CHAT_WEBHOOK_URL: '' }, prod)).toEqual([]);
  });

  it('lists every problem, each naming its variable', () => {
    const problems = environmentVariableProblems({ AWS_REGION: 'Tokyo', ECS_BG_POLL_MS: '1.5', ECS_BG_TIMEOUT: '1' }, prod);
    expect(problems.map((problem) => problem.split(' ')[0])).toEqual(['AWS_REGION', 'ECS_BG_POLL_MS', 'ECS_BG_TIMEOUT']);
  });

  it('knows every tuning variable the tool reads', () => {
    expect([...TOOL_VARIABLES].sort()).toEqual([...Object.keys(NUMBER_VARIABLES), 'ECS_BG_DEBUG', 'ECS_BG_OFFLINE'].sort());
  });

  it('escapes control characters in an echoed value', () => {
    expect(environmentVariableProblems({ AWS_PROFILE: 'prod\n' }, prod)[0]).toContain('AWS_PROFILE "prod\\n"');
  });

  it('checks the webhook variable the environment names, and never echoes its value', () => {
    const custom = { ...prod, chatWebhookEnv: 'PROD_CHAT_HOOK' };
    const [problem] = environmentVariableProblems({ PROD_CHAT_HOOK: 'token-only' }, custom);
    expect(problem).toMatch(/^PROD_CHAT_HOOK is set but is not an http\(s\) URL/);
    expect(problem).not.toContain('token-only');
  });
});

describe('secret fragments', () => {
  it('covers the URL as given and normalised, its credentials and its path, longest first', () => {
    expect(secretFragments('https://bot:pw12@hooks.example.test/services/T1/B2/x?token=abcdefgh')).toEqual([
      'https://bot:pw12@hooks.example.test/services/T1/B2/x?token=abcdefgh',
      'hooks.example.test/services/T1/B2/x',
      '/services/T1/B2/x',
      '?token=abcdefgh',
      'bot:pw12',
      'pw12',
    ]);
  });
});
