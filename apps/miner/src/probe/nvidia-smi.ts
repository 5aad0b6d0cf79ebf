import { execFile } from 'node:child_process';

/** One GPU as nvidia-smi reports it. Utilisation and free memory are null when the driver withholds them. */
export interface GpuReading {
  name: string;
  uuid: string | null;
  memory_total_mb: number;
  memory_free_mb: number | null;
  utilization_percent: number | null;
  driver_version: string | null;
}

export interface NvidiaReading {
  gpus: GpuReading[];
  cuda: string | null;
}

export const GPU_QUERY = 'name,uuid,memory.total,memory.free,utilization.gpu,driver_version';

const number = (text: string | undefined): number | null => {
  const value = Number((text ?? '').trim());
  return (text ?? '').trim() !== '' && Number.isFinite(value) ? value : null;
};

/** Parses `nvidia-smi --query-gpu=${GPU_QUERY} --format=csv,noheader,nounits`. Malformed lines are skipped. */
export function parseGpuCsv(csv: string): GpuReading[] {
  const gpus: GpuReading[] = [];
  for (const line of csv.split(/\r?\n/)) {
    const cells = line.split(',').map((cell) => cell.trim());
    const total = number(cells[2]);
    if (cells.length < 3 || !cells[0] || total === null) {
      continue;
    }
    const text = (cell: string | undefined) => (cell && !/^\[?(N\/A|Not Supported)\]?$/i.test(cell) ? cell : null);
    gpus.push({
      name: cells[0],
      uuid: text(cells[1]),
      memory_total_mb: Math.round(total),
      memory_free_mb: number(text(cells[3]) ?? undefined),
      utilization_percent: number(text(cells[4]) ?? undefined),
      driver_version: text(cells[5]),
    });
  }
  return gpus;
}

/** The CUDA version from `nvidia-smi -q` ("CUDA Version : 12.4"), or null. */
export function parseCudaVersion(text: string): string | null {
  const match = /CUDA Version\s*:?\s*(\d{1,3}\.\d{1,3})/i.exec(text);
  return match ? match[1] : null;
}

function run(executable: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(executable, args, { timeout: 10_000, maxBuffer: 1024 * 1024 }, (error, stdout) => {
      if (error) {
        reject(Object.assign(new Error(error.message), { code: error.code }));
        return;
      }
      resolve(stdout);
    });
  });
}

/**
 * Asks nvidia-smi for the GPUs. No nvidia-smi (or a failing one) means no GPUs; the reason is
 * returned so the caller can say it once in the log.
 */
export async function readNvidiaSmi(executable: string): Promise<NvidiaReading & { problem: string | null }> {
  let csv: string;
  try {
    csv = await run(executable, [`--query-gpu=${GPU_QUERY}`, '--format=csv,noheader,nounits']);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const problem =
      code === 'ENOENT'
        ? `${executable} not found: no NVIDIA GPUs will be advertised`
        : `${executable} failed (${(error as Error).message.split('\n')[0]}): no NVIDIA GPUs will be advertised`;
    return { gpus: [], cuda: null, problem };
  }
  const gpus = parseGpuCsv(csv);
  let cuda: string | null = null;
  if (gpus.length > 0) {
    cuda = await run(executable, ['-q']).then(parseCudaVersion, () => null);
  }
  return { gpus, cuda, problem: gpus.length === 0 ? `${executable} reported no GPUs` : null };
}
