/**
 * The content of a sealed link, in physical units. Everything except `serial` and
 * `keyVersion` travels encrypted and authenticated; see docs/link-format.md.
 */

/** Channels sampled on the logger's fixed schedule (one value per sequence number). */
export type SampledChannelName = 'temperature' | 'humidity' | 'light';

/**
 * One sample: a number in the channel's unit, `null` when no sample was taken
 * (a gap), or `'fault'` when the sensor reported a fault for that slot.
 */
export type Sample = number | null | 'fault';

export interface ChannelLimits {
  /** Lowest allowed value (inclusive), in the channel's unit. */
  low: number;
  /** Highest allowed value (inclusive), in the channel's unit. */
  high: number;
}

/** Summary of a channel over the logger's whole memory (not only this link's window). */
export interface ChannelSummary {
  /** Lowest and highest valid value in memory, or null when memory holds none. */
  min: number | null;
  max: number | null;
  /** The limits configured on the logger, or null when none are set. */
  limits: ChannelLimits | null;
  /** Readings in memory below `limits.low` / above `limits.high` (time = count × interval). */
  belowCount: number;
  aboveCount: number;
  /** Alarm state: `triggered` latches once a limit was broken; `active` while the newest reading is out of limits. */
  alarm: { triggered: boolean; active: boolean };
}

export interface SampledChannelData {
  /** One entry per sequence number, starting at `LinkContent.firstSeq`. */
  samples: Sample[];
  summary: ChannelSummary;
}

/** Peak acceleration of one shock event, in g (0.1 g resolution), per axis. */
export interface ShockEvent {
  /** Event number within the logging session (0, 1, 2, …): its identity. */
  seq: number;
  /** Logger clock (Unix seconds, UTC) when the event happened. */
  time: number;
  peak: { x: number; y: number; z: number };
}

export interface ShockData {
  /** Events in this link, oldest first, consecutive `seq`. */
  events: ShockEvent[];
  /** How many shock events the logger's memory holds in this session. */
  totalEvents: number;
}

export interface LinkFlags {
  /** This session began because the logger's clock was reset (e.g. battery swap). */
  clockReset: boolean;
  /** A sensor reported a fault somewhere in memory. */
  sensorFault: boolean;
  /** The ring memory wrapped: the oldest readings of the session are gone. */
  memoryWrapped: boolean;
  /** Battery below its warning threshold. */
  lowBattery: boolean;
}

export interface LinkContent {
  /** 1–12 characters of 0-9 A-Z; readable without the key. */
  serial: string;
  /** Which of the logger's keys sealed the link (0–15); readable without the key. */
  keyVersion: number;
  /** Logging session number, persisted by the logger and incremented at every memory or clock reset. */
  session: number;
  /** Logger clock (Unix seconds, UTC) of sequence number 0 of this session. */
  sessionStart: number;
  /** Logger clock (Unix seconds, UTC) when the link was sealed. */
  sealedAt: number;
  /** Seconds between samples (≥ 1). Sample `seq` was taken at sessionStart + seq × interval. */
  interval: number;
  /** Sequence number of the first sample in this link. */
  firstSeq: number;
  /** Sampled channels present; all carry the same number of samples. */
  channels: Partial<Record<SampledChannelName, SampledChannelData>>;
  /** Shock events, when the logger has a shock sensor. */
  shock?: ShockData;
  /** Battery level in percent (0–100), or null when unknown. */
  battery: number | null;
  flags: LinkFlags;
}

/** What anyone can read from a link without the key. */
export interface LinkHeader {
  formatVersion: number;
  serial: string;
  keyVersion: number;
}

/** A logger's secret key, as written by `qrlog keygen` and read by `qrlog link pack --key`. */
export interface LoggerKey {
  serial: string;
  keyVersion: number;
  /** 16 bytes (AES-128-GCM-SIV) or 32 bytes (AES-256-GCM-SIV). */
  key: Uint8Array;
}
