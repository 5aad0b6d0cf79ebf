/** A payload field that fails its check. Parsers throw it and return `{ok: false, message}` at their edge. */
export class BadInput extends Error {}

export type Checked<T> = { ok: true; value: T } | { ok: false; message: string };

/** Runs a parser that throws `BadInput`; messages name the field, never its content. */
export function checked<T>(parse: () => T): Checked<T> {
  try {
    return { ok: true, value: parse() };
  } catch (error) {
    if (error instanceof BadInput) {
      return { ok: false, message: error.message };
    }
    throw error;
  }
}

export function record(value: unknown, field: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new BadInput(`${field} must be an object`);
  }
  return value as Record<string, unknown>;
}

export function optionalNumber(
  value: unknown,
  field: string,
  { min = -Infinity, max = Infinity, integer = false }: { min?: number; max?: number; integer?: boolean } = {},
): number | undefined {
  if (value === undefined || value === null) {
    return undefined;
  }
  const valid = integer ? Number.isSafeInteger(value) : typeof value === 'number' && Number.isFinite(value);
  if (!valid || (value as number) < min || (value as number) > max) {
    const range =
      max !== Infinity
        ? ` from ${min} to ${max}`
        : min !== -Infinity && min > Number.MIN_SAFE_INTEGER
          ? ` ≥ ${min}`
          : '';
    throw new BadInput(`${field} must be ${integer ? 'an integer' : 'a number'}${range}`);
  }
  return value as number;
}
