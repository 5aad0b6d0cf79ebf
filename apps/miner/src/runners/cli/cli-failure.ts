import { shortMessage } from '../run-deadline';
import type { MinerFailCode } from '../runner';
import type { CliTool } from './allow-list';
import type { ToolExit } from './tool-process';

/** A failure with its code, thrown inside the CLI runner and turned into an outcome at its edge. */
export class CliFailure extends Error {
  constructor(
    readonly code: MinerFailCode,
    message: string,
  ) {
    super(message);
    this.name = 'CliFailure';
  }
}

const OUT_OF_MEMORY = /Cannot allocate memory|memory exhausted|out of memory|std::bad_alloc|failed to map segment/i;
const BAD_INPUT =
  /Invalid data found when processing input|No such file or directory|does not contain any stream|could not find codec parameters|moov atom not found|Format not on whitelist|End of file/i;

/** How a finished tool run failed, or null when it succeeded. */
export function exitFailure(exit: ToolExit, tool: CliTool): CliFailure | null {
  if (exit.spawnError) {
    return new CliFailure(
      'E_RUNTIME',
      `${tool.name} could not be started (${exit.spawnError.code ?? exit.spawnError.message})`,
    );
  }
  if (exit.exitCode === 0) {
    return null;
  }
  const lines = exit.stderrTail.split('\n').filter((line) => line.trim() !== '');
  const lineMatching = (pattern: RegExp) => lines.find((line) => pattern.test(line));
  if (exit.signal === 'SIGXFSZ') {
    return new CliFailure(
      'E_BAD_INPUT',
      `${tool.name} wrote a file larger than max_output_bytes (${tool.maxOutputBytes})`,
    );
  }
  const limit = tool.memoryLimitMb === null ? '' : ` (limit ${tool.memoryLimitMb} MB)`;
  const oom = lineMatching(OUT_OF_MEMORY);
  // A SIGKILL we did not send comes from the kernel, and that is the OOM killer.
  if (oom !== undefined || (exit.signal === 'SIGKILL' && !exit.killedByUs)) {
    return new CliFailure('E_OOM', shortMessage(`${tool.name} ran out of memory${limit}${oom ? `: ${oom}` : ''}`));
  }
  const badInput = lineMatching(BAD_INPUT);
  if (badInput !== undefined) {
    return new CliFailure('E_BAD_INPUT', shortMessage(`${tool.name} could not read its input: ${badInput}`));
  }
  const how = exit.signal === null ? `exited with code ${exit.exitCode}` : `was killed by ${exit.signal}`;
  const last = lines.at(-1);
  return new CliFailure('E_RUNTIME', shortMessage(`${tool.name} ${how}${last ? `: ${last}` : ''}`));
}
