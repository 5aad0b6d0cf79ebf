import { parseSse } from './sse';

describe('parseSse', () => {
  it('splits messages on blank lines, keeps the unfinished rest, and skips comments', () => {
    expect(parseSse('event: state\ndata: {"a":1}\n\n: keepalive\n\nevent: state\ndata: {"a"')).toEqual({
      messages: [{ event: 'state', data: '{"a":1}' }],
      rest: 'event: state\ndata: {"a"',
    });
  });

  it('accepts CRLF and CR line ends, joins data lines, defaults the event name, and drops data-less blocks', () => {
    expect(parseSse('data: one\r\ndata:two\r\n\r\nevent: ping\r\rdata\n\nid: 7\n\n')).toEqual({
      messages: [
        { event: 'message', data: 'one\ntwo' },
        { event: 'message', data: '' },
      ],
      rest: '',
    });
  });
});
