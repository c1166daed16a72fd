/**
 * The standalone emulator's command line (`npm run emulator`).
 */
import { environmentNamesList } from '../../config';
import { parseServerArgs, USAGE } from '../../emulator/server';

describe('npm run emulator', () => {
  it('seeds every configured environment at 100 ms per emulated second on a free port by default', () => {
    expect(parseServerArgs([])).toEqual({
      environments: environmentNamesList(),
      timeScale: 100,
      port: 0,
      replacementTimeoutMinutes: 5,
      quiet: false,
      help: false,
    });
  });

  it('restricts environments and takes time scale and port in either flag form', () => {
    expect(parseServerArgs(['--env', 'dev,prod', '--time-scale=20', '--port', '4566', '--quiet'])).toMatchObject({
      environments: ['dev', 'prod'],
      timeScale: 20,
      port: 4566,
      quiet: true,
    });
    expect(parseServerArgs(['--env', 'dev', '--env', 'preview']).environments).toEqual(['dev', 'preview']);
  });

  it('refuses unknown environments, flags and numbers with a message naming the fix', () => {
    expect(() => parseServerArgs(['--env', 'staging'])).toThrow(/unknown environment staging; use one of dev, prod, preview/);
    expect(() => parseServerArgs(['--time-scale', '0'])).toThrow(/--time-scale needs a valid number/);
    expect(() => parseServerArgs(['--port', '70000'])).toThrow(/--port needs a valid number/);
    expect(() => parseServerArgs(['--verbose'])).toThrow(/unknown flag --verbose/);
    expect(USAGE).toContain('/_emulator/state');
  });
});
