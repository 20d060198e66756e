export type * from './types.ts';
export { LinkError, isLinkError, type LinkErrorCode } from './link-error.ts';
export { SAMPLED_CHANNELS, SHOCK_CHANNEL, channelSpec, type ChannelSpec } from './channels.ts';
export { isSerial, SERIAL_PATTERN } from './serial.ts';
export { generateKey, toKeyFile, fromKeyFile, bytesToHex, hexToBytes, type KeyFileJson } from './key-file.ts';
export { sealLink, DEFAULT_BASE_URL, type SealOptions, type SealedLink } from './seal-link.ts';
export { parseLink, openParsedLink, openLink, splitLinkUrl, type ParsedLink } from './open-link.ts';
export { sampleTime } from './sample-time.ts';
export { linkToJson, isoTime, type LinkJson, type ChannelJson, type ReadingJson } from './link-json.ts';
