/*
 * What the shipped miner passes to ffmpeg, shared by the coordinator's DTO and registry entry and the
 * miner's own checks, so the coordinator never accepts a typed ffmpeg request the miner then refuses.
 */

/** The largest output frame the miner encodes (8K UHD). */
export const FFMPEG_MAX_WIDTH = 7680;
export const FFMPEG_MAX_HEIGHT = 4320;

/** An even number from 10 to 7680, without leading zeros. */
const EVEN_WIDTH = '(?:[1-9][02468]|[1-9]\\d[02468]|[1-6]\\d\\d[02468]|7[0-5]\\d[02468]|76[0-7][02468]|7680)';
/** An even number from 10 to 4320, without leading zeros. */
const EVEN_HEIGHT = '(?:[1-9][02468]|[1-9]\\d[02468]|[1-3]\\d\\d[02468]|4[0-2]\\d[02468]|43[01][02468]|4320)';

/**
 * `WIDTHxHEIGHT` with even sides (every offered encoder works in 4:2:0) of at most 7680x4320, as a
 * JSON Schema / ECMA-262 pattern: each side is 10 to its maximum, with no leading zero.
 */
export const FFMPEG_RESOLUTION_PATTERN = `^${EVEN_WIDTH}x${EVEN_HEIGHT}$`;

/** The number of a bitrate: the miner's allow-list `{bitrate}` placeholder is this and an optional unit. */
export const FFMPEG_BITRATE_NUMBER = '\\d{1,6}(?:\\.\\d{1,3})?';

/** A typed request's bitrate: a number and `k` or `M`, e.g. `800k`, `2.5M`. */
export const FFMPEG_BITRATE_PATTERN = `^${FFMPEG_BITRATE_NUMBER}[kM]$`;
