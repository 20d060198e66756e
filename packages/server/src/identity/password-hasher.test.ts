import { describe, expect, it } from 'vitest';
import { PasswordHasher, passwordProblem } from './password-hasher.ts';

describe('password hashing', () => {
  const hasher = new PasswordHasher();

  it('hashes with argon2id at OWASP parameters, salted, and verifies', async () => {
    const a = await hasher.hash('correct horse battery');
    const b = await hasher.hash('correct horse battery');
    expect(a).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(a).not.toBe(b);
    expect(await hasher.verify(a, 'correct horse battery')).toBe(true);
    expect(await hasher.verify(a, 'correct horse batterY')).toBe(false);
    expect(await hasher.verify('not a hash', 'x')).toBe(false);
    expect(hasher.needsRehash(a)).toBe(false);
  });

  it('asks for a re-hash of weaker hashes', async () => {
    const weak = await new PasswordHasher({ memoryCost: 4096, timeCost: 1, parallelism: 1 }).hash('pw pw pw pw');
    expect(hasher.needsRehash(weak)).toBe(true);
    expect(await hasher.verify(weak, 'pw pw pw pw')).toBe(true);
  });

  it('spends a verification on an unknown account', async () => {
    const t0 = performance.now();
    await hasher.verify(await hasher.hash('x'.repeat(12)), 'y'.repeat(12));
    const real = performance.now() - t0;
    const t1 = performance.now();
    expect(await hasher.verifyNothing('y'.repeat(12))).toBe(false);
    await hasher.verifyNothing('y'.repeat(12));
    const nothing = (performance.now() - t1) / 2;
    // A verification costs about half of hash + verify; far more than nothing.
    expect(nothing).toBeGreaterThan(real / 5);
  });

  it('refuses short, trivial and email-like passwords, counting characters as people do', () => {
    expect(passwordProblem('short', null)).toContain('at least 10');
    expect(passwordProblem('aaaaaaaaaaaa', null)).toContain('more than two different');
    expect(passwordProblem('ada@example.com', 'ada@example.com')).toContain('email address');
    expect(passwordProblem('correct horse battery', 'ada@example.com')).toBeNull();
    // Ten emoji: ten characters, though more code units.
    expect(passwordProblem('👍🏽🐝🌵🎈🍋🧊🦊🪁🌍🚲', null)).toBeNull();
    expect(passwordProblem('👍🏽🐝🌵🎈🍋', null)).toContain('at least 10');
  });
});
