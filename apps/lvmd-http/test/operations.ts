/** Helpers for specs that go over every operation of the OpenAPI document. */

/** The document's path with its parameters filled in: the volume `origin`, the class `thin`. */
export function concretePath(path: string): string {
  return path.replace('{name}', 'origin').replace('{deviceClass}', 'thin');
}

/** A valid body for each operation that takes one, so that only the rule under test can fail. */
export const VALID_BODY: Readonly<Record<string, object>> = {
  createLogicalVolume: { sizeBytes: 2 ** 30 },
  createSnapshot: { name: 'snap1', accessType: 'ro' },
  resizeLogicalVolume: { sizeBytes: 2 ** 30 },
  setActivation: { active: true },
};
