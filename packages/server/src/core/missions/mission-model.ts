import type { MissionRule } from '../alerts/mission-rule.ts';
import type { ShareAccess } from '../../storage/identity-schema.ts';
import type { MissionLoggerRow, MissionRow, MissionTemplateRow } from '../../storage/mission-repository.ts';
import type { MissionStatus } from './mission-coverage.ts';

/** Mean kinetic temperature's activation energy when a template says nothing else (kJ/mol). */
export const DEFAULT_MKT_ACTIVATION_ENERGY = 83.144;

/** Who hears about a mission: teams of its organization and e-mail addresses. */
export interface Recipients {
  teamIds: string[];
  emails: string[];
}

/** One logger's period in a mission: its readings in [from, to) belong to it (to null: open). */
export interface LoggerPeriod {
  id: string;
  serial: string;
  from: Date;
  to: Date | null;
}

export interface Mission {
  id: string;
  orgId: string;
  /** The owning team. */
  teamId: string;
  name: string;
  templateId: string | null;
  status: MissionStatus;
  plannedStart: Date | null;
  plannedEnd: Date | null;
  actualStart: Date | null;
  actualEnd: Date | null;
  origin: string | null;
  destination: string | null;
  recipients: Recipients;
  rules: MissionRule[];
  mktActivationEnergy: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface MissionDetail extends Mission {
  loggers: LoggerPeriod[];
  shares: { teamId: string; access: ShareAccess }[];
}

export interface MissionTemplate {
  id: string;
  orgId: string;
  /** Null: the whole organization's. */
  teamId: string | null;
  name: string;
  rules: MissionRule[];
  recipients: Recipients;
  mktActivationEnergy: number;
  createdAt: Date;
  updatedAt: Date;
}

const time = (ms: number | null): Date | null => (ms === null ? null : new Date(ms));

export function missionOf(row: MissionRow): Mission {
  return {
    id: row.id,
    orgId: row.org_id,
    teamId: row.team_id,
    name: row.name,
    templateId: row.template_id,
    status: row.status,
    plannedStart: time(row.planned_start),
    plannedEnd: time(row.planned_end),
    actualStart: time(row.actual_start),
    actualEnd: time(row.actual_end),
    origin: row.origin,
    destination: row.destination,
    // Validated where they entered (mission-schemas.ts); stored as given.
    recipients: JSON.parse(row.recipients) as Recipients,
    rules: JSON.parse(row.rules) as MissionRule[],
    mktActivationEnergy: row.mkt_activation_energy,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
}

export function periodOf(row: MissionLoggerRow): LoggerPeriod {
  return { id: row.id, serial: row.serial, from: new Date(row.from_ms), to: time(row.to_ms) };
}

export function templateOf(row: MissionTemplateRow): MissionTemplate {
  return {
    id: row.id,
    orgId: row.org_id,
    teamId: row.team_id,
    name: row.name,
    rules: JSON.parse(row.rules) as MissionRule[],
    recipients: JSON.parse(row.recipients) as Recipients,
    mktActivationEnergy: row.mkt_activation_energy,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
}
