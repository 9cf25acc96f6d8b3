import { SimpleDBParameterError } from './errors.js';
import type { QueryParam } from './signer.js';

/**
 * What a command serialised, checked before anything is signed or sent. The types already refuse
 * these mistakes; JavaScript callers (and casts) can still make them, and before this check `null`
 * went out as the text "null", an object as "[object Object]", and a lone surrogate made
 * `encodeURIComponent` throw a bare `URIError`. `null` and `undefined` are left out, as SDK v3's
 * serialisers do, so the service names the missing parameter; numbers, bigints and booleans go as
 * their text, as they would there.
 */
export function checkedParams(action: string, params: readonly QueryParam[]): QueryParam[] {
  const out: QueryParam[] = [];
  for (const [name, raw] of params) {
    const value: unknown = raw;
    if (value === undefined || value === null) continue;
    if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') {
      out.push([name, String(value)]);
      continue;
    }
    if (typeof value !== 'string') {
      throw new SimpleDBParameterError(action, name, `${action}: ${name} is ${describe(value)}, not a string; nothing was sent`);
    }
    // In a `u` regular expression a surrogate pair is one code point, so only a lone half matches.
    const lone = /[\uD800-\uDFFF]/u.exec(value);
    if (lone) {
      const code = lone[0].charCodeAt(0).toString(16).toUpperCase();
      throw new SimpleDBParameterError(
        action,
        name,
        `${action}: ${name} holds a lone surrogate (U+${code} at index ${lone.index}), which UTF-8 cannot encode; nothing was sent`,
      );
    }
    out.push([name, value]);
  }
  return out;
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}
