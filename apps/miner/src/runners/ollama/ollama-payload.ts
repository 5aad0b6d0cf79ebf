import { BadInput, checked, Checked, optionalNumber, record } from '../payload-checks';
import type {
  OllamaChatMessage,
  OllamaChatRequest,
  OllamaGenerateRequest,
  OllamaOptions,
  OllamaRole,
} from './ollama.client';

export type OllamaJob =
  { endpoint: 'generate'; request: OllamaGenerateRequest } | { endpoint: 'chat'; request: OllamaChatRequest };

const ROLES: readonly OllamaRole[] = ['system', 'user', 'assistant', 'tool'];

/** The payload shapes the Ollama runner takes: the seed's `inference` and `chat`, and typed `llm_inference`. */
export function isOllamaPayload(payload: Record<string, unknown>): boolean {
  return payload.type === 'inference' || payload.type === 'chat' || payload.service_type === 'llm_inference';
}

/** Validates a payload into one Ollama request. */
export function parseOllamaPayload(payload: Record<string, unknown>): Checked<OllamaJob> {
  return checked(() => toJob(payload));
}

function toJob(payload: Record<string, unknown>): OllamaJob {
  if (payload.service_type === 'llm_inference') {
    const request = record(payload.service_request, 'service_request');
    const options = definedOnly({
      num_predict: optionalNumber(request.max_tokens, 'service_request.max_tokens', { min: 1, integer: true }),
      temperature: optionalNumber(request.temperature, 'service_request.temperature', { min: 0 }),
      top_p: optionalNumber(request.top_p, 'service_request.top_p', { min: 0, max: 1 }),
    });
    if (request.stream !== undefined && typeof request.stream !== 'boolean') {
      throw new BadInput('service_request.stream must be a boolean');
    }
    return {
      endpoint: 'generate',
      request: definedOnly({
        model: text(request.model, 'service_request.model'),
        prompt: text(request.prompt, 'service_request.prompt'),
        system: optionalText(request.system, 'service_request.system'),
        options: Object.keys(options).length > 0 ? options : undefined,
      }),
    };
  }
  const options = parseOptions(payload.options);
  if (payload.type === 'chat') {
    return {
      endpoint: 'chat',
      request: definedOnly({ model: text(payload.model, 'model'), messages: parseMessages(payload.messages), options }),
    };
  }
  if (payload.type === 'inference') {
    return {
      endpoint: 'generate',
      request: definedOnly({
        model: text(payload.model, 'model'),
        prompt: text(payload.prompt, 'prompt'),
        system: optionalText(payload.system, 'system'),
        options,
      }),
    };
  }
  throw new BadInput('payload is not an inference, chat or llm_inference job');
}

function parseMessages(value: unknown): OllamaChatMessage[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw new BadInput('messages must be a non-empty list of {role, content}');
  }
  return value.map((item, index) => {
    const message = record(item, `messages[${index}]`);
    const role = message.role;
    if (typeof role !== 'string' || !(ROLES as readonly string[]).includes(role)) {
      throw new BadInput(`messages[${index}].role must be one of ${ROLES.join(', ')}`);
    }
    if (typeof message.content !== 'string') {
      throw new BadInput(`messages[${index}].content must be a string`);
    }
    return { role: role as OllamaRole, content: message.content };
  });
}

/**
 * Only sampling options pass; others (`num_ctx`, `num_gpu`, `num_thread`, …) decide how this miner
 * spends its memory, so a job does not get to set them. Ollama itself ignores unknown keys too.
 */
function parseOptions(value: unknown): OllamaOptions | undefined {
  if (value === undefined || value === null) {
    return undefined;
  }
  const options = record(value, 'options');
  const stop = options.stop;
  if (
    stop !== undefined &&
    (!Array.isArray(stop) || stop.length > 16 || !stop.every((item) => typeof item === 'string'))
  ) {
    throw new BadInput('options.stop must be a list of at most 16 strings');
  }
  const parsed = definedOnly({
    temperature: optionalNumber(options.temperature, 'options.temperature', { min: 0 }),
    top_p: optionalNumber(options.top_p, 'options.top_p', { min: 0, max: 1 }),
    top_k: optionalNumber(options.top_k, 'options.top_k', { min: 0, integer: true }),
    min_p: optionalNumber(options.min_p, 'options.min_p', { min: 0, max: 1 }),
    num_predict: optionalNumber(options.num_predict, 'options.num_predict', { min: -2, integer: true }),
    seed: optionalNumber(options.seed, 'options.seed', { integer: true }),
    stop,
    repeat_penalty: optionalNumber(options.repeat_penalty, 'options.repeat_penalty'),
    presence_penalty: optionalNumber(options.presence_penalty, 'options.presence_penalty'),
    frequency_penalty: optionalNumber(options.frequency_penalty, 'options.frequency_penalty'),
  });
  return Object.keys(parsed).length > 0 ? parsed : undefined;
}

function text(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new BadInput(`${field} must be a non-empty string`);
  }
  return value;
}

function optionalText(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null) {
    return undefined;
  }
  if (typeof value !== 'string') {
    throw new BadInput(`${field} must be a string`);
  }
  return value;
}

function definedOnly<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, item]) => item !== undefined)) as T;
}
