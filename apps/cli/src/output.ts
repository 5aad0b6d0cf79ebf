import type { CliError } from './exit-codes';
import type { Io } from './io';

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/** Live progress of a long wait: a spinner in a terminal, a line per change otherwise, nothing with --json. */
export interface Progress {
  update(text: string): void;
  done(): void;
}

/**
 * Where everything the user sees goes. With --json, stdout gets exactly one JSON document (the
 * command's result) and errors go to stderr as JSON; otherwise both are text for people.
 */
export class Output {
  constructor(
    private readonly io: Io,
    readonly json: boolean,
  ) {}

  /** The command's result: `value` as JSON with --json, else the human text. */
  result(value: unknown, human: () => string): void {
    if (this.json) {
      this.io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
    } else {
      const text = human();
      this.io.stdout.write(text.endsWith('\n') || text === '' ? text : `${text}\n`);
    }
  }

  /** Text output (help, completion scripts) that is the same with and without --json. */
  text(text: string): void {
    this.io.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  /** A remark for people on stderr (never with --json, so scripts see only results and errors). */
  note(text: string): void {
    if (!this.json) {
      this.io.stderr.write(`aitbc: ${text}\n`);
    }
  }

  error(error: CliError): void {
    if (this.json) {
      const http = error.http ?? { status: null, code: null, request_id: null };
      this.io.stderr.write(
        `${JSON.stringify({ error: { message: error.message, exit_code: error.exitCode, http_status: http.status, code: http.code, request_id: http.request_id } })}\n`,
      );
    } else {
      this.io.stderr.write(`aitbc: ${error.message}\n`);
    }
  }

  progress(): Progress {
    if (this.json) {
      return { update: () => undefined, done: () => undefined };
    }
    const started = this.io.now();
    const elapsed = () => formatDuration(this.io.now() - started);
    if (!this.io.stderr.isTTY) {
      let last = '';
      return {
        update: (text) => {
          if (text !== last) {
            last = text;
            this.io.stderr.write(`[${elapsed()}] ${text}\n`);
          }
        },
        done: () => undefined,
      };
    }
    let text = 'waiting';
    let frame = 0;
    const draw = () => this.io.stderr.write(`\r\x1b[2K${SPINNER[frame++ % SPINNER.length]} ${text} · ${elapsed()}`);
    const timer = setInterval(draw, 100);
    timer.unref();
    return {
      update: (next) => {
        text = next;
        draw();
      },
      done: () => {
        clearInterval(timer);
        this.io.stderr.write('\r\x1b[2K');
      },
    };
  }
}

/** `Label: value` lines, skipping absent values, labels padded to one column. */
export function fields(pairs: readonly (readonly [string, string | number | null | undefined])[]): string {
  const present = pairs.filter(([, value]) => value !== null && value !== undefined && value !== '');
  const width = Math.max(0, ...present.map(([label]) => label.length + 1));
  return present.map(([label, value]) => `${`${label}:`.padEnd(width)} ${String(value)}`).join('\n');
}

/** A plain text table: a header row, then the rows, columns padded; empty cells shown as `-`. */
export function table(header: readonly string[], rows: readonly (readonly (string | number | null)[])[]): string {
  const cells = [header, ...rows.map((row) => row.map((cell) => (cell === null || cell === '' ? '-' : String(cell))))];
  const widths = header.map((_, column) => Math.max(...cells.map((row) => row[column].length)));
  return cells
    .map((row) =>
      row
        .map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column])))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** 0.4 s, 12.5 s, 2 min 05 s. */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, ms) / 1000;
  if (seconds < 60) {
    return `${seconds.toFixed(1)} s`;
  }
  const minutes = Math.floor(seconds / 60);
  return `${minutes} min ${String(Math.floor(seconds % 60)).padStart(2, '0')} s`;
}
