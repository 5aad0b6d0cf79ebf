import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020';
import type { RequestIssueDto, RequestValidationDto, ServiceDefinitionDto } from '@aitbc/contracts';

/** At most this many errors and warnings each are listed; a `truncated` warning counts the rest. */
export const MAX_ISSUES = 50;
/** Longer parameter names (from a hostile body) are cut in reports. */
const MAX_FIELD_LENGTH = 64;

const A_TYPE: Record<string, string> = {
  string: 'a string',
  integer: 'an integer',
  number: 'a number',
  boolean: 'a boolean',
  array: 'an array',
  object: 'an object',
};

/**
 * Checks a request body against a service's compiled request schema: `valid` exactly when the
 * schema accepts it. Each problem becomes `{field, message, code}`; parameters the service does not
 * know are warnings. Total on any JSON: it reads only the body's own top-level keys, and values are
 * never echoed back.
 */
export function validateServiceRequest(
  definition: ServiceDefinitionDto,
  validate: ValidateFunction,
  body: unknown,
): RequestValidationDto {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return {
      valid: false,
      errors: [{ field: '', message: 'the body must be a JSON object', code: 'type' }],
      warnings: [],
    };
  }
  const failures = validate(body) ? [] : (validate.errors ?? []);
  const known = new Set(definition.input_parameters.map((parameter) => parameter.name));
  const unknown = Object.keys(body).filter((name) => !known.has(name));
  return {
    valid: failures.length === 0,
    errors: failures.slice(0, MAX_ISSUES).map((error) => toIssue(definition, error)),
    warnings: [
      ...unknown.slice(0, MAX_ISSUES).map((name) => {
        const field = shorten(name);
        return { field, message: `${field} is not a parameter of ${definition.id}`, code: 'unknown' };
      }),
      ...truncation(failures.length, 'errors'),
      ...truncation(unknown.length, 'warnings'),
    ],
  };
}

function truncation(count: number, what: string): RequestIssueDto[] {
  const more = count - MAX_ISSUES;
  return more > 0 ? [{ field: '', message: `${more} more ${what} not listed`, code: 'truncated' }] : [];
}

function toIssue(definition: ServiceDefinitionDto, error: ErrorObject): RequestIssueDto {
  const params = error.params as Record<string, unknown>;
  const path = pointerSegments(error.instancePath);
  if (error.keyword === 'required') {
    path.push(String(params.missingProperty));
  }
  const field = fieldName(path);
  const issue = (message: string, code: string) => ({ field, message: `${field} ${message}`, code });
  switch (error.keyword) {
    case 'required':
      return issue('is required', 'required');
    case 'type':
      return issue(`must be ${A_TYPE[String(params.type)] ?? String(params.type)}`, 'type');
    case 'minimum':
      return issue(`must be at least ${String(params.limit)}`, 'range');
    case 'maximum':
      return issue(`must be at most ${String(params.limit)}`, 'range');
    case 'multipleOf':
      return issue(`must be a multiple of ${String(params.multipleOf)}`, 'multiple');
    case 'minLength':
      return issue(`must be at least ${count(params.limit, 'character')} long`, 'length');
    case 'maxLength':
      return issue(`must be at most ${count(params.limit, 'character')} long`, 'length');
    case 'minItems':
      return issue(`must have at least ${count(params.limit, 'item')}`, 'items');
    case 'maxItems':
      return issue(`must have at most ${count(params.limit, 'item')}`, 'items');
    case 'enum':
      return issue(`must be one of ${(params.allowedValues as unknown[]).join(', ')}`, 'enum');
    case 'pattern': {
      const parameter = definition.input_parameters.find((p) => p.name === path[0]);
      return parameter?.type === 'url'
        ? issue('must be an http or https URL', 'pattern')
        : issue(`must match ${String(params.pattern)}`, 'pattern');
    }
    default:
      return issue(error.message ?? 'is invalid', error.keyword);
  }
}

/** 1 character, 2 characters. */
function count(limit: unknown, noun: string): string {
  return `${String(limit)} ${noun}${limit === 1 ? '' : 's'}`;
}

/** `/tags/3` → ['tags', '3'] (RFC 6901 unescaped). */
function pointerSegments(pointer: string): string[] {
  return pointer === ''
    ? []
    : pointer
        .slice(1)
        .split('/')
        .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** ['tags', '3'] → `tags[3]`. */
function fieldName(path: string[]): string {
  return shorten(
    path
      .map((segment, i) => (i > 0 && /^\d+$/.test(segment) ? `[${segment}]` : segment))
      .join('.')
      .replace(/\.\[/g, '['),
  );
}

function shorten(name: string): string {
  return name.length > MAX_FIELD_LENGTH ? `${name.slice(0, MAX_FIELD_LENGTH)}…` : name;
}
