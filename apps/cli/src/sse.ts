/** One Server-Sent Events message. */
export interface SseMessage {
  event: string;
  data: string;
}

/**
 * Splits complete SSE messages off the front of `buffer` (WHATWG HTML §9.2: lines end in LF, CR or
 * CRLF; a blank line ends a message; `data` lines join with LF; `:` lines are comments). Returns the
 * messages and the unfinished rest, to prepend to the next chunk.
 */
export function parseSse(buffer: string): { messages: SseMessage[]; rest: string } {
  const messages: SseMessage[] = [];
  const normalized = buffer.replace(/\r\n?/g, '\n');
  const blocks = normalized.split('\n\n');
  const rest = blocks.pop() ?? '';
  for (const block of blocks) {
    let event = 'message';
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line === '' || line.startsWith(':')) {
        continue;
      }
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') {
        event = value;
      } else if (field === 'data') {
        data.push(value);
      }
    }
    if (data.length > 0) {
      messages.push({ event, data: data.join('\n') });
    }
  }
  return { messages, rest };
}
