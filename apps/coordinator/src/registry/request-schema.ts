import type { ServiceDefinitionDto, ServiceParameterDto } from '@aitbc/contracts';

/**
 * A `url` parameter: http or https, a host, no whitespace. A pattern rather than `format`, which
 * validators may skip; linear on any input (one fixed host character, then one greedy run).
 */
export const URL_PATTERN = '^https?://[^\\s/?#][^\\s]*$';
export const URL_MAX_LENGTH = 2048;

type Schema = Record<string, unknown>;

/** Only the keywords that have a value. */
function keywords(entries: Record<string, unknown>): Schema {
  return Object.fromEntries(Object.entries(entries).filter(([, value]) => value !== undefined));
}

/** One parameter as a JSON Schema (2020-12) property. */
export function parameterSchema(parameter: ServiceParameterDto): Schema {
  const annotations = keywords({ description: parameter.description, default: parameter.default });
  switch (parameter.type) {
    case 'string':
      return keywords({
        type: 'string',
        minLength: parameter.min_length,
        maxLength: parameter.max_length,
        pattern: parameter.pattern,
        ...annotations,
      });
    case 'url':
      return keywords({
        type: 'string',
        minLength: parameter.min_length,
        maxLength: parameter.max_length ?? URL_MAX_LENGTH,
        pattern: parameter.pattern ?? URL_PATTERN,
        ...annotations,
      });
    case 'integer':
    case 'number':
      return keywords({
        type: parameter.type,
        minimum: parameter.minimum,
        maximum: parameter.maximum,
        multipleOf: parameter.multiple_of,
        ...annotations,
      });
    case 'boolean':
      return { type: 'boolean', ...annotations };
    case 'enum':
      return { type: 'string', enum: parameter.options, ...annotations };
    case 'array':
      return keywords({
        type: 'array',
        items: { type: parameter.items },
        minItems: parameter.min_items,
        maxItems: parameter.max_items,
        ...annotations,
      });
    case 'object':
      return { type: 'object', ...annotations };
  }
}

/**
 * The JSON Schema (2020-12) of a service's request, generated from its parameters, with the
 * definition's example and, under `$defs.result`, the schema of what the miner returns. Parameters
 * it does not name are allowed (the validate endpoint warns about them).
 */
export function requestSchema(definition: ServiceDefinitionDto): Schema {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: definition.name,
    description: definition.description,
    type: 'object',
    properties: Object.fromEntries(definition.input_parameters.map((p) => [p.name, parameterSchema(p)])),
    required: definition.input_parameters.filter((p) => p.required).map((p) => p.name),
    examples: [definition.example],
    $defs: { result: definition.output_schema },
  };
}
