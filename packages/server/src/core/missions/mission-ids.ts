import { randomBase32 } from '../../common/random-base32.ts';

/** What each kind of mission id starts with. */
const PREFIXES = { mission: 'mis', template: 'mtp', period: 'mlp', link: 'mpl' } as const;
export type MissionIdKind = keyof typeof PREFIXES;

/** A new random id (120 bits, Crockford base32), e.g. `mis_3k9…`: says what it names in logs and support mail. */
export function newMissionId(kind: MissionIdKind): string {
  return `${PREFIXES[kind]}_${randomBase32(15)}`;
}

/** What newMissionId makes: checked where ids enter from outside, so odd text never reaches a query. */
export const MISSION_ID_PATTERNS: Record<MissionIdKind, RegExp> = {
  mission: /^mis_[0-9a-z]{24}$/,
  template: /^mtp_[0-9a-z]{24}$/,
  period: /^mlp_[0-9a-z]{24}$/,
  link: /^mpl_[0-9a-z]{24}$/,
};
