import Ajv2020 from 'ajv/dist/2020';
import fc from 'fast-check';
import { loadConfig } from '../../config';
import { loadCatalogueFiles } from '../catalogue-files';
import { requestSchema } from '../request-schema';
import { ServiceCatalogue } from '../service-catalogue';
import { MAX_ISSUES } from './request-validation';

const files = loadCatalogueFiles(loadConfig({}).registryDir);
const catalogue = new ServiceCatalogue(files);
const services = files.flatMap((file) => file.services);

describe('validateServiceRequest', () => {
  it.each(services.map((service) => [service.id, service] as const))(
    '%s: total on any JSON, and valid exactly when the published schema accepts the body',
    (id, definition) => {
      const published = new Ajv2020({ strict: true }).compile(requestSchema(definition));
      const names = definition.input_parameters.map((p) => p.name);
      // bodies made of its own parameter names (with any values) as well as of anything at all
      const body = fc.oneof(
        fc.jsonValue(),
        fc.dictionary(fc.oneof(fc.constantFrom(...names), fc.string()), fc.jsonValue(), { maxKeys: 12 }),
      );
      fc.assert(
        fc.property(body, (value) => {
          const verdict = catalogue.validate(id, value);
          const accepted = typeof value === 'object' && value !== null && !Array.isArray(value) && published(value);
          expect(verdict.valid).toBe(accepted);
          expect(verdict.valid).toBe(verdict.errors.length === 0);
          expect(verdict.errors.length).toBeLessThanOrEqual(MAX_ISSUES);
          for (const issue of [...verdict.errors, ...verdict.warnings]) {
            expect(issue).toEqual({ field: expect.any(String), message: expect.any(String), code: expect.any(String) });
          }
        }),
        { numRuns: 80 },
      );
    },
  );

  it('names array items by index and reports a non-object body on the body itself', () => {
    expect(
      catalogue.validate('cuda_compilation', { repository_url: 'https://g.example/r', cuda_arch: [86, '89'] }),
    ).toEqual({
      valid: false,
      errors: [{ field: 'cuda_arch[1]', message: 'cuda_arch[1] must be an integer', code: 'type' }],
      warnings: [],
    });
    expect(catalogue.validate('gpu_benchmark', [])).toEqual({
      valid: false,
      errors: [{ field: '', message: 'the body must be a JSON object', code: 'type' }],
      warnings: [],
    });
  });
});
