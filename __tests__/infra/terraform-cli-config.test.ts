import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { cliConfig, findProviderMirror } from '../../tools/terraform';
import { inScratchDir } from '../support/scratch';

describe('the Terraform CLI config of tools/terraform.ts', () => {
  it('installs hashicorp providers from the mirror only, when there is one', () => {
    const config = cliConfig('/opt/tf-plugins', '/repo/.tf/plugin-cache');
    expect(config).toMatch(/filesystem_mirror \{\s+path\s+= "\/opt\/tf-plugins"\s+include = \["registry\.terraform\.io\/hashicorp\/\*"\]/);
    expect(config).toMatch(/direct \{\s+exclude = \["registry\.terraform\.io\/hashicorp\/\*"\]/);
  });

  it('falls back to a normal registry install with a shared plugin cache', () => {
    expect(cliConfig(undefined, '/repo/.tf/plugin-cache')).toBe('plugin_cache_dir = "/repo/.tf/plugin-cache"\nprovider_installation {\n  direct {}\n}\n');
  });

  it('prefers TF_PLUGIN_MIRROR, then a directory that holds the aws provider', async () => {
    await inScratchDir('mirror', (empty) => {
      expect(findProviderMirror({ TF_PLUGIN_MIRROR: '/custom' }, empty)).toBe('/custom');
      expect(findProviderMirror({}, empty)).toBeUndefined();
      mkdirSync(join(empty, 'registry.terraform.io', 'hashicorp', 'aws'), { recursive: true });
      expect(findProviderMirror({}, empty)).toBe(empty);
    });
  });
});
