import type { SampledChannelName } from '@qrlog/link';

/** The hardware variants: which sensors a logger carries. */
export type LoggerModel = 'T' | 'TH' | 'THL' | 'THLS';

export interface LoggerModelSpec {
  description: string;
  /** Sampled channels, in the link's channel order. */
  channels: readonly SampledChannelName[];
  /** Carries an accelerometer that records shock events. */
  shock: boolean;
}

export const LOGGER_MODELS: Readonly<Record<LoggerModel, LoggerModelSpec>> = {
  T: { description: 'temperature', channels: ['temperature'], shock: false },
  TH: { description: 'temperature and humidity', channels: ['temperature', 'humidity'], shock: false },
  THL: { description: 'temperature, humidity and light', channels: ['temperature', 'humidity', 'light'], shock: false },
  THLS: { description: 'temperature, humidity, light and shock', channels: ['temperature', 'humidity', 'light'], shock: true },
};

export function isLoggerModel(value: string): value is LoggerModel {
  return Object.hasOwn(LOGGER_MODELS, value);
}
