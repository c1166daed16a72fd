import { loadEnvironment } from '../../config';
import { fleetOf } from '../../config/fleet';

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
