/**
 * The house shows its layers: every import in the repository points down a layer (or stays in its
 * own), checked file by file with the TypeScript compiler's import scanner; and every module file
 * is named after the construct it defines.
 *
 * The layers are defined here and nowhere else. A file in no layer fails the test, so a new folder
 * gets a place in the table before it gets code. Tests (__tests__/) sit above everything and are
 * not checked.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

const ROOT = join(__dirname, '..');

interface Layer {
  /** What the layer is, for the failure message. */
  readonly name: string;
  /** Files (`x.ts`) and folders (`x/`) it holds, relative to the repository root. */
  readonly paths: readonly string[];
  /** The layers below it that its files may import (by name); imports inside the layer are always allowed. */
  readonly mayImport: readonly string[];
}

/** Bottom first: each layer may import only the layers in its `mayImport`, each of them listed before it. */
const LAYERS: readonly Layer[] = [
  { name: 'config', paths: ['config/'], mayImport: [] },
  // The release tool (scripts/), bottom up: leaves, AWS clients, the run context, steps, commands, the dispatcher, the entry.
  { name: 'scripts/cli', paths: ['scripts/cli/'], mayImport: [] },
  { name: 'scripts/aws', paths: ['scripts/aws/'], mayImport: ['config', 'scripts/cli'] },
  { name: 'scripts/context', paths: ['scripts/context.ts'], mayImport: ['config', 'scripts/cli', 'scripts/aws'] },
  { name: 'scripts/steps', paths: ['scripts/steps/'], mayImport: ['config', 'scripts/cli', 'scripts/aws', 'scripts/context'] },
  { name: 'scripts/commands', paths: ['scripts/commands/'], mayImport: ['config', 'scripts/cli', 'scripts/aws', 'scripts/context', 'scripts/steps'] },
  { name: 'scripts/main', paths: ['scripts/main.ts'], mayImport: ['config', 'scripts/cli', 'scripts/aws', 'scripts/context', 'scripts/steps', 'scripts/commands'] },
  { name: 'scripts/entry', paths: ['scripts/deploy.ts', 'scripts/launch.js'], mayImport: ['scripts/cli', 'scripts/context', 'scripts/main'] },
  // Infrastructure: constructs, and the rules over what they synthesize (which trust no list of the constructs').
  { name: 'modules', paths: ['modules/'], mayImport: ['config'] },
  { name: 'policy', paths: ['policy/'], mayImport: ['config'] },
  // The local AWS endpoint: it plays AWS, so it knows the configuration and nothing of the tool it serves.
  { name: 'emulator', paths: ['emulator/'], mayImport: ['config'] },
  // Code that runs elsewhere: the example service and the verification hook's Lambda.
  { name: 'app', paths: ['app/', 'functions/'], mayImport: [] },
  // Entry points: the cdktf app and the offline Terraform tooling, then the benchmarks over everything.
  { name: 'tools', paths: ['main.ts', 'tools/'], mayImport: ['config', 'modules', 'policy'] },
  {
    name: 'bench',
    paths: ['bench/'],
    mayImport: ['config', 'scripts/cli', 'scripts/aws', 'scripts/context', 'scripts/steps', 'scripts/commands', 'scripts/main', 'scripts/entry', 'modules', 'policy', 'emulator', 'tools'],
  },
];

/** Folders that hold no source of a layer: dependencies, build output, tests. */
const NOT_SOURCE = new Set(['node_modules', 'dist', '__tests__', 'cdktf.out', 'coverage']);

/**
 * Source files (TypeScript and JavaScript) of the repository, relative to its root: every file in
 * its folders, and of the files at the root only the TypeScript ones (jest.config.js is tooling).
 */
function sourceFiles(dir = ROOT): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return NOT_SOURCE.has(entry.name) || entry.name.startsWith('.') ? [] : sourceFiles(path);
    const source = dir === ROOT ? /\.ts$/.test(entry.name) : /\.(ts|js|cjs|mjs)$/.test(entry.name);
    return source && !entry.name.endsWith('.d.ts') ? [relative(ROOT, path)] : [];
  });
}

function layerOf(file: string): Layer | undefined {
  return LAYERS.find((layer) => layer.paths.some((path) => (path.endsWith('/') ? file.startsWith(path) : file === path)));
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** The repository file a relative import names (`../config` → `config/index.ts`), or undefined when none exists. */
function resolveImport(from: string, specifier: string): string | undefined {
  const base = resolve(ROOT, dirname(from), specifier);
  const found = [base, `${base}.ts`, `${base}.js`, join(base, 'index.ts'), join(base, 'index.js')].find(isFile);
  return found && relative(ROOT, found);
}

/** Every relative import in a source text (static, `import type`, `export ... from`, `import()`, `require()`). */
function relativeImports(source: string): string[] {
  return ts
    .preProcessFile(source, true, true)
    .importedFiles.map((imported) => imported.fileName)
    .filter((specifier) => specifier.startsWith('.'));
}

/** Each import of `files` that leaves its layer for one it may not import, as `file imports target (layer → layer)`. */
function layerViolations(files: readonly string[], read: (file: string) => string = (file) => readFileSync(join(ROOT, file), 'utf8')): string[] {
  return files.flatMap((file) => {
    const from = layerOf(file);
    if (!from) return [`${file} is in no layer`];
    return relativeImports(read(file)).flatMap((specifier) => {
      const target = resolveImport(file, specifier);
      const to = target === undefined ? undefined : layerOf(target);
      if (to === from || (to && from.mayImport.includes(to.name))) return [];
      return [`${file} imports ${target ?? specifier} (${from.name} → ${to?.name ?? 'no layer'})`];
    });
  });
}

describe('imports only point down a layer', () => {
  const files = sourceFiles();

  it('finds the sources it checks', () => {
    expect(files).toEqual(expect.arrayContaining(['main.ts', 'config/index.ts', 'scripts/deploy.ts', 'modules/network.ts', 'emulator/server.ts', 'tools/terraform.ts']));
  });

  it('places every source file in a layer', () => {
    expect(files.filter((file) => layerOf(file) === undefined)).toEqual([]);
  });

  it('lists below each layer only layers further down', () => {
    const order = LAYERS.map((layer) => layer.name);
    const upward = LAYERS.flatMap((layer) => layer.mayImport.filter((name) => !order.includes(name) || order.indexOf(name) >= order.indexOf(layer.name)).map((name) => `${layer.name} → ${name}`));
    expect(upward).toEqual([]);
  });

  it('has no import that runs up or sideways', () => {
    expect(layerViolations(files)).toEqual([]);
  });

  it('reports an import that runs back up or sideways', () => {
    const sources: Record<string, string> = {
      'scripts/cli/output.ts': "import { deployCommand } from '../commands/deploy';\nimport type { Context } from '../context';",
      'scripts/steps/image.ts': "export { statusCommand } from '../commands/status';",
      'config/index.ts': "const network = require('../modules/network');",
      'policy/rules.ts': "import { ALLOWED_MANAGED_POLICIES } from '../modules/iam-policy';",
      'emulator/seed.ts': "const { main } = await import('../scripts/main');",
    };
    expect(layerViolations(Object.keys(sources), (file) => sources[file])).toEqual([
      'scripts/cli/output.ts imports scripts/commands/deploy.ts (scripts/cli → scripts/commands)',
      'scripts/cli/output.ts imports scripts/context.ts (scripts/cli → scripts/context)',
      'scripts/steps/image.ts imports scripts/commands/status.ts (scripts/steps → scripts/commands)',
      'config/index.ts imports modules/network.ts (config → modules)',
      'policy/rules.ts imports modules/iam-policy.ts (policy → modules)',
      'emulator/seed.ts imports scripts/main.ts (emulator → scripts/main)',
    ]);
  });
});

// ---------------------------------------------------------------------------------------------
// Module files are named after the construct they define

/** `CodeDeployServiceRole` → `code-deploy-service-role`. */
function kebabCase(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/([A-Z])([A-Z][a-z])/g, '$1-$2')
    .toLowerCase();
}

/** The exported classes of a source text that extend a construct (`Construct`, `TerraformStack`). */
function constructClasses(source: string): string[] {
  const file = ts.createSourceFile('module.ts', source, ts.ScriptTarget.ES2022);
  return file.statements.filter(ts.isClassDeclaration).flatMap((declaration) => {
    const exported = declaration.modifiers?.some((modifier) => modifier.kind === ts.SyntaxKind.ExportKeyword);
    const base = declaration.heritageClauses?.find((clause) => clause.token === ts.SyntaxKind.ExtendsKeyword)?.types[0]?.expression.getText(file);
    return exported && declaration.name && base && ['Construct', 'TerraformStack'].includes(base) ? [declaration.name.text] : [];
  });
}

/** Each module file that defines constructs but is named after none of them. */
function misnamedModules(files: readonly string[], read: (file: string) => string): string[] {
  return files.flatMap((file) => {
    const classes = constructClasses(read(file));
    const name = file.replace(/^.*\//, '').replace(/\.ts$/, '');
    return classes.length === 0 || classes.some((construct) => kebabCase(construct) === name) ? [] : [`${file} defines ${classes.join(', ')}`];
  });
}

/** Files being replaced in another change; each must still exist, so the exception is dropped with the file. */
const RENAMED_ELSEWHERE: Readonly<Record<string, string>> = {};

describe('module files are named after the construct they define', () => {
  const modules = sourceFiles(join(ROOT, 'modules')).filter((file) => file.endsWith('.ts'));
  const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');

  it('has each construct in a file of its name, in kebab case', () => {
    expect(misnamedModules(modules.filter((file) => !(file in RENAMED_ELSEWHERE)), read)).toEqual([]);
  });

  it('keeps exceptions only for files that still exist', () => {
    expect(Object.keys(RENAMED_ELSEWHERE).filter((file) => !modules.includes(file))).toEqual([]);
  });

  it('reports a construct in a file named otherwise, as modules/cluster.ts once held EcsCluster', () => {
    const source = "import { Construct } from 'constructs';\nexport interface EcsClusterProps {}\nexport class EcsCluster extends Construct {}";
    expect(misnamedModules(['modules/cluster.ts', 'modules/ecs-cluster.ts'], () => source)).toEqual(['modules/cluster.ts defines EcsCluster']);
    expect(kebabCase('CodeDeployServiceRole')).toBe('code-deploy-service-role');
  });
});
