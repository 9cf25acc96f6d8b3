/** A response body as JSON, or undefined when it is not JSON (tests assert which it should be). */
export function jsonOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
