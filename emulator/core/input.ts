/**
 * A refusal of the control surface (the JSON routes, the control file, `emu.control` from code),
 * with the status and code the HTTP layer answers it with; it knows no HTTP itself.
 */
export class ControlError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Checking control input (JSON bodies, query strings, the --control-file, and the same values
 * given from code). Bad input is the caller's mistake: the HTTP routes answer it with 400.
 */
export class ControlInputError extends ControlError {
  override readonly name = 'ControlInputError';
  /** `reason`: what is wrong, without the setting's name (the message may lead with it). */
  constructor(
    message: string,
    readonly reason = message,
  ) {
    super('InvalidRequest', 400, message);
  }
}

/**
 * A refusal of one named setting: `key: reason`, as the routes and the control file name their
 * fields. A command-line flag's parser shows the reason alone, as commander names the flag.
 */
export function settingError(key: string, reason: string): ControlInputError {
  return new ControlInputError(`${key}: ${reason}`, reason);
}

/** A plain object with only the allowed keys. */
export function record(value: unknown, what: string, allowed: ReadonlySet<string>): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ControlInputError(`${what} must be a JSON object`);
  }
  const o = value as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (!allowed.has(key)) throw new ControlInputError(`${what}: unknown field ${key} (known: ${[...allowed].join(', ')})`);
  }
  return o;
}

export function optionalString(o: Record<string, unknown>, key: string): string | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw settingError(key, 'a string');
  return v;
}

export function integer(o: Record<string, unknown>, key: string, min: number, max: number): number | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw settingError(key, `a whole number from ${min} to ${max}`);
  }
  return v;
}

/** A whole number from a query string or a CLI flag. */
export function integerText(key: string, text: string, min: number, max: number): number {
  const v = /^\d{1,16}$/.test(text) ? Number(text) : NaN;
  if (!(v >= min && v <= max)) throw settingError(key, `a whole number from ${min} to ${max}`);
  return v;
}
