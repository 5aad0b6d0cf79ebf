import { parseCudaVersion, parseGpuCsv } from './nvidia-smi';

describe('parseGpuCsv', () => {
  it('reads one line per GPU with units stripped', () => {
    const csv =
      'NVIDIA GeForce RTX 4060 Ti, GPU-5f3c9a1e-0000-1111-2222-333344445555, 16380, 15820, 7, 550.54.14\n' +
      'NVIDIA A100-SXM4-80GB, GPU-aaaa, 81920, [N/A], [Not Supported], 535.104.05\n';
    expect(parseGpuCsv(csv)).toEqual([
      {
        name: 'NVIDIA GeForce RTX 4060 Ti',
        uuid: 'GPU-5f3c9a1e-0000-1111-2222-333344445555',
        memory_total_mb: 16380,
        memory_free_mb: 15820,
        utilization_percent: 7,
        driver_version: '550.54.14',
      },
      {
        name: 'NVIDIA A100-SXM4-80GB',
        uuid: 'GPU-aaaa',
        memory_total_mb: 81920,
        memory_free_mb: null,
        utilization_percent: null,
        driver_version: '535.104.05',
      },
    ]);
  });

  it('skips blank and malformed lines', () => {
    expect(parseGpuCsv('\n\ngarbage\n, , ,\n')).toEqual([]);
  });
});

describe('parseCudaVersion', () => {
  it('finds the version in nvidia-smi -q output', () => {
    expect(parseCudaVersion('Driver Version : 550.54.14\nCUDA Version                : 12.4\n')).toBe('12.4');
  });

  it('is null when absent', () => {
    expect(parseCudaVersion('Driver Version : 550')).toBeNull();
  });
});
