import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { join } from 'node:path';

/** How to run one process of the stack. */
export interface ProcessSpec {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  /** The signal that asks for a graceful stop (nginx: SIGQUIT; Node and Redis: SIGTERM). */
  readonly stopSignal?: NodeJS.Signals;
}

export interface ExitStatus {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** Lines kept per process for readiness checks and the tail shown when it fails. */
const KEPT_LINES = 500;
/** pino lines below warn (a request each, at info): left out of a failure's tail. */
const QUIET_LINE = /^\{"level":(10|20|30),/;

/** One started process: its log, its recent lines, its exit. */
export class RunningProcess {
  private readonly recent: string[] = [];
  private status: ExitStatus | undefined;
  readonly exited: Promise<ExitStatus>;

  constructor(
    readonly spec: ProcessSpec,
    readonly child: ChildProcess,
    readonly logFile: string,
    log: WriteStream,
    echo: ((line: string) => void) | undefined,
  ) {
    const onLine = (line: string) => {
      if (!log.writableEnded) log.write(`${line}\n`);
      this.recent.push(line);
      if (this.recent.length > KEPT_LINES) this.recent.shift();
      echo?.(line);
    };
    for (const stream of [child.stdout, child.stderr]) if (stream) splitLines(stream, onLine);
    this.exited = new Promise((resolve) => {
      const settle = (status: ExitStatus) => {
        if (this.status !== undefined) return;
        this.status = status;
        log.end();
        resolve(status);
      };
      // 'close' rather than 'exit': it comes once the output pipes are drained too, so the
      // log and the recent lines are complete when the exit is reported.
      child.once('close', (code, signal) => settle({ code, signal }));
      child.once('error', (error) => {
        onLine(`[stack] could not start ${spec.command}: ${error.message}`);
        settle({ code: -1, signal: null });
      });
    });
  }

  get name(): string {
    return this.spec.name;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.status === undefined;
  }

  get exitStatus(): ExitStatus | undefined {
    return this.status;
  }

  /** Whether a line matching `pattern` is among the recent ones. */
  hasLogged(pattern: RegExp): boolean {
    return this.recent.some((line) => pattern.test(line));
  }

  /**
   * The last lines worth showing when it failed: warnings, errors and plain output; the
   * last few lines as they are when there are none of those (a process killed outright).
   */
  tail(lines = 40): string {
    const telling = this.recent.filter((line) => !QUIET_LINE.test(line));
    return (telling.length > 0 ? telling.slice(-lines) : this.recent.slice(-10)).join('\n');
  }

  /** Graceful stop, then SIGKILL to its whole process group after `graceMs`. */
  async stop(graceMs: number): Promise<void> {
    if (!this.running) return;
    this.signal(this.spec.stopSignal ?? 'SIGTERM');
    const outcome = await Promise.race([this.exited, delay(graceMs)]);
    if (outcome === undefined && this.running) {
      this.kill();
      await Promise.race([this.exited, delay(5_000)]);
    }
  }

  /**
   * SIGKILL to the process group this process leads: nginx's workers, which would
   * outlive a killed master, belong to it, and nothing else does.
   */
  kill(): void {
    const pid = this.child.pid;
    if (pid === undefined) return;
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }

  private signal(signal: NodeJS.Signals): void {
    try {
      this.child.kill(signal);
    } catch {
      // Already gone.
    }
  }
}

/**
 * Starts the processes of one stack, each in its own process group (so a Ctrl-C in the
 * terminal reaches the stack alone, which then stops them in order) with its output in
 * `logsDir/<name>.log`, and tells `onUnexpectedExit` when one ends before it was asked to.
 */
export class Supervisor {
  private readonly started: RunningProcess[] = [];
  private stopping = false;

  constructor(
    private readonly logsDir: string,
    private readonly onUnexpectedExit: (process: RunningProcess, status: ExitStatus) => void,
    private readonly interleave: ((name: string, line: string) => void) | undefined,
  ) {}

  start(spec: ProcessSpec): RunningProcess {
    if (this.stopping) throw new Error(`not starting ${spec.name}: the stack is stopping`);
    const logFile = join(this.logsDir, `${spec.name}.log`);
    const log = createWriteStream(logFile, { flags: 'a' });
    const child = spawn(spec.command, [...spec.args], {
      cwd: spec.cwd,
      env: spec.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const echo = this.interleave;
    const running = new RunningProcess(spec, child, logFile, log, echo && ((line) => echo(spec.name, line)));
    this.started.push(running);
    void running.exited.then((status) => {
      if (!this.stopping) this.onUnexpectedExit(running, status);
    });
    return running;
  }

  /** Stops every process, the most recently started first; the ones started together, together. */
  async stopAll(graceMs: number, groups: readonly (readonly string[])[]): Promise<void> {
    this.stopping = true;
    const byName = new Map(this.started.map((p) => [p.name, p]));
    const grouped = new Set(groups.flat());
    const rest = this.started.filter((p) => !grouped.has(p.name));
    for (const group of [...groups].reverse()) {
      await Promise.all(group.map((name) => byName.get(name)?.stop(graceMs)));
    }
    await Promise.all(rest.map((p) => p.stop(graceMs)));
  }

  /** Last resort (a second Ctrl-C): SIGKILL to every process group still running. */
  killAll(): void {
    this.stopping = true;
    for (const p of this.started) if (p.running) p.kill();
  }
}

function splitLines(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
  let pending = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    const lines = (pending + chunk).split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) onLine(line);
  });
  stream.on('end', () => {
    if (pending !== '') onLine(pending);
    pending = '';
  });
}

const delay = (ms: number): Promise<undefined> =>
  new Promise((resolve) => setTimeout(() => resolve(undefined), ms).unref());
