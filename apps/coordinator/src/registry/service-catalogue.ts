import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import type {
  CategoryCountDto,
  RequestValidationDto,
  ServiceCategory,
  ServiceDefinitionDto,
  ServiceSummaryDto,
} from '@aitbc/contracts';
import { SERVICE_CATEGORIES } from '@aitbc/contracts';
import { catalogueProblems } from './catalogue-checks';
import type { CatalogueFile } from './catalogue-files';
import { ServiceNotFoundError } from './registry.errors';
import { parameterSchema, requestSchema } from './request-schema';
import { validateServiceRequest } from './validate-service-request/request-validation';

/** The catalogue's data does not hold: the coordinator does not start. */
export class CatalogueError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid service catalogue:\n  - ${problems.join('\n  - ')}`);
    this.name = 'CatalogueError';
  }
}

interface CatalogueEntry {
  definition: ServiceDefinitionDto;
  schema: Record<string, unknown>;
  validate: ValidateFunction;
}

/**
 * The registry's service definitions, checked once when loaded: their data (`catalogueProblems`),
 * then every default, example and output schema against JSON Schema 2020-12. Read-only afterwards.
 */
export class ServiceCatalogue {
  private readonly entries: ReadonlyMap<string, CatalogueEntry>;

  constructor(files: readonly CatalogueFile[]) {
    const problems = catalogueProblems(files);
    if (problems.length > 0) {
      throw new CatalogueError(problems);
    }
    const ajv = new Ajv2020({ allErrors: true, strict: true });
    const entries = new Map<string, CatalogueEntry>();
    for (const { file, services } of files) {
      for (const definition of services) {
        const entry = compile(ajv, definition, (path, message) =>
          problems.push(`${file}: ${definition.id}.${path}: ${message}`),
        );
        if (entry) {
          entries.set(definition.id, entry);
        }
      }
    }
    if (problems.length > 0) {
      throw new CatalogueError(problems);
    }
    this.entries = entries;
  }

  /** Summaries, optionally of one category and matching `search` in id, name, description or tags. */
  list(category?: ServiceCategory, search?: string): ServiceSummaryDto[] {
    const needle = search?.trim().toLowerCase();
    return [...this.entries.values()]
      .map((entry) => entry.definition)
      .filter((definition) => category === undefined || definition.category === category)
      .filter((definition) => !needle || searchText(definition).includes(needle))
      .map(({ id, name, category, description, tags }) => ({ id, name, category, description, tags }));
  }

  categories(): CategoryCountDto[] {
    const all = [...this.entries.values()];
    return SERVICE_CATEGORIES.map((category) => ({
      category,
      count: all.filter((entry) => entry.definition.category === category).length,
    }));
  }

  get(id: string): ServiceDefinitionDto {
    return this.entry(id).definition;
  }

  schema(id: string): Record<string, unknown> {
    return this.entry(id).schema;
  }

  validate(id: string, body: unknown): RequestValidationDto {
    const { definition, validate } = this.entry(id);
    return validateServiceRequest(definition, validate, body);
  }

  private entry(id: string): CatalogueEntry {
    const entry = this.entries.get(id);
    if (!entry) {
      throw new ServiceNotFoundError();
    }
    return entry;
  }
}

function searchText({ id, name, description, tags }: ServiceDefinitionDto): string {
  return [id, name, description, ...tags].join('\n').toLowerCase();
}

/** Compiles a definition's schemas and checks its defaults and example against them. */
function compile(
  ajv: Ajv2020,
  definition: ServiceDefinitionDto,
  report: (path: string, message: string) => void,
): CatalogueEntry | null {
  try {
    ajv.compile(definition.output_schema);
  } catch (error) {
    report('output_schema', messageOf(error));
    return null;
  }
  for (const parameter of definition.input_parameters) {
    if (parameter.default !== undefined && !ajv.validate(parameterSchema(parameter), parameter.default)) {
      report(`input_parameters.${parameter.name}.default`, ajv.errorsText(ajv.errors, { dataVar: 'default' }));
    }
  }
  const schema = requestSchema(definition);
  let validate: ValidateFunction;
  try {
    validate = ajv.compile(schema);
  } catch (error) {
    report('input_parameters', `no valid JSON Schema: ${messageOf(error)}`);
    return null;
  }
  const verdict = validateServiceRequest(definition, validate, definition.example);
  for (const issue of [...verdict.errors, ...verdict.warnings]) {
    report(`example.${issue.field}`, issue.message);
  }
  return { definition, schema, validate };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
