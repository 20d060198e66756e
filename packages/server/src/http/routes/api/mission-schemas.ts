import { SAMPLED_CHANNELS } from '@qrlog/link';
import { z } from 'zod';
import { MISSION_ID_PATTERNS } from '../../../core/missions/mission-ids.ts';
import { NAME, SERIAL, SHARE_ACCESS, TEAM_ID, TIME, ORG_ID, NULLABLE_TIME } from './api-schemas.ts';

/**
 * The zod schemas of missions, templates, their rules, shares and public links: one per shape.
 * Rules are checked as far as their shape allows (a sampled channel of the link format, low below
 * high, positive delays and thresholds); the rest (teams of the organization, loggers one may read)
 * by the services.
 */

export const MISSION_ID = z.string().regex(MISSION_ID_PATTERNS.mission).describe('A mission id');
export const TEMPLATE_ID = z.string().regex(MISSION_ID_PATTERNS.template).describe('A mission template id');
export const PERIOD_ID = z.string().regex(MISSION_ID_PATTERNS.period).describe('A logger period id');
export const LINK_ID = z.string().regex(MISSION_ID_PATTERNS.link).describe('A public link id');
export const MISSION_STATUS = z.enum(['planned', 'in-transit', 'delivered', 'closed']);

const CHANNEL_NAMES = SAMPLED_CHANNELS.map((c) => c.name) as [string, ...string[]];
const CHANNEL = z.enum(CHANNEL_NAMES).describe('A sampled channel of the link format');
const SEVERITY = z.enum(['info', 'warning', 'critical']);
const RULE_ID = z.string().regex(/^[A-Za-z0-9_.-]{1,40}$/).describe('Names the rule within the mission or template (letters, digits, _ . -; up to 40)');
const LIMIT_VALUE = z.number().min(-1_000_000).max(1_000_000);
const SECONDS = z.int().min(1).max(366 * 86_400);

const LIMIT_RULE = z.strictObject({
  id: RULE_ID,
  kind: z.literal('limit'),
  channel: CHANNEL,
  severity: SEVERITY,
  low: LIMIT_VALUE.optional(),
  high: LIMIT_VALUE.optional(),
  delayReadings: z.int().min(1).max(10_000).describe('Readings in a row outside the limits before the alert opens'),
}).describe('A reading outside [low, high] for delayReadings readings in a row');
const CUMULATIVE_RULE = z.strictObject({
  id: RULE_ID,
  kind: z.literal('cumulative'),
  channel: CHANNEL,
  severity: SEVERITY,
  low: LIMIT_VALUE.optional(),
  high: LIMIT_VALUE.optional(),
  maxOutsideSeconds: SECONDS,
}).describe('Time outside [low, high], summed over the mission, above maxOutsideSeconds');
const RATE_RULE = z.strictObject({ id: RULE_ID, kind: z.literal('rate'), channel: CHANNEL, severity: SEVERITY, maxPerHour: z.number().gt(0).max(1_000_000) }).describe('Change faster than maxPerHour');
const GAP_RULE = z.strictObject({ id: RULE_ID, kind: z.literal('gap'), channel: CHANNEL, severity: SEVERITY, maxGapSeconds: SECONDS }).describe('No reading for longer than maxGapSeconds');
const NO_SCAN_RULE = z.strictObject({ id: RULE_ID, kind: z.literal('no-scan'), severity: SEVERITY, maxSilenceSeconds: SECONDS }).describe('No scan for longer than maxSilenceSeconds while in transit');
const SHOCK_RULE = z.strictObject({ id: RULE_ID, kind: z.literal('shock'), severity: SEVERITY, maxG: z.number().gt(0).max(200) }).describe('A shock above maxG (g)');
const LOGGER_ALARM_RULE = z.strictObject({ id: RULE_ID, kind: z.literal('logger-alarm'), channel: CHANNEL, severity: SEVERITY }).describe('The logger\u2019s own alarm summary for the channel');

export const MISSION_RULE = z
  .discriminatedUnion('kind', [LIMIT_RULE, CUMULATIVE_RULE, RATE_RULE, GAP_RULE, NO_SCAN_RULE, SHOCK_RULE, LOGGER_ALARM_RULE])
  .describe('An alert rule (kind: limit, cumulative, rate, gap, no-scan, shock, logger-alarm)');

/** A rule list: ids unique; limits with at least one bound, low below high. */
export const MISSION_RULES = z
  .array(MISSION_RULE)
  .max(100)
  .superRefine((rules, ctx) => {
    const seen = new Set<string>();
    rules.forEach((r, i) => {
      if (seen.has(r.id)) ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `rule id "${r.id}" is used twice` });
      seen.add(r.id);
      if (r.kind === 'limit' || r.kind === 'cumulative') {
        if (r.low === undefined && r.high === undefined) ctx.addIssue({ code: 'custom', path: [i], message: 'a limit needs low, high or both' });
        if (r.low !== undefined && r.high !== undefined && r.low >= r.high) ctx.addIssue({ code: 'custom', path: [i, 'low'], message: 'low must be below high' });
      }
    });
  });

const EMAIL = z.email().max(254);
export const RECIPIENTS = z.strictObject({
  teamIds: z.array(TEAM_ID).max(50).default([]),
  emails: z.array(EMAIL).max(50).default([]),
}).describe('Who hears about the mission: teams of its organization and e-mail addresses');

const PLACE = z.string().min(1).max(200);
const MKT_ENERGY = z.number().gt(0).max(1000).describe('Activation energy for mean kinetic temperature, kJ/mol (default 83.144)');

const LOGGER_PERIOD_REQUEST = z.strictObject({
  serial: SERIAL,
  from: TIME.optional().describe('Default: the actual start, else the planned start, else now'),
  to: NULLABLE_TIME.optional().describe('Default: the actual end, else the planned end, else open (null)'),
});

export const NEW_MISSION = z.strictObject({
  name: NAME,
  templateId: TEMPLATE_ID.optional().describe('Copy rules, recipients and MKT activation energy from this template (fields given here override them)'),
  plannedStart: TIME.optional(),
  plannedEnd: TIME.optional(),
  origin: PLACE.optional(),
  destination: PLACE.optional(),
  recipients: RECIPIENTS.optional(),
  rules: MISSION_RULES.optional(),
  mktActivationEnergy: MKT_ENERGY.optional(),
  loggers: z.array(LOGGER_PERIOD_REQUEST).max(100).optional(),
});

export const MISSION_CHANGE = z.strictObject({
  name: NAME.optional(),
  plannedStart: NULLABLE_TIME.optional(),
  plannedEnd: NULLABLE_TIME.optional(),
  origin: PLACE.nullable().optional(),
  destination: PLACE.nullable().optional(),
  recipients: RECIPIENTS.optional(),
  rules: MISSION_RULES.optional(),
  mktActivationEnergy: MKT_ENERGY.optional(),
});

export const STATUS_CHANGE = z.strictObject({
  status: MISSION_STATUS.describe('The next status: planned \u2192 in-transit \u2192 delivered \u2192 closed'),
  at: TIME.optional().describe('When it happened (default: now); sets the actual start or end'),
});

export const LOGGER_PERIOD = z.object({ id: PERIOD_ID, serial: SERIAL, from: TIME, to: NULLABLE_TIME });
export const ADD_LOGGER = LOGGER_PERIOD_REQUEST;

export const MISSION_SUMMARY = z.object({
  id: MISSION_ID,
  orgId: ORG_ID,
  teamId: TEAM_ID.describe('The owning team'),
  name: z.string(),
  templateId: TEMPLATE_ID.nullable(),
  status: MISSION_STATUS,
  plannedStart: NULLABLE_TIME,
  plannedEnd: NULLABLE_TIME,
  actualStart: NULLABLE_TIME,
  actualEnd: NULLABLE_TIME,
  origin: z.string().nullable(),
  destination: z.string().nullable(),
  createdAt: TIME,
  updatedAt: TIME,
});

export const MISSION = MISSION_SUMMARY.extend({
  recipients: z.object({ teamIds: z.array(TEAM_ID), emails: z.array(z.string()) }),
  rules: z.array(MISSION_RULE),
  mktActivationEnergy: z.number(),
  loggers: z.array(LOGGER_PERIOD),
  shares: z.array(z.object({ teamId: TEAM_ID, access: SHARE_ACCESS })),
});

export const NEW_TEMPLATE = z.strictObject({
  name: NAME,
  teamId: TEAM_ID.optional().describe('The team it belongs to; absent: the whole organization\u2019s (admins only)'),
  rules: MISSION_RULES,
  recipients: RECIPIENTS.optional(),
  mktActivationEnergy: MKT_ENERGY.optional(),
});

export const TEMPLATE_CHANGE = z.strictObject({
  name: NAME.optional(),
  rules: MISSION_RULES.optional(),
  recipients: RECIPIENTS.optional(),
  mktActivationEnergy: MKT_ENERGY.optional(),
});

export const TEMPLATE = z.object({
  id: TEMPLATE_ID,
  orgId: ORG_ID,
  teamId: TEAM_ID.nullable(),
  name: z.string(),
  rules: z.array(MISSION_RULE),
  recipients: z.object({ teamIds: z.array(TEAM_ID), emails: z.array(z.string()) }),
  mktActivationEnergy: z.number(),
  createdAt: TIME,
  updatedAt: TIME,
});

export const NEW_PUBLIC_LINK = z.strictObject({
  expiresAt: TIME.optional().describe('Default: 30 days from now; at most 366 days ahead'),
  label: z.string().min(1).max(100).optional().describe('Whom the link is for (shown in the list only)'),
});

export const PUBLIC_LINK = z.object({
  id: LINK_ID,
  missionId: MISSION_ID,
  label: z.string().nullable(),
  createdAt: TIME,
  expiresAt: TIME,
  revokedAt: NULLABLE_TIME,
  state: z.enum(['active', 'expired', 'revoked']),
  opens: z.int().describe('How often it was opened'),
  lastOpenedAt: NULLABLE_TIME,
});

export const CREATED_PUBLIC_LINK = PUBLIC_LINK.extend({
  token: z.string().describe('The link\u2019s secret: shown this once, stored only as its SHA-256'),
  url: z.string().describe('The page to give the consignee'),
});
