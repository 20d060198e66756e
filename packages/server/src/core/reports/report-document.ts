import type { Severity } from '../alerts/alert-rule.ts';

/**
 * A report as pure data: everything the PDF and CSV renderers print, already computed and in the
 * units asked for. Times are Unix seconds (generation time: milliseconds); the renderers format
 * them in `timeZone`. Built by buildReport (report-builder.ts) from a ReportInput; the same input
 * gives the same document, and only `generatedAt` differs between two runs over the same data.
 */
export interface ReportDocument {
  kind: 'logger-range' | 'mission';
  title: string;
  organization: string | null;
  mission: ReportMission | null;
  period: { from: number; to: number };
  /** IANA time zone every time is printed in. */
  timeZone: string;
  temperatureUnit: TemperatureUnit;
  /** Stated with the mean kinetic temperature (kJ/mol). */
  activationEnergyKj: number;
  loggers: ReportLogger[];
  channels: ReportChannel[];
  alerts: ReportAlert[];
  evidence: EvidenceSummary[];
  /** Unix milliseconds: the one field two runs over the same data differ in. */
  generatedAt: number;
}

export type TemperatureUnit = 'C' | 'F';

export interface ReportMission {
  id: string;
  name: string;
  status: string;
  origin: string | null;
  destination: string | null;
  plannedStart: number | null;
  plannedEnd: number | null;
  actualStart: number | null;
  actualEnd: number | null;
}

/** Calibration fields as far as they are recorded (null: not recorded). */
export interface Calibration {
  certificate: string | null;
  calibratedAt: number | null;
  dueAt: number | null;
}

export interface ReportLogger {
  serial: string;
  model: string | null;
  calibration: Calibration | null;
  /** The logger's part of the period (a mission's logger may join late or leave early). */
  from: number;
  to: number;
}

export interface ChartColumn {
  /** Unix seconds: start and end of the column's slice of the period. */
  from: number;
  to: number;
  min: number;
  max: number;
}

export interface ReportBand {
  label: string;
  low: number | null;
  high: number | null;
  /** Seconds the readings inside, below and above the band stand for. */
  inside: number;
  below: number;
  above: number;
}

/** A stretch of readings outside a band: shaded on the chart as an alarm period. */
export interface Excursion {
  band: string;
  from: number;
  to: number;
  /** The value furthest outside the band. */
  worst: number;
}

export interface ChannelSummary {
  readings: number;
  /** Seconds the readings stand for. */
  covered: number;
  min: number;
  max: number;
  mean: number;
  meanKinetic: number | null;
}

export interface ReportChannel {
  serial: string;
  channel: string;
  /** The unit values are printed in ('°C', '°F', '%RH', …). */
  unit: string;
  /** The chart: min and max of each of a fixed number of equal slices of the period (empty slices left out). */
  columns: ChartColumn[];
  /** Every reading of the period in time order (the CSV lists them; the PDF draws the columns). */
  readings: { t: number; value: number }[];
  bands: ReportBand[];
  excursions: Excursion[];
  /** Null when the channel has no reading in the period. */
  statistics: ChannelSummary | null;
  gaps: { from: number; to: number }[];
}

export interface AlertNote {
  by: string;
  at: number;
  text: string;
}

export interface ReportAlert {
  id: string;
  serial: string;
  channel: string | null;
  severity: Severity;
  /** open, acknowledged, closed, superseded. */
  state: string;
  summary: string;
  /** The value furthest outside (or fastest change, longest gap), in the report's units; null when none applies. */
  worst: number | null;
  startedAt: number;
  endedAt: number | null;
  acknowledgements: AlertNote[];
  comments: AlertNote[];
  closed: AlertNote | null;
}

export interface EvidenceSummary {
  serial: string;
  /** Links (evidence chain entries) whose readings the report holds. */
  links: number;
  firstChainIndex: number | null;
  lastChainIndex: number | null;
  /** Hex SHA-256 chain hash of the last of them. */
  lastHash: string | null;
  /** The newest signed checkpoint covering this logger's chain, if one was found. */
  checkpoint: { issuedAt: string; keyId: string; rootHash: string; chainLength: number } | null;
}
