import { SERVICE_CATEGORIES, SERVICE_TYPES, type ServiceDefinitionDto } from '@aitbc/contracts';
import { loadConfig } from '../config';
import { type CatalogueFile, loadCatalogueFiles } from './catalogue-files';
import { CatalogueError, ServiceCatalogue } from './service-catalogue';

/** A small valid service; tests break one thing at a time. */
function service(id: string, category: ServiceDefinitionDto['category']): ServiceDefinitionDto {
  return {
    id,
    name: `Service ${id}`,
    category,
    description: 'does one thing',
    input_parameters: [
      { name: 'prompt', type: 'string', required: true, description: 'input', min_length: 1, max_length: 100 },
      { name: 'steps', type: 'integer', required: false, description: 'steps', default: 30, minimum: 1, maximum: 150 },
    ],
    output_schema: { type: 'object', properties: { text: { type: 'string' } } },
    requirements: [{ component: 'vram', minimum: 4, recommended: 8, unit: 'GB' }],
    pricing: [{ name: 'standard', unit: 'request', unit_price: '0.01', description: 'per request' }],
    tags: ['test'],
    limits: { max_execution_time_seconds: 60, max_input_size_mb: 1, max_output_size_mb: 1, max_concurrent_jobs: 1 },
    example: { prompt: 'hello', steps: 10 },
  };
}

/** One file per category, one service each; `change` edits the ai_ml service (`svc`). */
function files(change: (svc: ServiceDefinitionDto) => void = () => undefined): CatalogueFile[] {
  return SERVICE_CATEGORIES.map((category) => {
    const svc = service(category === 'ai_ml' ? 'svc' : `svc_${category}`, category);
    if (category === 'ai_ml') {
      change(svc);
    }
    return { file: `catalogue/${category}.ts`, category, services: [svc] };
  });
}

function problems(catalogueFiles: CatalogueFile[]): string[] {
  try {
    new ServiceCatalogue(catalogueFiles);
  } catch (error) {
    expect(error).toBeInstanceOf(CatalogueError);
    return (error as CatalogueError).problems;
  }
  return [];
}

describe('ServiceCatalogue', () => {
  it('loads the shipped catalogue: 30+ services in all six categories, the typed ones among them', () => {
    const catalogue = new ServiceCatalogue(loadCatalogueFiles(loadConfig({}).registryDir));
    const counts = catalogue.categories();
    expect(counts.map((c) => c.category)).toEqual([...SERVICE_CATEGORIES]);
    expect(counts.every((c) => c.count >= 1)).toBe(true);
    expect(counts.reduce((sum, c) => sum + c.count, 0)).toBeGreaterThanOrEqual(30);
    for (const type of SERVICE_TYPES) {
      expect(catalogue.get(type).id).toBe(type);
    }
  });

  it('accepts a small valid catalogue', () => {
    expect(problems(files())).toEqual([]);
  });

  it('stops with one error that names every problem by file and field', () => {
    const message = (() => {
      try {
        new ServiceCatalogue(files((svc) => (svc.input_parameters[1].default = 200)));
        return '';
      } catch (error) {
        return (error as Error).message;
      }
    })();
    expect(message).toBe(
      'invalid service catalogue:\n  - catalogue/ai_ml.ts: svc.input_parameters.steps.default: default must be <= 150',
    );
  });

  it.each<[string, (svc: ServiceDefinitionDto) => void, unknown]>([
    [
      'a bad id',
      (s) => (s.id = 'Bad Id'),
      'catalogue/ai_ml.ts: Bad Id.id: must be lower-case letters, digits and "_" (2 to 64)',
    ],
    [
      'another category',
      (s) => (s.category = 'data_analytics'),
      'catalogue/ai_ml.ts: svc.category: is data_analytics, but catalogue/ai_ml.ts holds ai_ml services',
    ],
    [
      'no parameters',
      (s) => (s.input_parameters = []),
      'catalogue/ai_ml.ts: svc.input_parameters: must list at least one parameter',
    ],
    [
      'a parameter twice',
      (s) => s.input_parameters.push({ ...s.input_parameters[0] }),
      'catalogue/ai_ml.ts: svc.input_parameters.prompt: is defined twice',
    ],
    [
      'min above max',
      (s) => (s.input_parameters[1].minimum = 200),
      'catalogue/ai_ml.ts: svc.input_parameters.steps.maximum: is below the minimum',
    ],
    [
      'a bound of another type',
      (s) => (s.input_parameters[0].maximum = 3),
      'catalogue/ai_ml.ts: svc.input_parameters.prompt.maximum: does not apply to a string parameter',
    ],
    [
      'an enum without options',
      (s) => s.input_parameters.push({ name: 'mode', type: 'enum', required: false, description: 'm' }),
      'catalogue/ai_ml.ts: svc.input_parameters.mode.options: an enum needs at least one option',
    ],
    [
      'a broken pattern',
      (s) => (s.input_parameters[0].pattern = '(['),
      'catalogue/ai_ml.ts: svc.input_parameters.prompt.pattern: is not a valid regular expression',
    ],
    [
      'a required default',
      (s) => (s.input_parameters[0].default = 'x'),
      'catalogue/ai_ml.ts: svc.input_parameters.prompt.default: a required parameter takes no default',
    ],
    [
      'a wrong unit',
      (s) => (s.requirements[0].unit = 'MB'),
      'catalogue/ai_ml.ts: svc.requirements.vram.unit: must be "GB"',
    ],
    [
      'recommended below minimum',
      (s) => (s.requirements[0].recommended = 2),
      'catalogue/ai_ml.ts: svc.requirements.vram.recommended: is below the minimum',
    ],
    [
      'a CUDA number',
      (s) => s.requirements.push({ component: 'cuda', minimum: 11.8, recommended: '12.4', unit: 'version' }),
      'catalogue/ai_ml.ts: svc.requirements.cuda: minimum and recommended must be versions such as "11.8"',
    ],
    [
      'a float price',
      (s) => (s.pricing[0].unit_price = '1e-3'),
      'catalogue/ai_ml.ts: svc.pricing.standard.unit_price: must be a positive decimal string such as "0.02"',
    ],
    [
      'a zero limit',
      (s) => (s.limits.max_concurrent_jobs = 0),
      'catalogue/ai_ml.ts: svc.limits.max_concurrent_jobs: must be a positive number',
    ],
    [
      'a tag in capitals',
      (s) => (s.tags = ['GPU']),
      'catalogue/ai_ml.ts: svc.tags: "GPU" must be lower-case kebab-case',
    ],
    [
      'an invalid output schema',
      (s) => (s.output_schema = { type: 'object', properties: { n: { type: 'float' } } }),
      expect.stringMatching(/^catalogue\/ai_ml\.ts: svc\.output_schema: schema is invalid: data\/properties\/n\/type /),
    ],
    [
      'an example out of range',
      (s) => (s.example = { prompt: 'hi', steps: 0 }),
      'catalogue/ai_ml.ts: svc.example.steps: steps must be at least 1',
    ],
    [
      'an example with an unknown field',
      (s) => (s.example = { prompt: 'hi', colour: 'red' }),
      'catalogue/ai_ml.ts: svc.example.colour: colour is not a parameter of svc',
    ],
  ])('names %s', (_name, change, problem) => {
    expect(problems(files(change))).toEqual([problem]);
  });

  it('names an id defined in two files, and a category left empty', () => {
    const duplicated = files();
    duplicated[1] = { ...duplicated[1], services: [{ ...duplicated[0].services[0], category: 'media_processing' }] };
    expect(problems(duplicated)).toEqual([
      'catalogue/media_processing.ts: svc.id: "svc" is also defined in catalogue/ai_ml.ts',
    ]);
    const empty = files();
    empty[1] = { ...empty[1], services: [] };
    expect(problems(empty)).toEqual(['catalogue: category media_processing has no services']);
  });
});
