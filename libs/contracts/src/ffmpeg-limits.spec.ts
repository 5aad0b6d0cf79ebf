import {
  FFMPEG_BITRATE_PATTERN,
  FFMPEG_MAX_HEIGHT,
  FFMPEG_MAX_WIDTH,
  FFMPEG_RESOLUTION_PATTERN,
} from './ffmpeg-limits';

describe('ffmpeg limits', () => {
  const resolution = new RegExp(FFMPEG_RESOLUTION_PATTERN, 'u');
  const side = (n: number, max: number) => n >= 10 && n <= max && n % 2 === 0;

  it('accepts exactly the even widths from 10 to 7680 and even heights from 10 to 4320', () => {
    const wrong: string[] = [];
    for (let n = 0; n <= 10_000; n += 1) {
      if (resolution.test(`${n}x720`) !== side(n, FFMPEG_MAX_WIDTH)) {
        wrong.push(`${n}x720`);
      }
      if (resolution.test(`1280x${n}`) !== side(n, FFMPEG_MAX_HEIGHT)) {
        wrong.push(`1280x${n}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it.each(['1280x720', '7680x4320', '10x10', '3840x2160'])('accepts the resolution %s', (value) => {
    expect(resolution.test(value)).toBe(true);
  });

  it.each(['1281x720', '1280x721', '7682x4320', '7680x4322', '99999x99999', '0640x360', '1280*720', '1280x720 ', ''])(
    'refuses the resolution %j',
    (value) => {
      expect(resolution.test(value)).toBe(false);
    },
  );

  it.each([
    ['800k', true],
    ['2M', true],
    ['2.5M', true],
    ['999999k', true],
    ['1.234M', true],
    ['1234567k', false],
    ['1.2345M', false],
    ['2m', false],
    ['128K', false],
    ['2000', false],
    ['2 M', false],
    ['.5M', false],
  ])('bitrate %j → %s', (value, ok) => {
    expect(new RegExp(FFMPEG_BITRATE_PATTERN, 'u').test(value)).toBe(ok);
  });
});
