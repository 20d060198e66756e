/** The data anomalies the service raises for a logger's owners. */
export const ANOMALY_KINDS = [
  'stuck-sensor',
  'impossible-jump',
  'clock-ahead',
  'clock-drift',
  'conflicting-readings',
  'logger-reset',
  'key-version-backwards',
] as const;

export type AnomalyKind = (typeof ANOMALY_KINDS)[number];
