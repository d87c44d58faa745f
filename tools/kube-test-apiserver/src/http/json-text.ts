/**
 * JSON text of the objects a write sends twice: a change is written to its watchers (inside
 * the store's update, before the handler answers) and then returned as the response's body, the
 * same object (the endpoint's memoized form of the stored version). Both use this one
 * serialization. Stored objects and their served forms are never mutated, so the text of the
 * last one serialized stays right; only that one is kept (holding texts for the whole watch
 * history would cost as much memory as the history itself).
 */
let last: { readonly object: object; readonly text: string } | undefined;

/** JSON.stringify(object), reused when it is the object serialized last. */
export function objectJson(object: unknown): string {
  if (typeof object !== 'object' || object === null) return JSON.stringify(object);
  if (last !== undefined && last.object === object) return last.text;
  const text = JSON.stringify(object);
  last = { object, text };
  return text;
}

/** The text of `object` if it is the one serialized last, else undefined (nothing remembered). */
export function knownJson(object: unknown): string | undefined {
  return last !== undefined && last.object === object ? last.text : undefined;
}
