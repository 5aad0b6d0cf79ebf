import { BadInput, checked, Checked, record } from '../payload-checks';
import { FILE_NAME_PATTERN } from './allow-list';
import { FfmpegRequest, parseFfmpegRequest } from './ffmpeg-request';

export type CliJob =
  | { kind: 'cli'; tool: string; args: string[]; inputs: Record<string, string>; outputs: string[] }
  | { kind: 'ffmpeg'; request: FfmpegRequest };

const FILE_NAME = new RegExp(`^${FILE_NAME_PATTERN}$`);
const MAX_ARGS = 256;
const MAX_FILES = 32;

/** `{type: "cli", tool, args, inputs?, outputs?}` or the typed `{service_type: "ffmpeg", service_request}`. */
export function isCliPayload(payload: Record<string, unknown>): boolean {
  return payload.type === 'cli' || payload.service_type === 'ffmpeg';
}

/** Checks the payload's shape; whether the tool and its arguments are allowed is the allow-list's call. */
export function parseCliJob(payload: Record<string, unknown>): Checked<CliJob> {
  return checked(() => toJob(payload));
}

function toJob(payload: Record<string, unknown>): CliJob {
  if (payload.service_type === 'ffmpeg') {
    const parsed = parseFfmpegRequest(payload.service_request);
    if (!parsed.ok) {
      throw new BadInput(parsed.message);
    }
    return { kind: 'ffmpeg', request: parsed.value };
  }
  if (payload.type !== 'cli') {
    throw new BadInput('payload is not a cli or ffmpeg job');
  }
  if (typeof payload.tool !== 'string' || payload.tool === '') {
    throw new BadInput('tool must be the name of an allow-listed tool');
  }
  const args = payload.args ?? [];
  if (!Array.isArray(args) || args.length > MAX_ARGS || !args.every((arg) => typeof arg === 'string')) {
    throw new BadInput(`args must be a list of at most ${MAX_ARGS} strings`);
  }
  const inputs = record(payload.inputs ?? {}, 'inputs');
  if (Object.keys(inputs).length > MAX_FILES) {
    throw new BadInput(`inputs may hold at most ${MAX_FILES} files`);
  }
  for (const [name, content] of Object.entries(inputs)) {
    if (!FILE_NAME.test(name)) {
      throw new BadInput(`inputs: ${JSON.stringify(name.slice(0, 60))} is not a plain file name`);
    }
    if (typeof content !== 'string' || !isBase64(content)) {
      throw new BadInput(`inputs.${name} must be base64`);
    }
  }
  const outputs = payload.outputs ?? [];
  if (!Array.isArray(outputs) || outputs.length > MAX_FILES || !outputs.every((name) => typeof name === 'string')) {
    throw new BadInput(`outputs must be a list of at most ${MAX_FILES} file names`);
  }
  const badOutput = outputs.find((name) => !FILE_NAME.test(name));
  if (badOutput !== undefined) {
    throw new BadInput(`outputs: ${JSON.stringify(badOutput.slice(0, 60))} is not a plain file name`);
  }
  return { kind: 'cli', tool: payload.tool, args, inputs: inputs as Record<string, string>, outputs };
}

function isBase64(text: string): boolean {
  return text.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(text);
}
