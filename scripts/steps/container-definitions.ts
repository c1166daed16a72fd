/** New container definitions: the base's, with only the released container's image changed. */
import type { ContainerDefinition } from '@aws-sdk/client-ecs';
import { BadInputError } from '../cli/errors';

export function findContainer(containers: readonly ContainerDefinition[], name: string, where: string): ContainerDefinition {
  const container = containers.find((candidate) => candidate.name === name);
  if (!container) {
    const names = containers.map((candidate) => candidate.name).join(', ') || 'none';
    throw new BadInputError(`container "${name}" is not in ${where} (containers: ${names}); check containerName in config/environments.ts`);
  }
  return container;
}

/** Every other field and every other container stays exactly as in the base. */
export function withImage(containers: readonly ContainerDefinition[], name: string, image: string): ContainerDefinition[] {
  return containers.map((container) => (container.name === name ? { ...container, image } : container));
}
