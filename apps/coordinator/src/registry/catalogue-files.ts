import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020, { type ErrorObject } from 'ajv/dist/2020';
import { parse } from 'yaml';
import {
  ARRAY_ITEM_TYPES,
  PARAMETER_TYPES,
  SERVICE_CATEGORIES,
  type ServiceCategory,
  type ServiceDefinitionDto,
} from '@aitbc/contracts';
import { CatalogueError } from './service-catalogue';

/** One data file of the catalogue: its path (for boot errors), its category and its services. */
export interface CatalogueFile {
  file: string;
  category: ServiceCategory;
  services: readonly ServiceDefinitionDto[];
}

const STRING = { type: 'string' };
const NUMBER = { type: 'number' };
const COUNT = { type: 'integer', minimum: 0 };

/**
 * The shape of a file: types and field names only, so that `catalogueProblems` and `ServiceCatalogue`
 * can read it as `ServiceDefinitionDto`s. What the values mean (bounds, units, prices, examples) is
 * checked there.
 */
const FILE_SCHEMA = {
  type: 'object',
  required: ['category', 'services'],
  additionalProperties: false,
  properties: {
    category: { enum: SERVICE_CATEGORIES },
    services: { type: 'array', items: { $ref: '#/$defs/service' } },
  },
  $defs: {
    service: {
      type: 'object',
      required: [
        'id',
        'name',
        'category',
        'description',
        'input_parameters',
        'output_schema',
        'requirements',
        'pricing',
        'tags',
        'limits',
        'example',
      ],
      additionalProperties: false,
      properties: {
        id: STRING,
        name: STRING,
        category: STRING,
        description: STRING,
        input_parameters: { type: 'array', items: { $ref: '#/$defs/parameter' } },
        output_schema: { type: 'object' },
        requirements: { type: 'array', items: { $ref: '#/$defs/requirement' } },
        pricing: { type: 'array', items: { $ref: '#/$defs/tier' } },
        tags: { type: 'array', items: STRING },
        limits: {
          type: 'object',
          required: ['max_execution_time_seconds', 'max_input_size_mb', 'max_output_size_mb', 'max_concurrent_jobs'],
          additionalProperties: false,
          properties: {
            max_execution_time_seconds: NUMBER,
            max_input_size_mb: NUMBER,
            max_output_size_mb: NUMBER,
            max_concurrent_jobs: NUMBER,
          },
        },
        example: { type: 'object' },
      },
    },
    parameter: {
      type: 'object',
      required: ['name', 'type', 'required', 'description'],
      additionalProperties: false,
      properties: {
        name: STRING,
        type: { enum: PARAMETER_TYPES },
        required: { type: 'boolean' },
        description: STRING,
        default: {},
        minimum: NUMBER,
        maximum: NUMBER,
        multiple_of: { type: 'number', exclusiveMinimum: 0 },
        min_length: COUNT,
        max_length: COUNT,
        pattern: STRING,
        options: { type: 'array', items: STRING },
        items: { enum: ARRAY_ITEM_TYPES },
        min_items: COUNT,
        max_items: COUNT,
      },
    },
    requirement: {
      type: 'object',
      required: ['component', 'minimum', 'recommended', 'unit'],
      additionalProperties: false,
      properties: {
        component: STRING,
        minimum: { type: ['number', 'string'] },
        recommended: { type: ['number', 'string'] },
        unit: STRING,
      },
    },
    tier: {
      type: 'object',
      required: ['name', 'unit', 'unit_price', 'description'],
      additionalProperties: false,
      properties: { name: STRING, unit: STRING, unit_price: STRING, min_charge: STRING, description: STRING },
    },
  },
};

const validateShape = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true }).compile(FILE_SCHEMA);

/**
 * Reads every `*.yaml`/`*.yml` file of `dir` (the registry's data, REGISTRY_DIR) at boot.
 * Synchronous, so `RegistryModule.forRoot` has the catalogue before Nest builds the module. A directory
 * that cannot be read, a file that is not YAML or not shaped like a catalogue file throws one
 * `CatalogueError` listing every problem with its file; the data itself is checked by `ServiceCatalogue`.
 */
export function loadCatalogueFiles(dir: string): CatalogueFile[] {
  let names: string[];
  try {
    names = readdirSync(dir, { withFileTypes: true })
      // symlinks count: a Kubernetes ConfigMap mounts its files as links
      .filter((entry) => !entry.isDirectory() && /\.ya?ml$/i.test(entry.name))
      .map((entry) => entry.name)
      .sort();
  } catch (error) {
    throw new CatalogueError([`${dir}: the registry directory (REGISTRY_DIR) cannot be read (${reason(error)})`]);
  }
  if (names.length === 0) {
    throw new CatalogueError([`${dir}: the registry directory (REGISTRY_DIR) holds no *.yaml files`]);
  }
  const problems: string[] = [];
  const files: CatalogueFile[] = [];
  for (const name of names) {
    const file = join(dir, name);
    const loaded = parseCatalogueFile(file, (problem) => problems.push(`${file}: ${problem}`));
    if (loaded) {
      files.push(loaded);
    }
  }
  if (problems.length > 0) {
    throw new CatalogueError(problems);
  }
  // the registry lists services category by category, whatever the files are called
  const rank = (file: CatalogueFile) => SERVICE_CATEGORIES.indexOf(file.category);
  return files.sort((a, b) => rank(a) - rank(b));
}

function parseCatalogueFile(file: string, report: (problem: string) => void): CatalogueFile | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    report(`cannot be read (${reason(error)})`);
    return null;
  }
  let data: unknown;
  try {
    data = parse(text);
  } catch (error) {
    // yaml's message goes on with a snippet of the file: its first line says what and where
    report(`not valid YAML: ${(error as Error).message.split('\n')[0].replace(/:$/, '')}`);
    return null;
  }
  if (!validateShape(data)) {
    for (const error of validateShape.errors ?? []) {
      report(shapeProblem(data, error));
    }
    return null;
  }
  return { file, ...(data as Omit<CatalogueFile, 'file'>) };
}

/** An Ajv error as `<service id>.<field path>: <message>`, list items named by their name or component. */
function shapeProblem(data: unknown, error: ErrorObject): string {
  if (error.instancePath === '' && error.keyword === 'type') {
    return 'must be a mapping with `category` and `services`';
  }
  const path: string[] = [];
  let node = data;
  error.instancePath
    .split('/')
    .slice(1)
    .forEach((segment, depth) => {
      node = (node as Record<string, unknown> | undefined)?.[segment];
      if (depth === 0 && segment === 'services') {
        return;
      }
      if (!/^\d+$/.test(segment)) {
        path.push(segment);
        return;
      }
      const item = node as { id?: unknown; name?: unknown; component?: unknown } | undefined;
      const label = depth === 1 ? item?.id : (item?.name ?? item?.component);
      path.push(typeof label === 'string' ? label : `[${segment}]`);
    });
  const params = error.params as { missingProperty?: string; additionalProperty?: string; allowedValues?: unknown[] };
  const extra = params.missingProperty ?? params.additionalProperty;
  const field = [...path, ...(extra === undefined ? [] : [extra])].join('.');
  return `${field}: ${shapeMessage(error.keyword, params.allowedValues) ?? error.message ?? error.keyword}`;
}

function shapeMessage(keyword: string, allowed: unknown[] | undefined): string | undefined {
  switch (keyword) {
    case 'required':
      return 'is missing';
    case 'additionalProperties':
      return 'is not a known field';
    case 'enum':
      return `must be one of ${(allowed ?? []).join(', ')}`;
    default:
      return undefined;
  }
}

function reason(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? (error instanceof Error ? error.message : String(error));
}
