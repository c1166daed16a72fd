import { loadEnvironment } from '../../config';
import { fleetOf, testFleetCount } from '../../config/fleet';

describe('fleetOf', () => {
  const preview = loadEnvironment('preview');

  it('cycles through the templates, keeping the first round\'s names and numbering the later rounds', () => {
    const fleet = fleetOf(preview, 5);
    expect(fleet.services.map((service) => service.name)).toEqual(['web', 'worker', 'web2', 'worker2', 'web3']);
    expect(fleet.services.map((service) => service.kind)).toEqual(['web', 'worker', 'web', 'worker', 'web']);
  });

  it('keeps everything but the services, and the templates\' settings', () => {
    const fleet = fleetOf(preview, 50, preview.services.slice(0, 1));
    expect(fleet.services).toHaveLength(50);
    expect(new Set(fleet.services.map((service) => service.name)).size).toBe(50);
    expect(fleet.services[49]).toEqual({ ...preview.services[0], name: 'web50' });
    expect({ ...fleet, services: [] }).toEqual({ ...preview, services: [] });
  });

  it('refuses a count that is not a positive integer', () => {
    expect(() => fleetOf(preview, 0)).toThrow(/positive integer/);
    expect(() => fleetOf(preview, 1.5)).toThrow(/positive integer/);
  });
});

describe('TEST_FLEET', () => {
  it('names an environment and a count; other environments are left as they are', () => {
    expect(testFleetCount('dev=50', 'dev')).toBe(50);
    expect(testFleetCount('dev=50', 'prod')).toBeUndefined();
    expect(testFleetCount(undefined, 'dev')).toBeUndefined();
    expect(() => testFleetCount('dev:50', 'dev')).toThrow('TEST_FLEET "dev:50" must be ENV=COUNT, e.g. dev=50 (COUNT from 1 to 999)');
    expect(() => testFleetCount('dev=0', 'dev')).toThrow(/must be ENV=COUNT/);
  });

  it('makes dev a fleet of blue/green web services and rolling workers, alternating, only offline', () => {
    const fleet = loadEnvironment('dev', { offline: true, fleet: 'dev=50' });
    expect(fleet.services).toHaveLength(50);
    expect(fleet.services.slice(0, 4).map((service) => `${service.name}:${service.release.strategy}`)).toEqual(['web:blue-green', 'worker:rolling', 'web2:blue-green', 'worker2:rolling']);
    expect(() => loadEnvironment('dev', { offline: false, fleet: 'dev=50' })).toThrow('TEST_FLEET makes dev a synthetic fleet for the emulator and is honoured only offline (ECS_BG_OFFLINE=1); unset it');
  });
});
