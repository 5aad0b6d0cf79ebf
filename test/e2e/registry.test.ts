import Ajv2020 from 'ajv/dist/2020';
import { FFMPEG_RESOLUTION_PATTERN } from '@aitbc/contracts';
import { loadConfig } from '../../apps/coordinator/src/config';
import { loadCatalogueFiles } from '../../apps/coordinator/src/registry/catalogue-files';
import { Api } from '../support/api';
import { CoordinatorUnderTest, bootCoordinator, testEnv } from '../support/coordinator';

const envelope = (status: number, code: string, detail: unknown = expect.any(String), details: unknown = []) => ({
  detail,
  error: { code, status, details },
  request_id: expect.any(String),
});

// the shipped data files, as a coordinator started in the repository's root loads them
const DEFINITIONS = loadCatalogueFiles(loadConfig({}).registryDir).flatMap((file) => file.services);
const definition = (id: string) => DEFINITIONS.find((service) => service.id === id)!;
const NOT_OBJECT = {
  valid: false,
  errors: [{ field: '', message: 'the body must be a JSON object', code: 'type' }],
  warnings: [],
};

describe('service registry (public reads)', () => {
  let coordinator: CoordinatorUnderTest;
  let api: Api;

  const validate = (id: string, body?: unknown) => {
    const req = api.http.post(`/v1/registry/services/${id}/validate`);
    return body === undefined ? req : req.set('Content-Type', 'application/json').send(JSON.stringify(body));
  };
  const ids = (body: { items: { id: string }[] }) => body.items.map((item) => item.id);

  beforeAll(async () => {
    // room for a 5 MB string, to show the validator itself copes with one
    coordinator = await bootCoordinator(testEnv({ BODY_LIMIT_BYTES: String(8 * 1024 * 1024) }));
    api = new Api(coordinator.url);
  }, 60_000);
  afterAll(async () => {
    await coordinator?.stop();
  });

  it('counts the services of each of the six categories', async () => {
    const res = await api.http.get('/v1/registry/categories').expect(200);
    expect(res.body).toEqual([
      { category: 'ai_ml', count: 8 },
      { category: 'media_processing', count: 6 },
      { category: 'scientific_computing', count: 5 },
      { category: 'data_analytics', count: 5 },
      { category: 'gaming_entertainment', count: 5 },
      { category: 'development_tools', count: 5 },
    ]);
  });

  it('lists at least 30 services as summaries, by category', async () => {
    const all = await api.http.get('/v1/registry/services').expect(200);
    expect(all.body.total).toBe(34);
    expect(all.body.items).toHaveLength(34);
    expect(new Set(ids(all.body)).size).toBe(34);
    expect(all.body.items[0]).toEqual({
      id: 'llm_inference',
      name: 'LLM inference',
      category: 'ai_ml',
      description: 'Text generation with an Ollama model the miner has (Llama, Mistral, Qwen, Gemma, …).',
      tags: ['llm', 'text-generation', 'ollama', 'chat'],
    });
    for (const service of ['whisper', 'stable_diffusion', 'llm_inference', 'ffmpeg', 'blender']) {
      expect(ids(all.body)).toContain(service);
    }
    const media = await api.http.get('/v1/registry/services?category=media_processing').expect(200);
    expect(media.body).toEqual({
      items: expect.any(Array),
      total: 6,
    });
    expect(ids(media.body)).toEqual([
      'ffmpeg',
      'video_upscaling',
      'image_upscaling',
      'audio_denoise',
      'background_removal',
      'frame_interpolation',
    ]);
  });

  it('searches id, name, description and tags, case-insensitively, within a category if given', async () => {
    const video = await api.http.get('/v1/registry/services?search=VIDEO').expect(200);
    expect(ids(video.body)).toEqual(['object_detection', 'ffmpeg', 'video_upscaling', 'frame_interpolation']);
    const llm = await api.http.get('/v1/registry/services?search=llm&category=development_tools').expect(200);
    expect(ids(llm.body)).toEqual(['code_generation', 'gpu_benchmark', 'model_quantization']);
    const byTag = await api.http.get('/v1/registry/services?search=rapids').expect(200);
    expect(ids(byTag.body)).toEqual(['sql_analytics']);
    await api.http.get('/v1/registry/services?search=teleportation').expect(200, { items: [], total: 0 });
  });

  it.each(['category=gpu', 'search=', `search=${'x'.repeat(101)}`, 'colour=red'])(
    'answers a bad query (%s) with 422',
    async (query) => {
      const res = await api.http.get(`/v1/registry/services?${query}`).expect(422);
      expect(res.body).toEqual(envelope(422, 'VALIDATION_FAILED', expect.any(String), expect.any(Array)));
    },
  );

  it('serves a definition as its data file holds it, with requirements and pricing', async () => {
    const whisper = await api.http.get('/v1/registry/services/whisper').expect(200);
    expect(whisper.body).toEqual(definition('whisper'));
    expect(Object.keys(whisper.body)).toEqual([
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
    ]);
    await api.http.get('/v1/registry/services/stable_diffusion/requirements').expect(200, {
      service_id: 'stable_diffusion',
      requirements: [
        { component: 'gpu', minimum: 'NVIDIA RTX 2060', recommended: 'NVIDIA RTX 4090', unit: 'model' },
        { component: 'vram', minimum: 4, recommended: 16, unit: 'GB' },
        { component: 'cuda', minimum: '11.8', recommended: '12.4', unit: 'version' },
        { component: 'ram', minimum: 16, recommended: 32, unit: 'GB' },
        { component: 'storage', minimum: 20, recommended: 100, unit: 'GB' },
      ],
    });
    await api.http.get('/v1/registry/services/stable_diffusion/pricing').expect(200, {
      service_id: 'stable_diffusion',
      pricing: [
        { name: 'standard', unit: 'image', unit_price: '0.01', description: 'per image at native size' },
        { name: 'gpu_time', unit: 'gpu_second', unit_price: '0.025', description: 'billed by measured GPU time' },
      ],
    });
  });

  it.each(['', '/schema', '/requirements', '/pricing'])('answers an unknown id with 404 (GET …%s)', async (suffix) => {
    // Fastify would answer ids over 100 (then 2048) characters itself with a 414 outside the envelope;
    // the app lets every id Node accepts reach the route, which answers 404 in the envelope.
    for (const id of [
      'teleportation',
      'WHISPER',
      'x'.repeat(101),
      'x'.repeat(2048),
      'x'.repeat(2049),
      'x'.repeat(8000),
    ]) {
      const res = await api.http.get(`/v1/registry/services/${id}${suffix}`).expect(404);
      expect(res.body).toEqual(envelope(404, 'SERVICE_NOT_FOUND', 'service not found'));
    }
    expect((await validate('teleportation', {}).expect(404)).body.error.code).toBe('SERVICE_NOT_FOUND');
    expect((await validate('x'.repeat(2048), {}).expect(404)).body.error.code).toBe('SERVICE_NOT_FOUND');
  });

  it('serves for every service a JSON Schema 2020-12 that compiles and accepts its own example', async () => {
    const ajv = new Ajv2020({ strict: true, allErrors: true });
    const all = await api.http.get('/v1/registry/services').expect(200);
    for (const id of ids(all.body)) {
      const schema = (await api.http.get(`/v1/registry/services/${id}/schema`).expect(200)).body;
      expect([id, schema.$schema, schema.type]).toEqual([id, 'https://json-schema.org/draft/2020-12/schema', 'object']);
      const check = ajv.compile(schema);
      const { example } = definition(id);
      expect([id, check(example), check.errors ?? null]).toEqual([id, true, null]);
      expect(schema.examples).toEqual([example]);
      const required = definition(id).input_parameters.filter((p) => p.required);
      expect([id, check({})]).toEqual([id, required.length === 0]);
      // the result schema is a schema too
      expect(() => ajv.compile(schema.$defs.result)).not.toThrow();
    }
  });

  describe('validate: {valid, errors, warnings}, 200 for any JSON', () => {
    it('accepts the example, and warns about parameters the service does not know', async () => {
      await validate('llm_inference', definition('llm_inference').example).expect(200, {
        valid: true,
        errors: [],
        warnings: [],
      });
      await validate('llm_inference', { model: 'llama3.2:latest', prompt: 'Hi', temprature: 0.5 }).expect(200, {
        valid: true,
        errors: [],
        warnings: [{ field: 'temprature', message: 'temprature is not a parameter of llm_inference', code: 'unknown' }],
      });
    });

    it('reports missing, mistyped, out-of-range and not-in-enum values', async () => {
      await validate('llm_inference', { prompt: '', max_tokens: 0, temperature: 2.5 }).expect(200, {
        valid: false,
        errors: [
          { field: 'model', message: 'model is required', code: 'required' },
          { field: 'prompt', message: 'prompt must be at least 1 character long', code: 'length' },
          { field: 'max_tokens', message: 'max_tokens must be at least 1', code: 'range' },
          { field: 'temperature', message: 'temperature must be at most 2', code: 'range' },
        ],
        warnings: [],
      });
      await validate('ffmpeg', {
        input_url: 42,
        output_format: 'avi',
        crf: '23',
        hardware_acceleration: 'yes',
        resolution: '1280*720',
        fps: 2.5,
      }).expect(200, {
        valid: false,
        errors: [
          { field: 'input_url', message: 'input_url must be a string', code: 'type' },
          {
            field: 'output_format',
            message: 'output_format must be one of mp4, webm, mkv, mov, mp3, wav, flac, ogg',
            code: 'enum',
          },
          { field: 'resolution', message: `resolution must match ${FFMPEG_RESOLUTION_PATTERN}`, code: 'pattern' },
          { field: 'fps', message: 'fps must be an integer', code: 'type' },
          { field: 'crf', message: 'crf must be an integer', code: 'type' },
          { field: 'hardware_acceleration', message: 'hardware_acceleration must be a boolean', code: 'type' },
        ],
        warnings: [],
      });
      await validate('whisper', { audio_url: 'ftp://media.example/a.mp3', model: 'huge' }).expect(200, {
        valid: false,
        errors: [
          { field: 'audio_url', message: 'audio_url must be an http or https URL', code: 'pattern' },
          { field: 'model', message: 'model must be one of tiny, base, small, medium, large-v3', code: 'enum' },
        ],
        warnings: [],
      });
      await validate('stable_diffusion', { prompt: 'p', width: 516, height: 4096 }).expect(200, {
        valid: false,
        errors: [
          { field: 'width', message: 'width must be a multiple of 8', code: 'multiple' },
          { field: 'height', message: 'height must be at most 2048', code: 'range' },
        ],
        warnings: [],
      });
      await validate('text_embeddings', { texts: ['a', 1, null] }).expect(200, {
        valid: false,
        errors: [
          { field: 'texts[1]', message: 'texts[1] must be a string', code: 'type' },
          { field: 'texts[2]', message: 'texts[2] must be a string', code: 'type' },
        ],
        warnings: [],
      });
      await validate('text_embeddings', { texts: [] }).expect(200, {
        valid: false,
        errors: [{ field: 'texts', message: 'texts must have at least 1 item', code: 'items' }],
        warnings: [],
      });
    });

    it('reports a body that is not an object, or none, without failing', async () => {
      for (const body of [[], [{ model: 'x' }], null, 'text', 42, true]) {
        await validate('llm_inference', body).expect(200, NOT_OBJECT);
      }
      await validate('llm_inference').expect(200, {
        valid: false,
        errors: [
          { field: 'model', message: 'model is required', code: 'required' },
          { field: 'prompt', message: 'prompt is required', code: 'required' },
        ],
        warnings: [],
      });
    });

    it('copes with hostile bodies: huge strings, nested junk, floods of keys and items', async () => {
      const huge = 'x'.repeat(5 * 1024 * 1024);
      await validate('llm_inference', { model: 'llama3.2:latest', prompt: huge }).expect(200, {
        valid: false,
        errors: [{ field: 'prompt', message: 'prompt must be at most 100000 characters long', code: 'length' }],
        warnings: [],
      });
      await validate('llm_inference', { model: `llama ${huge.slice(0, 100_000)}`, prompt: 'Hi' }).expect(200, {
        valid: false,
        errors: [
          { field: 'model', message: 'model must be at most 256 characters long', code: 'length' },
          { field: 'model', message: 'model must match ^[\\w.:/@+-]+$', code: 'pattern' },
        ],
        warnings: [],
      });
      // built as text: 10,000 levels is deeper than JSON.stringify would go
      const deep = '{"a":'.repeat(10_000) + '[1, "x", null]' + '}'.repeat(10_000);
      const nested = await api.http
        .post('/v1/registry/services/monte_carlo_simulation/validate')
        .set('Content-Type', 'application/json')
        .send(`{"paths": 1000, "parameters": ${deep}, "junk": ${deep}, "seed": ${deep}}`)
        .expect(200);
      expect(nested.body).toEqual({
        valid: false,
        errors: [{ field: 'seed', message: 'seed must be an integer', code: 'type' }],
        warnings: [{ field: 'junk', message: 'junk is not a parameter of monte_carlo_simulation', code: 'unknown' }],
      });
      const longKey = 'k'.repeat(10_000);
      const floodOfKeys = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`${longKey}${i}`, i]));
      const flooded = await validate('gpu_benchmark', floodOfKeys).expect(200);
      expect(flooded.body.valid).toBe(true);
      expect(flooded.body.warnings).toHaveLength(51);
      expect(flooded.body.warnings[0]).toEqual({
        field: `${'k'.repeat(64)}…`,
        message: `${'k'.repeat(64)}… is not a parameter of gpu_benchmark`,
        code: 'unknown',
      });
      expect(flooded.body.warnings[50]).toEqual({
        field: '',
        message: '150 more warnings not listed',
        code: 'truncated',
      });
      const items = await validate('text_embeddings', { texts: Array.from({ length: 100_000 }, () => 0) }).expect(200);
      expect(items.body.errors).toHaveLength(50);
      expect(items.body.errors[0]).toEqual({
        field: 'texts',
        message: 'texts must have at most 2048 items',
        code: 'items',
      });
      expect(items.body.warnings).toEqual([{ field: '', message: '99951 more errors not listed', code: 'truncated' }]);
    });

    it('answers unparsable or prototype-polluting JSON with 422, never 500', async () => {
      for (const text of ['{"model":', '{"__proto__": {"x": 1}}', '{"constructor": {"prototype": {"x": 1}}}']) {
        const res = await api.http
          .post('/v1/registry/services/llm_inference/validate')
          .set('Content-Type', 'application/json')
          .send(text)
          .expect(422);
        expect(res.body.error.code).toBe('MALFORMED_JSON');
      }
    });
  });
});
