import type { Resource } from 'solid-js';

/**
 * A resource's latest value, or undefined while its last load failed: reading `latest` then
 * throws that error (Solid's resources do), which would take the whole page down instead of
 * showing the error beside what still works.
 */
export function loaded<T>(resource: Resource<T>): T | undefined {
  return resource.error === undefined ? resource.latest : undefined;
}
