import { generateKey, isSerial, type LoggerKey } from '@qrlog/link';
import { ECC_LEVELS, renderTerminal, type EccLevel } from '@qrlog/qr';
import { Logger, LOGGER_MODELS, coldChainTrip, freezer, isLoggerModel, room, type Environment, type LoggerModel } from '@qrlog/simulator';
import { integer, oneOf, parse } from '../args.ts';
import { baseUrlOption } from '../base-url.ts';
import { usageError } from '../cli-error.ts';
import { readKeyFile } from '../key-io.ts';
import { readLoggerState, statePathFor, writeLoggerState } from '../logger-state-file.ts';
import { largestQrVersionFitting, qrColumns, terminalColumns } from '../terminal-qr-size.ts';
import type { Command, CommandIo } from '../command.ts';

const ENVIRONMENTS = ['room', 'freezer', 'trip'] as const;
/** The largest QR code a logger's screen shows (and what --json frames use). */
const DEFAULT_MAX_VERSION = 20;
type EnvironmentName = (typeof ENVIRONMENTS)[number];

export const simulate: Command = {
  name: 'simulate',
  summary: 'a live simulated logger: its QR code refreshing in the terminal',
  usage: `qrlog simulate [--environment room|freezer|trip] [--model T|TH|THL|THLS] [--interval SECONDS]
               [--speed N] [--history-days D] [--key key.json | --serial SERIAL] [--base-url URL]
               [--ecc L|M|Q|H] [--qr-version-max N] [--frames N] [--json] [--seed N]

A logger that has been recording for --history-days (default 14) up to now and goes on in real
time: its clock follows this machine's and never runs ahead of it, because the service refuses links
sealed in the future. Each second the screen is redrawn; like a logger's, it shows a new code (the
newest readings that fit) when there is a new reading, every --interval seconds (default 600).
--speed N runs the clock N seconds a second instead, ahead of real time: for links opened offline
(\`qrlog link open\`), not for the service, and such a run is not saved.

With --key, the logger's state (session, memory, clock) is kept beside the key file, key.json →
key.state.json, and the next \`qrlog simulate --key key.json\` continues the same logger, catching
up on the readings of the time it was not running; --environment, --model, --interval, --seed and
--history-days only shape a new logger. Without --key it makes a throw-away key (the link then opens
only in this process) and keeps nothing. --frames N stops after N frames; --json prints one JSON line
per frame instead of drawing ("readings" counts per channel, as the scan page does). Ctrl-C stops.

A phone that scans the code opens its link, so the link must point at an address the phone can
reach: the default https://localhost:8443/ works only on this machine. For a phone on the same
network, give this machine's LAN address: --base-url https://<LAN address>:8443/ (for example
https://192.168.1.20:8443/; \`hostname -I\` or \`ipconfig getifaddr en0\` shows it).

The QR code drawn is sized to fit the terminal's width (80 columns when unknown); when
--qr-version-max asks for a larger one that does not fit, it says so.`,
  async run(argv, io) {
    const { values } = parse(argv, {
      environment: { type: 'string' },
      model: { type: 'string' },
      interval: { type: 'string' },
      speed: { type: 'string' },
      'history-days': { type: 'string' },
      key: { type: 'string' },
      serial: { type: 'string' },
      'base-url': { type: 'string' },
      ecc: { type: 'string' },
      'qr-version-max': { type: 'string' },
      frames: { type: 'string' },
      json: { type: 'boolean' },
      seed: { type: 'string' },
    });
    const environment = oneOf<EnvironmentName>(values.environment, '--environment', ENVIRONMENTS, 'room');
    const model = values.model ?? (environment === 'trip' ? 'THLS' : 'TH');
    if (!isLoggerModel(model)) throw usageError(`--model must be one of ${Object.keys(LOGGER_MODELS).join(', ')}`);
    const interval = integer(values.interval, '--interval', 1, 86_400, 600);
    const speed = integer(values.speed, '--speed', 1, 86_400 * 30, 1);
    const historyDays = integer(values['history-days'], '--history-days', 0, 365, 14);
    const ecc = oneOf<EccLevel>(values.ecc, '--ecc', ECC_LEVELS, 'M');
    const columns = terminalColumns();
    // A drawn code wider than the terminal wraps and cannot be scanned: by default, the largest that fits.
    const defaultVersion = values.json === true ? DEFAULT_MAX_VERSION : Math.max(1, Math.min(DEFAULT_MAX_VERSION, largestQrVersionFitting(columns)));
    const maxVersion = integer(values['qr-version-max'], '--qr-version-max', 1, 40, defaultVersion);
    const frames = values.frames === undefined ? Infinity : integer(values.frames, '--frames', 1, 1_000_000);
    const seed = integer(values.seed, '--seed', 0, 2 ** 31, 1);
    const baseUrl = baseUrlOption(values['base-url']);
    const key = loggerKey(values.key, values.serial);

    // Only a logger with a key file of its own has a state to keep; a throw-away key starts afresh.
    const statePath = values.key === undefined ? undefined : statePathFor(values.key);
    const saved = statePath === undefined ? undefined : readLoggerState(statePath, key);
    if (saved) {
      io.err(`qrlog: continuing logger ${saved.serial} from ${statePath ?? ''} (session ${saved.session}, ${saved.nextSeq} readings per channel so far; its environment, model and interval stay as they were)\n`);
    }
    const logger = saved ?? newLogger({ key, model, environment, seed, interval, historyDays });
    // A logger records while nobody watches: a continued one catches up to now first.
    logger.advanceTo(Math.max(logger.clock, wallClock()));
    // Ahead of real time the service refuses the links; such a run is a view, not the logger's life.
    const saves = statePath !== undefined && speed === 1;

    let link = logger.currentLink({ baseUrl, ecc, maxVersion });
    for (let frame = 0; frame < frames; frame++) {
      if (frame > 0) {
        await sleep(1000);
        // By default the clock follows the wall clock; --speed N runs N seconds a second, ahead of it.
        logger.advanceTo(speed === 1 ? Math.max(logger.clock, wallClock()) : logger.clock + speed);
        // Like a logger's screen, a new code only when there is a new reading to show.
        if (logger.nextSeq !== link.firstSeq + link.count) link = logger.currentLink({ baseUrl, ecc, maxVersion });
      }
      if (saves) writeLoggerState(statePath, logger);
      const newest = logger.content(1);
      const line = {
        serial: logger.serial,
        clock: new Date(logger.clock * 1000).toISOString(),
        readings: link.count,
        firstSeq: link.firstSeq,
        qrVersion: link.version,
        ecc,
        newest: Object.fromEntries(Object.entries(newest.channels).map(([name, d]) => [name, d.samples[0] ?? null])),
        url: link.url,
      };
      if (values.json === true) io.out(JSON.stringify(line) + '\n');
      else draw(io, link.url, line, { ecc, maxVersion }, columns, logger.clock - wallClock());
    }
    return 0;
  },
};

function draw(
  io: CommandIo,
  url: string,
  line: { serial: string; clock: string; readings: number; qrVersion: number; newest: Record<string, unknown> },
  opts: { ecc: EccLevel; maxVersion: number },
  columns: number,
  secondsAhead: number,
): void {
  const clear = process.stdout.isTTY ? '\x1b[H\x1b[2J' : '';
  const newest = Object.entries(line.newest).map(([k, v]) => `${k} ${String(v)}`).join(', ');
  const width = qrColumns(line.qrVersion);
  const tooWide =
    width > columns
      ? `This QR code is ${width} columns wide, wider than this ${columns}-column terminal, so it wraps and cannot be scanned: widen the terminal or lower --qr-version-max.\n`
      : '';
  const ahead =
    secondsAhead > 0
      ? `The logger clock is ${Math.ceil(secondsAhead / 60)} min ahead of real time (--speed): the service refuses links sealed more than 10 minutes ahead.\n`
      : '';
  // The whole link, never cut: it is what a phone would open, and what `qrlog link open` takes.
  io.out(
    `${clear}${renderTerminal(url, opts)}\n` +
      tooWide +
      ahead +
      `serial ${line.serial}   logger clock ${line.clock}\n` +
      `${readingsPerChannel(line.readings, Object.keys(line.newest))} in a version-${line.qrVersion} QR code (${url.length} characters); newest: ${newest}\n` +
      `${url}\n`,
  );
}

/** A logger that has recorded for the last `historyDays` days, up to now. */
function newLogger(o: { key: LoggerKey; model: LoggerModel; environment: EnvironmentName; seed: number; interval: number; historyDays: number }): Logger {
  const start = wallClock() - o.historyDays * 86_400;
  return Logger.create({ key: o.key, model: o.model, environment: makeEnvironment(o.environment, o.seed, start), start, interval: o.interval, limits: limitsFor(o.environment) });
}

/** Now, in the whole Unix seconds a logger clock counts. */
function wallClock(): number {
  return Math.floor(Date.now() / 1000);
}

/**
 * Readings counted per channel, as the service's scan page counts them: a link with 657 readings
 * of temperature and of humidity carries "657 readings × 2 channels", not 1,314 readings.
 */
function readingsPerChannel(count: number, channels: string[]): string {
  const n = `${count.toLocaleString('en')} reading${count === 1 ? '' : 's'}`;
  return channels.length === 1 ? `${n} (${channels.join('')})` : `${n} × ${channels.length} channels (${channels.join(', ')})`;
}

function loggerKey(path: string | undefined, serial: string | undefined): LoggerKey {
  if (path !== undefined) return readKeyFile(path);
  const s = (serial ?? 'SIM00001').toUpperCase();
  if (!isSerial(s)) throw usageError('--serial must be 1 to 12 characters of 0-9 and A-Z');
  return generateKey(s);
}

function makeEnvironment(name: EnvironmentName, seed: number, start: number): Environment {
  if (name === 'freezer') return freezer({ seed });
  if (name === 'trip') return coldChainTrip({ seed, start: start + 3600 });
  return room({ seed });
}

function limitsFor(name: EnvironmentName) {
  if (name === 'freezer') return { temperature: { low: -30, high: -15 } };
  if (name === 'trip') return { temperature: { low: 2, high: 8, delay: 2 } };
  return { temperature: { low: 15, high: 28 } };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
