import { encodesWithNvenc, ffmpegArgs, inputFileName, outputFileName, parseFfmpegRequest } from './ffmpeg-request';

const base = { input_url: 'https://media.example/clip.MOV?sig=abc', output_format: 'mp4' };
const argsFor = (fields: Record<string, unknown>) => {
  const parsed = parseFfmpegRequest({ ...base, ...fields });
  return parsed.ok ? ffmpegArgs(parsed.value, 'in', 'out') : parsed.message;
};

describe('typed ffmpeg requests', () => {
  it('maps a full H.264 request to ffmpeg arguments', () => {
    const parsed = parseFfmpegRequest({
      ...base,
      video_codec: 'h264',
      audio_codec: 'aac',
      resolution: '1280x720',
      video_bitrate: '2M',
      audio_bitrate: '128k',
      fps: 30,
      crf: 23,
      preset: 'veryfast',
      hardware_acceleration: false,
    });
    expect(parsed.ok && ffmpegArgs(parsed.value, 'input.mov', 'output.mp4')).toEqual([
      ...['-y', '-i', 'input.mov'],
      ...['-c:v', 'libx264', '-s', '1280x720', '-r', '30', '-b:v', '2M', '-crf', '23', '-preset', 'veryfast'],
      ...['-c:a', 'aac', '-b:a', '128k'],
      ...['-movflags', '+faststart', 'output.mp4'],
    ]);
  });

  it.each([
    [{ output_format: 'webm' }, ['-c:v', 'libvpx-vp9', '-c:a', 'libopus']],
    [
      { output_format: 'webm', video_codec: 'vp9', crf: 31, preset: 'ultrafast' },
      [
        '-c:v',
        'libvpx-vp9',
        '-crf',
        '31',
        '-b:v',
        '0',
        '-deadline',
        'good',
        '-cpu-used',
        '5',
        '-row-mt',
        '1',
        '-c:a',
        'libopus',
      ],
    ],
    [
      { output_format: 'mkv', video_codec: 'av1', preset: 'veryslow' },
      ['-c:v', 'libaom-av1', '-cpu-used', '0', '-c:a', 'aac'],
    ],
    [{ output_format: 'mkv', video_codec: 'h265', audio_codec: 'flac' }, ['-c:v', 'libx265', '-c:a', 'flac']],
    [{ output_format: 'mp3', audio_bitrate: '192k' }, ['-vn', '-c:a', 'libmp3lame', '-b:a', '192k']],
    [{ output_format: 'wav' }, ['-vn']],
    [{ output_format: 'wav', audio_codec: 'flac' }, ['-vn', '-c:a', 'flac']],
    [{ output_format: 'flac' }, ['-vn', '-c:a', 'flac']],
    [{ output_format: 'ogg', audio_codec: 'opus' }, ['-vn', '-c:a', 'libopus']],
  ])('maps %j', (fields, middle) => {
    expect(argsFor(fields)).toEqual(['-y', '-i', 'in', ...middle, 'out']);
  });

  it('leaves out what does not apply, as the coordinator always sends codecs, crf and preset', () => {
    const always = { crf: 23, preset: 'medium', hardware_acceleration: false };
    expect(
      argsFor({ ...always, output_format: 'mp3', video_codec: 'h264', audio_codec: 'mp3', resolution: '640x360' }),
    ).toEqual(['-y', '-i', 'in', '-vn', '-c:a', 'libmp3lame', 'out']);
    expect(argsFor({ ...always, output_format: 'mov', video_codec: 'copy', audio_codec: 'copy', fps: 25 })).toEqual([
      ...['-y', '-i', 'in', '-c:v', 'copy', '-c:a', 'copy', '-movflags', '+faststart', 'out'],
    ]);
  });

  it('encodes with NVENC when hardware_acceleration is set, a hardware webm getting av1', () => {
    expect(argsFor({ video_codec: 'h265', crf: 28, preset: 'slow', hardware_acceleration: true })).toEqual([
      ...['-y', '-i', 'in', '-c:v', 'hevc_nvenc', '-rc', 'vbr', '-cq', '28', '-b:v', '0', '-preset', 'p5'],
      ...['-c:a', 'aac', '-movflags', '+faststart', 'out'],
    ]);
    expect(argsFor({ output_format: 'webm', hardware_acceleration: true })).toEqual([
      ...['-y', '-i', 'in', '-c:v', 'av1_nvenc', '-c:a', 'libopus', 'out'],
    ]);
  });

  it.each([
    [{ output_format: 'avi' }, 'service_request.output_format must be one of mp4, webm, mkv, mov, mp3, wav, flac, ogg'],
    [{ input_url: 'file:///etc/passwd' }, 'service_request.input_url must use http or https'],
    [{ input_url: 'not a url' }, 'service_request.input_url is not a valid URL'],
    [{ input_url: 42 }, 'service_request.input_url must be an http(s) URL of at most 2048 characters'],
    [{ video_codec: 'mpeg2' }, 'service_request.video_codec must be one of h264, h265, vp9, av1, copy'],
    [
      { output_format: 'webm', video_codec: 'h264' },
      'service_request.video_codec: webm holds video in vp9, av1, copy only',
    ],
    [{ output_format: 'mp3', audio_codec: 'aac' }, 'service_request.audio_codec: mp3 holds audio in mp3, copy only'],
    [
      { video_codec: 'vp9', hardware_acceleration: true },
      'service_request.video_codec: NVENC hardware encoding has no vp9 encoder',
    ],
    [{ hardware_acceleration: 'yes' }, 'service_request.hardware_acceleration must be true or false'],
    [{ resolution: '1280*720' }, 'service_request.resolution must be like "1280x720"'],
    [{ resolution: '1281x720' }, 'service_request.resolution must have even sides of at most 7680x4320'],
    [{ resolution: '99999x99999' }, 'service_request.resolution must have even sides of at most 7680x4320'],
    [{ resolution: '00x00' }, 'service_request.resolution must have even sides of at most 7680x4320'],
    [{ video_bitrate: '2 M' }, 'service_request.video_bitrate must be like "2M"'],
    // more digits than the allow-list's {bitrate} passes: refused here, not at the argument check
    [{ video_bitrate: '1234567k' }, 'service_request.video_bitrate must be like "2M"'],
    [{ audio_bitrate: '1.2345M' }, 'service_request.audio_bitrate must be like "128k"'],
    [{ crf: 52 }, 'service_request.crf must be an integer from 0 to 51'],
    [{ crf: 20.5 }, 'service_request.crf must be an integer from 0 to 51'],
    [{ fps: 0 }, 'service_request.fps must be a number from 1 to 240'],
    [
      { preset: 'insane' },
      'service_request.preset must be one of ultrafast, superfast, veryfast, faster, fast, medium, slow, slower, veryslow',
    ],
  ])('refuses %j', (fields, message) => {
    expect(parseFfmpegRequest({ ...base, ...fields })).toEqual({ ok: false, message });
  });

  it("names the files in the workspace after the URL's extension and the format", () => {
    expect(inputFileName(base.input_url)).toBe('input.mov');
    expect(inputFileName('https://media.example/stream?id=1')).toBe('input.media');
    expect(inputFileName('https://media.example/a.b/../x.toolongext')).toBe('input.media');
    expect(outputFileName({ input_url: base.input_url, output_format: 'webm', hardware_acceleration: false })).toBe(
      'output.webm',
    );
  });
});

describe('encodesWithNvenc (a GPU is needed only for it)', () => {
  it.each([
    [{ hardware_acceleration: true }, true],
    [{ hardware_acceleration: true, output_format: 'webm' }, true],
    [{ hardware_acceleration: true, video_codec: 'h265' }, true],
    [{ hardware_acceleration: false }, false],
    [{ hardware_acceleration: true, output_format: 'mp3' }, false],
    [{ hardware_acceleration: true, output_format: 'ogg', video_codec: 'h264' }, false],
    [{ hardware_acceleration: true, video_codec: 'copy' }, false],
  ])('%j → %s', (fields, expected) => {
    const parsed = parseFfmpegRequest({ ...base, ...fields });
    expect(parsed.ok && encodesWithNvenc(parsed.value)).toBe(expected);
  });
});
