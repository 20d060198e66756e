import type { LinkContent } from '@qrlog/link';

/** A link the ingestion has committed, as the checks that run after the commit see it. */
export interface AcceptedLink {
  serial: string;
  keyVersion: number;
  content: LinkContent;
  /** When the service received it (Unix ms). */
  receivedAt: number;
  chainIndex: number;
  /** Readings of this link that disagreed with stored ones (integrity events written). */
  conflicts: number;
  /** The very same link had been received before (nothing new in it). */
  duplicateLink: boolean;
}

/** Told of every committed link; a failure is reported, never undoes or fails the scan. */
export type AfterCommit = (link: AcceptedLink) => Promise<void>;
