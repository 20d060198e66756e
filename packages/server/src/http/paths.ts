/** Paths the routes and the pages refer to each other by. */
export const SCAN_ERROR_PATH = '/scan-error';
export const SCAN_PAGE_PREFIX = '/scan/';
export const BATCH_PATH = '/api/v1/scans';

export function scanPagePath(scanId: string): string {
  return `${SCAN_PAGE_PREFIX}${encodeURIComponent(scanId)}`;
}

export function scanLocationPath(scanId: string): string {
  return `${BATCH_PATH}/${encodeURIComponent(scanId)}/location`;
}

/** A consignee's public page of one mission: `/consignee/<token>` (a capability URL). */
export const CONSIGNEE_PATH_PREFIX = '/consignee';
