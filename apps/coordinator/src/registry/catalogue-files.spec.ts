import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { FFMPEG_BITRATE_PATTERN, FFMPEG_RESOLUTION_PATTERN } from '@aitbc/contracts';
import { loadConfig } from '../config';
import { loadCatalogueFiles } from './catalogue-files';
import { CatalogueError, ServiceCatalogue } from './service-catalogue';

const SHIPPED = loadConfig({}).registryDir;

/** The message a boot with `dir` as REGISTRY_DIR stops with, or '' when it loads. */
function bootError(dir: string): string {
  try {
    new ServiceCatalogue(loadCatalogueFiles(dir));
    return '';
  } catch (error) {
    expect(error).toBeInstanceOf(CatalogueError);
    return (error as Error).message;
  }
}

describe('loadCatalogueFiles', () => {
  it('loads the shipped registry.d: 34 definitions, one file per category, listed category by category', () => {
    const files = loadCatalogueFiles(SHIPPED);
    expect(files.map(({ file, category, services }) => [basename(file), category, services.length])).toEqual([
      ['ai-ml.yaml', 'ai_ml', 8],
      ['media-processing.yaml', 'media_processing', 6],
      ['scientific-computing.yaml', 'scientific_computing', 5],
      ['data-analytics.yaml', 'data_analytics', 5],
      ['gaming-entertainment.yaml', 'gaming_entertainment', 5],
      ['development-tools.yaml', 'development_tools', 5],
    ]);
    expect(files.every(({ file }) => file === join(SHIPPED, basename(file)))).toBe(true);
    expect(new ServiceCatalogue(files).categories().reduce((sum, c) => sum + c.count, 0)).toBe(34);
  });

  it("keeps ffmpeg's resolution and bitrate patterns equal to the ones the typed endpoint and the miner use", () => {
    const ffmpeg = loadCatalogueFiles(SHIPPED)
      .flatMap((file) => file.services)
      .find((service) => service.id === 'ffmpeg')!;
    const pattern = (name: string) => ffmpeg.input_parameters.find((p) => p.name === name)?.pattern;
    expect(pattern('resolution')).toBe(FFMPEG_RESOLUTION_PATTERN);
    expect(pattern('video_bitrate')).toBe(FFMPEG_BITRATE_PATTERN);
    expect(pattern('audio_bitrate')).toBe(FFMPEG_BITRATE_PATTERN);
  });

  describe('stops the boot with one message naming the file', () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'aitbc-registry-'));
    });
    afterEach(() => {
      rmSync(dir, { recursive: true, force: true });
    });

    /** The shipped files, with `name` replaced (or added) by `text`. */
    const withFile = (name: string, text: string) => {
      for (const shipped of loadCatalogueFiles(SHIPPED)) {
        writeFileSync(join(dir, basename(shipped.file)), readFileSync(shipped.file));
      }
      writeFileSync(join(dir, name), text);
    };

    it('a missing directory, and one without YAML files', () => {
      const missing = join(dir, 'nowhere');
      expect(bootError(missing)).toBe(
        `invalid service catalogue:\n  - ${missing}: the registry directory (REGISTRY_DIR) cannot be read (ENOENT)`,
      );
      mkdirSync(join(dir, 'sub.yaml'));
      writeFileSync(join(dir, 'notes.txt'), 'not a catalogue');
      expect(bootError(dir)).toBe(
        `invalid service catalogue:\n  - ${dir}: the registry directory (REGISTRY_DIR) holds no *.yaml files`,
      );
    });

    it('a YAML syntax error, with line and column, and a file that cannot be read', () => {
      withFile('broken.yaml', 'category: ai_ml\nservices:\n  - id: x\n    id: y\n');
      symlinkSync(join(dir, 'gone.yaml'), join(dir, 'linked.yml'));
      const problems = [
        `${join(dir, 'broken.yaml')}: not valid YAML: Map keys must be unique at line 4, column 5`,
        `${join(dir, 'linked.yml')}: cannot be read (ENOENT)`,
      ];
      expect(bootError(dir)).toBe(`invalid service catalogue:\n  - ${problems.join('\n  - ')}`);
    });

    it('a file or definition of the wrong shape, by field', () => {
      withFile('empty.yaml', '');
      withFile(
        'extra.yaml',
        [
          'category: ai_ml',
          'services:',
          '  - id: extra_service',
          '    category: ai_ml',
          '    description: misses its name and more',
          '    input_parameters:',
          '      - { name: prompt, type: text, required: yes, description: the prompt, colour: red }',
          '    output_schema: { type: object }',
          '    requirements: [{ component: vram, minimum: 4, recommended: 8, unit: GB }]',
          '    pricing: [{ name: standard, unit: request, unit_price: 0.01, description: per request }]',
          '    tags: [test]',
          '    limits: { max_execution_time_seconds: 60, max_input_size_mb: 1, max_output_size_mb: 1 }',
          '    example: { prompt: hi }',
        ].join('\n'),
      );
      const extra = join(dir, 'extra.yaml');
      expect(bootError(dir)).toBe(
        [
          'invalid service catalogue:',
          `${join(dir, 'empty.yaml')}: must be a mapping with \`category\` and \`services\``,
          `${extra}: extra_service.name: is missing`,
          `${extra}: extra_service.input_parameters.prompt.colour: is not a known field`,
          `${extra}: extra_service.input_parameters.prompt.type: must be one of string, integer, number, boolean, enum, url, array, object`,
          `${extra}: extra_service.input_parameters.prompt.required: must be boolean`,
          `${extra}: extra_service.pricing.standard.unit_price: must be string`,
          `${extra}: extra_service.limits.max_concurrent_jobs: is missing`,
        ].join('\n  - '),
      );
    });

    it('an invalid definition, by field', () => {
      const media = readFileSync(join(SHIPPED, 'media-processing.yaml'), 'utf8');
      withFile('media-processing.yaml', media.replace(/(- name: crf\n(?: {8}.*\n)*? {8}default:) 23\n/, '$1 99\n'));
      expect(bootError(dir)).toBe(
        `invalid service catalogue:\n  - ${join(dir, 'media-processing.yaml')}: ffmpeg.input_parameters.crf.default: default must be <= 51`,
      );
    });

    it("definitions of another category than their file's", () => {
      const file = join(dir, 'media-processing.yaml');
      const media = readFileSync(join(SHIPPED, 'media-processing.yaml'), 'utf8');
      withFile('media-processing.yaml', media.replace('category: media_processing\n', 'category: ai_ml\n'));
      const ids = loadCatalogueFiles(SHIPPED)
        .find((shipped) => shipped.category === 'media_processing')!
        .services.map((service) => service.id);
      expect(bootError(dir)).toBe(
        [
          'invalid service catalogue:',
          ...ids.map((id) => `${file}: ${id}.category: is media_processing, but ${file} holds ai_ml services`),
          'catalogue: category media_processing has no services',
        ].join('\n  - '),
      );
    });
  });
});
