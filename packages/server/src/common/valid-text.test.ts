import { describe, expect, it } from 'vitest';
import { holdsInvalidText, isValidBodyText, isValidText, isValidUrlText } from './valid-text.ts';

describe('valid text', () => {
  it('is Unicode without NUL and without lone surrogates', () => {
    expect(isValidText('Lab ünd 日本 😀')).toBe(true);
    expect(isValidText('a\0b')).toBe(false);
    expect(isValidText('\ud800')).toBe(false);
    expect(isValidText('x\udc00')).toBe(false);
    expect(isValidText('\ud83d\ude00')).toBe(true);
  });

  it('is looked for in keys and values of parsed bodies, at any depth', () => {
    expect(holdsInvalidText({ a: [{ b: 'ok' }], c: 1, d: null })).toBe(false);
    expect(holdsInvalidText({ a: [{ b: 'n\0' }] })).toBe(true);
    expect(holdsInvalidText({ ['k\0']: 'v' })).toBe(true);
    expect(holdsInvalidText(Buffer.from([0]))).toBe(false);
  });

  it('is what a URL decodes to: well-formed escapes of UTF-8, no NUL', () => {
    expect(isValidUrlText('/api/v1/loggers?model=QL-1&x=%C3%BC+y')).toBe(true);
    expect(isValidUrlText('/api/v1/loggers?model=%00')).toBe(false);
    expect(isValidUrlText('/p%00th')).toBe(false);
    expect(isValidUrlText('/?a=%FF')).toBe(false);
    expect(isValidUrlText('/?a=%ED%A0%80')).toBe(false);
    expect(isValidUrlText('/?a=%zz')).toBe(false);
  });

  it('is what a body decodes to, by its content type', () => {
    const form = 'application/x-www-form-urlencoded; charset=utf-8';
    expect(isValidBodyText(Buffer.from('grant_type=x&client_id=qrlog-web'), form)).toBe(true);
    expect(isValidBodyText(Buffer.from('client_id=%00'), form)).toBe(false);
    expect(isValidBodyText(Buffer.from([0x61, 0x3d, 0xff]), form)).toBe(false);
    expect(isValidBodyText(Buffer.from('{"a":"\\u0000"}'), 'application/json')).toBe(false);
    expect(isValidBodyText(Buffer.from('{"a":"b"}'), 'application/json')).toBe(true);
    expect(isValidBodyText(Buffer.from('a\0'), 'text/plain')).toBe(false);
  });
});
