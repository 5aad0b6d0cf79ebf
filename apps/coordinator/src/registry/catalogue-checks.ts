import {
  DECIMAL_AMOUNT,
  HARDWARE_UNITS,
  type HardwareRequirementDto,
  PRICING_UNITS,
  SERVICE_CATEGORIES,
  type ServiceDefinitionDto,
  type ServiceParameterDto,
} from '@aitbc/contracts';
import { cudaNumber } from '../jobs/submit-job/job-requirements';
import type { CatalogueFile } from './catalogue-files';

const ID = /^[a-z][a-z0-9_]{1,63}$/;
const PARAMETER_NAME = /^[a-z][a-z0-9_]{0,63}$/;
const TAG = /^[a-z0-9][a-z0-9-]{0,31}$/;
const CUDA_VERSION = /^\d{1,3}\.\d{1,3}$/;

/** Which parameter types each bound applies to. */
const BOUND_TYPES: Record<string, readonly string[]> = {
  minimum: ['integer', 'number'],
  maximum: ['integer', 'number'],
  multiple_of: ['integer', 'number'],
  min_length: ['string', 'url'],
  max_length: ['string', 'url'],
  pattern: ['string', 'url'],
  options: ['enum'],
  items: ['array'],
  min_items: ['array'],
  max_items: ['array'],
};

type Report = (path: string, message: string) => void;

/**
 * What is wrong with the catalogue's data that its types cannot say: duplicate ids, bounds that
 * contradict each other or their type, units, prices, limits. Each problem names its file and field.
 * (Defaults, examples and schemas are checked against the generated JSON Schema by the loader.)
 */
export function catalogueProblems(files: readonly CatalogueFile[]): string[] {
  const problems: string[] = [];
  const ids = new Map<string, string>();
  for (const { file, category, services } of files) {
    services.forEach((service, index) => {
      const report: Report = (path, message) =>
        problems.push(`${file}: ${service.id || `[${index}]`}.${path}: ${message}`);
      const earlier = ids.get(service.id);
      if (earlier !== undefined) {
        report('id', `"${service.id}" is also defined in ${earlier}`);
      }
      ids.set(service.id, file);
      if (service.category !== category) {
        report('category', `is ${service.category}, but ${file} holds ${category} services`);
      }
      checkService(service, report);
    });
  }
  for (const category of SERVICE_CATEGORIES) {
    if (!files.some((file) => file.category === category && file.services.length > 0)) {
      problems.push(`catalogue: category ${category} has no services`);
    }
  }
  return problems;
}

function checkService(service: ServiceDefinitionDto, report: Report): void {
  if (!ID.test(service.id)) {
    report('id', 'must be lower-case letters, digits and "_" (2 to 64)');
  }
  for (const field of ['name', 'description'] as const) {
    if (service[field].trim() === '') {
      report(field, 'must not be empty');
    }
  }
  if (service.input_parameters.length === 0) {
    report('input_parameters', 'must list at least one parameter');
  }
  unique(
    service.input_parameters.map((p) => p.name),
    (name) => report(`input_parameters.${name}`, 'is defined twice'),
  );
  service.input_parameters.forEach((parameter) =>
    checkParameter(parameter, (path, message) => report(`input_parameters.${parameter.name}${path}`, message)),
  );
  if (service.output_schema.type !== 'object') {
    report('output_schema.type', 'must be "object"');
  }
  checkRequirements(service.requirements, report);
  checkPricing(service, report);
  if (service.tags.length === 0) {
    report('tags', 'must list at least one tag');
  }
  service.tags
    .filter((tag) => !TAG.test(tag))
    .forEach((tag) => report('tags', `"${tag}" must be lower-case kebab-case`));
  unique(service.tags, (tag) => report('tags', `"${tag}" is listed twice`));
  for (const [limit, value] of Object.entries(service.limits)) {
    if (!(typeof value === 'number' && Number.isFinite(value) && value > 0)) {
      report(`limits.${limit}`, 'must be a positive number');
    }
  }
}

function checkParameter(parameter: ServiceParameterDto, report: Report): void {
  if (!PARAMETER_NAME.test(parameter.name)) {
    report('', 'the name must be lower-case letters, digits and "_"');
  }
  if (parameter.description.trim() === '') {
    report('.description', 'must not be empty');
  }
  for (const [bound, types] of Object.entries(BOUND_TYPES)) {
    if (parameter[bound as keyof ServiceParameterDto] !== undefined && !types.includes(parameter.type)) {
      report(`.${bound}`, `does not apply to a ${parameter.type} parameter`);
    }
  }
  ordered(parameter.minimum, parameter.maximum, () => report('.maximum', 'is below the minimum'));
  ordered(parameter.min_length, parameter.max_length, () => report('.max_length', 'is below min_length'));
  ordered(parameter.min_items, parameter.max_items, () => report('.max_items', 'is below min_items'));
  if (parameter.type === 'enum' && !(parameter.options && parameter.options.length > 0)) {
    report('.options', 'an enum needs at least one option');
  }
  unique(parameter.options ?? [], (option) => report('.options', `"${option}" is listed twice`));
  if (parameter.type === 'array' && parameter.items === undefined) {
    report('.items', 'an array needs the type of its items');
  }
  if (parameter.pattern !== undefined) {
    try {
      new RegExp(parameter.pattern, 'u');
    } catch {
      report('.pattern', 'is not a valid regular expression');
    }
  }
  if (parameter.required && parameter.default !== undefined) {
    report('.default', 'a required parameter takes no default');
  }
}

function checkRequirements(requirements: readonly HardwareRequirementDto[], report: Report): void {
  unique(
    requirements.map((r) => r.component),
    (component) => report(`requirements.${component}`, 'is listed twice'),
  );
  for (const { component, minimum, recommended, unit } of requirements) {
    const path = `requirements.${component}`;
    const expected: string | undefined = HARDWARE_UNITS[component];
    if (expected === undefined) {
      report(path, `is not a hardware component (${Object.keys(HARDWARE_UNITS).join(', ')})`);
      continue;
    }
    if (unit !== expected) {
      report(`${path}.unit`, `must be "${expected}"`);
    }
    if (component === 'gpu') {
      if (typeof minimum !== 'string' || typeof recommended !== 'string' || !minimum.trim() || !recommended.trim()) {
        report(path, 'minimum and recommended must name GPUs');
      }
    } else if (component === 'cuda') {
      if (
        typeof minimum !== 'string' ||
        typeof recommended !== 'string' ||
        ![minimum, recommended].every((v) => CUDA_VERSION.test(v))
      ) {
        report(path, 'minimum and recommended must be versions such as "11.8"');
      } else if (cudaNumber(recommended) < cudaNumber(minimum)) {
        report(`${path}.recommended`, 'is below the minimum');
      }
    } else if (typeof minimum !== 'number' || typeof recommended !== 'number' || !(minimum > 0)) {
      report(path, 'minimum and recommended must be positive numbers');
    } else if (recommended < minimum) {
      report(`${path}.recommended`, 'is below the minimum');
    }
  }
}

function checkPricing(service: ServiceDefinitionDto, report: Report): void {
  if (service.pricing.length === 0) {
    report('pricing', 'must list at least one tier');
  }
  unique(
    service.pricing.map((tier) => tier.name),
    (name) => report(`pricing.${name}`, 'is listed twice'),
  );
  for (const tier of service.pricing) {
    const path = `pricing.${tier.name}`;
    if (!(PRICING_UNITS as readonly string[]).includes(tier.unit)) {
      report(`${path}.unit`, `must be one of ${PRICING_UNITS.join(', ')}`);
    }
    if (!DECIMAL_AMOUNT.test(tier.unit_price) || Number(tier.unit_price) <= 0) {
      report(`${path}.unit_price`, 'must be a positive decimal string such as "0.02"');
    }
    if (tier.min_charge !== undefined && !DECIMAL_AMOUNT.test(tier.min_charge)) {
      report(`${path}.min_charge`, 'must be a decimal string such as "0.01"');
    }
    if (tier.description.trim() === '') {
      report(`${path}.description`, 'must not be empty');
    }
  }
}

function ordered(low: number | undefined, high: number | undefined, onDisorder: () => void): void {
  if (low !== undefined && high !== undefined && high < low) {
    onDisorder();
  }
}

function unique<T>(values: readonly T[], onDuplicate: (value: T) => void): void {
  const seen = new Set<T>();
  for (const value of values) {
    if (seen.has(value)) {
      onDuplicate(value);
    }
    seen.add(value);
  }
}
