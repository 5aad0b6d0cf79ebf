import { createHash } from 'node:crypto';
import { lstat, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CliFailure } from './cli-failure';

export interface OutputFile {
  name: string;
  size_bytes: number;
  sha256: string;
  content_base64: string;
}

/** Writes the job's inline inputs (already checked to be plain names and base64) into the workspace. */
export async function writeInputs(workspace: string, inputs: Record<string, string>, maxBytes: number): Promise<void> {
  const decoded = Object.entries(inputs).map(([name, base64]) => [name, Buffer.from(base64, 'base64')] as const);
  const total = decoded.reduce((sum, [, bytes]) => sum + bytes.length, 0);
  if (total > maxBytes) {
    throw new CliFailure(
      'E_BAD_INPUT',
      `inputs total ${total} bytes, more than this tool's max_input_bytes (${maxBytes})`,
    );
  }
  for (const [name, bytes] of decoded) {
    // 'wx': never through a file or link that is already there
    await writeFile(join(workspace, name), bytes, { flag: 'wx' });
  }
}

/**
 * Reads the named outputs back. Over `maxBytes` in total is `E_BAD_INPUT`: the job asked for more than
 * this miner returns, and running it again would not change that.
 */
export async function collectOutputs(
  workspace: string,
  names: readonly string[],
  maxBytes: number,
  toolName: string,
): Promise<OutputFile[]> {
  const sizes: number[] = [];
  for (const name of names) {
    const info = await lstat(join(workspace, name)).catch(() => null);
    if (info === null) {
      throw new CliFailure('E_RUNTIME', `${toolName} finished without writing ${name}`);
    }
    // A link could point anywhere on this machine; only what the tool wrote in the workspace goes back.
    if (!info.isFile()) {
      throw new CliFailure('E_RUNTIME', `${name} is not a regular file`);
    }
    sizes.push(info.size);
  }
  const total = sizes.reduce((sum, size) => sum + size, 0);
  if (total > maxBytes) {
    throw new CliFailure(
      'E_BAD_INPUT',
      `outputs total ${total} bytes, more than ${toolName}'s max_output_bytes (${maxBytes}) on this miner`,
    );
  }
  const outputs: OutputFile[] = [];
  for (const name of names) {
    const bytes = await readFile(join(workspace, name));
    outputs.push({
      name,
      size_bytes: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      content_base64: bytes.toString('base64'),
    });
  }
  return outputs;
}
