import type { LinkContent } from './types.ts';

/** Logger clock (Unix seconds) of sample `seq`: timestamps are implicit in the link. */
export function sampleTime(content: Pick<LinkContent, 'sessionStart' | 'interval'>, seq: number): number {
  return content.sessionStart + seq * content.interval;
}
