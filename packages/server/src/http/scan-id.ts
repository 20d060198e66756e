/**
 * What a scan id may look like in a URL. The services make the ids (unguessable, random); the
 * HTTP layer only refuses anything that could not be one before looking it up.
 */
export const SCAN_ID_PATTERN = /^[A-Za-z0-9_-]{8,128}$/;
