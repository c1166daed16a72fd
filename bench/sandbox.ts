/**
 * A scratch copy of the repository for the synthesis and Terraform parts, so the benchmark never
 * rewrites the checkout's cdktf.out/ or .tf/ under someone working in it.
 *
 * Everything is a symlink to the checkout except tools/ (copied: tools/terraform.ts writes next to
 * its own directory, and Node resolves a symlinked script to its real place) and the build output.
 * With `providerRoot`, main.ts and modules/ are generated copies whose provider imports name the
 * package root (`import { ecsService } from '@cdktf/provider-aws'`) instead of one resource's
 * module (`@cdktf/provider-aws/lib/ecs-service`): the naive form the benchmark compares with.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './measure';

/** Never linked: build output, VCS, and what the sandbox provides itself. */
const NOT_LINKED = ['.git', 'cdktf.out', '.tf', 'dist', 'coverage', 'tools', 'modules', 'main.ts'];

/** `ecs-service` → `ecsService`: how the package root names each resource's module. */
export function rootExportName(moduleName: string): string {
  return moduleName.replace(/-([a-z0-9])/g, (_, letter: string) => letter.toUpperCase());
}

const DEEP_IMPORT = /^import\s+(type\s+)?\{([^}]*)\}\s+from\s+'@cdktf\/provider-aws\/lib\/([\w-]+)';$/gm;

/**
 * The same source with every `@cdktf/provider-aws/lib/<resource>` import taken from the package
 * root instead. Only for running: type-only names are dropped, as the TypeScript transform would.
 */
export function withProviderRootImports(source: string): string {
  return source.replace(DEEP_IMPORT, (_, typeOnly: string | undefined, names: string, moduleName: string) => {
    if (typeOnly) return '';
    const values = names
      .split(',')
      .map((name) => name.trim())
      .filter((name) => name && !name.startsWith('type '))
      .map((name) => name.replace(/\s+as\s+/, ': '));
    const namespace = rootExportName(moduleName);
    return `import { ${namespace} } from '@cdktf/provider-aws';\nconst { ${values.join(', ')} } = ${namespace};`;
  });
}

export interface SandboxOptions {
  /** Generated main.ts and modules/ that import the provider package root. */
  readonly providerRoot: boolean;
}

export function makeSandbox(options: SandboxOptions): string {
  const dir = mkdtempSync(join(tmpdir(), options.providerRoot ? 'bench-root-imports-' : 'bench-project-imports-'));
  for (const entry of readdirSync(ROOT)) {
    if (!NOT_LINKED.includes(entry)) symlinkSync(join(ROOT, entry), join(dir, entry));
  }
  cpSync(join(ROOT, 'tools'), join(dir, 'tools'), { recursive: true });
  if (!options.providerRoot) {
    symlinkSync(join(ROOT, 'modules'), join(dir, 'modules'), 'dir');
    symlinkSync(join(ROOT, 'main.ts'), join(dir, 'main.ts'));
    return dir;
  }
  cpSync(join(ROOT, 'modules'), join(dir, 'modules'), { recursive: true });
  for (const entry of readdirSync(join(dir, 'modules'), { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
    const path = join(entry.parentPath, entry.name);
    writeFileSync(path, withProviderRootImports(readFileSync(path, 'utf8')));
  }
  writeFileSync(join(dir, 'main.ts'), withProviderRootImports(readFileSync(join(ROOT, 'main.ts'), 'utf8')));
  return dir;
}
