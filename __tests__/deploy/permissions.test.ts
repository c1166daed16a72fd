/**
 * The deploy role's actions come from config/release-permissions.ts; these tests hold that list
 * to the release tool's source: every AWS SDK command in scripts/ must be in it, and every action
 * in it must be used by the tool, implied by a call the tool makes, or needed by the image push.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { IAM_PREFIX_BY_SDK_CLIENT, iamActionOfSdkCommand, RELEASE_PERMISSIONS } from '../../config/release-permissions';

const REPO_ROOT = resolve(__dirname, '../..');

function typescriptFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return typescriptFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

interface SdkCommandUse {
  readonly file: string;
  readonly commandClass: string;
  /** The package the class is imported from; undefined when the file does not import it from an AWS SDK client. */
  readonly clientPackage?: string;
}

/** The names a file imports from AWS SDK client packages: local name → package and exported name. */
function sdkImports(source: string): Map<string, { clientPackage: string; name: string }> {
  const imported = new Map<string, { clientPackage: string; name: string }>();
  for (const match of source.matchAll(/import\s+(?:type\s+)?\{([^}]*)\}\s*from\s*['"](@aws-sdk\/client-[a-z0-9-]+)['"]/g)) {
    for (const specifier of match[1].split(',')) {
      const [name, local = name] = specifier.trim().replace(/^type\s+/, '').split(/\s+as\s+/);
      if (name) imported.set(local, { clientPackage: match[2], name });
    }
  }
  return imported;
}

/** Every SDK command a source file constructs (`new XxxCommand(`, aliases resolved), with its client package. */
function sdkCommandUses(file: string, source: string): SdkCommandUse[] {
  const imported = sdkImports(source);
  return [...source.matchAll(/\bnew\s+([A-Za-z_$][\w$]*)\s*\(/g)].flatMap((match): SdkCommandUse[] => {
    const fromSdk = imported.get(match[1]);
    if (fromSdk?.name.endsWith('Command')) return [{ file, commandClass: fromSdk.name, clientPackage: fromSdk.clientPackage }];
    return match[1].endsWith('Command') ? [{ file, commandClass: match[1] }] : [];
  });
}

const uses = typescriptFiles(join(REPO_ROOT, 'scripts')).flatMap((file) => sdkCommandUses(relative(REPO_ROOT, file), readFileSync(file, 'utf8')));
const actionsTheToolSends = new Set(uses.map((use) => iamActionOfSdkCommand(use.clientPackage ?? '', use.commandClass)));
const listed = (source: string) => RELEASE_PERMISSIONS.filter((permission) => permission.source === source).map((permission) => permission.action);

describe('the release permissions against the release tool', () => {
  it('finds the SDK commands the tool sends (the scan works)', () => {
    expect(uses.length).toBeGreaterThan(20);
    expect(actionsTheToolSends).toContain('codedeploy:CreateDeployment');
    expect(actionsTheToolSends).toContain('elasticloadbalancing:DescribeListeners');
  });

  it('knows the AWS service of every SDK command in scripts/', () => {
    const unknown = uses.filter((use) => !use.clientPackage || !(use.clientPackage in IAM_PREFIX_BY_SDK_CLIENT));
    expect(unknown.map((use) => `${use.file}: ${use.commandClass} from ${use.clientPackage ?? 'no AWS SDK client'}`)).toEqual([]);
  });

  it('lists exactly the SDK commands the tool sends as its "sdk" permissions: a new call without its permission fails here', () => {
    expect([...actionsTheToolSends].sort()).toEqual(listed('sdk').sort());
  });

  it('lists each action once, with a reason', () => {
    const actions = RELEASE_PERMISSIONS.map((permission) => permission.action);
    expect(actions.filter((action, index) => actions.indexOf(action) !== index)).toEqual([]);
    expect(RELEASE_PERMISSIONS.filter((permission) => permission.why.trim().length < 10)).toEqual([]);
  });

  it.each(['docs/identity.md', 'README.md'])('is documented action by action in %s', (file) => {
    const documentation = readFileSync(join(REPO_ROOT, file), 'utf8');
    expect(RELEASE_PERMISSIONS.map((permission) => permission.action).filter((action) => !documentation.includes(`\`${action}\``))).toEqual([]);
  });

  it('adds beyond the SDK commands only the dependent actions AWS checks during them and the ECR push', () => {
    expect(listed('implied').sort()).toEqual(['codedeploy:GetApplicationRevision', 'codedeploy:RegisterApplicationRevision', 'ecs:TagResource', 'iam:PassRole']);
    expect(listed('push').sort()).toEqual([
      'ecr:BatchCheckLayerAvailability',
      'ecr:BatchGetImage',
      'ecr:CompleteLayerUpload',
      'ecr:GetAuthorizationToken',
      'ecr:InitiateLayerUpload',
      'ecr:PutImage',
      'ecr:UploadLayerPart',
    ]);
  });
});

describe('the SDK command scan', () => {
  it('maps multi-line and aliased imports to their client package', () => {
    const source = "import {\n  DescribeServicesCommand,\n  type Service,\n  UpdateServiceCommand as Update,\n} from '@aws-sdk/client-ecs';\nnew DescribeServicesCommand({});\nnew Update({});";
    expect(sdkCommandUses('x.ts', source).map((use) => iamActionOfSdkCommand(use.clientPackage ?? '', use.commandClass))).toEqual(['ecs:DescribeServices', 'ecs:UpdateService']);
  });

  it('reports a command class that does not come from an AWS SDK client', () => {
    expect(sdkCommandUses('x.ts', "import { FakeCommand } from './fake';\nnew FakeCommand();")).toEqual([{ file: 'x.ts', commandClass: 'FakeCommand' }]);
  });
});
