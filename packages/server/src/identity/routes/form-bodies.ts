import { z } from 'zod';

/**
 * The account forms' bodies, validated where they enter. Lengths are capped well above any
 * honest value, so a huge field never reaches argon2 or the database.
 */
const text = (max: number) => z.string().max(max).default('');
const csrf = z.string().max(200);
// Kept as typed, to show again in the form; the flows check it with the one e-mail schema
// (normalizeEmail, common/email.ts), so a mistyped address gets the form's own message.
const email = text(320);
const password = text(1024);
const code = text(16);
const token = text(200);

export const loginBody = z.object({ csrf, email, password });
export const stepCodeBody = z.object({ csrf, step: token, code });
export const resetRequestBody = z.object({ csrf, email });
export const resetConfirmBody = z.object({ csrf, token, password, password2: password, code });
export const invitationBody = z.object({ csrf, token, password, password2: password });
export const setupBody = z.object({ csrf, token, email, password, password2: password });
export const passwordChangeBody = z.object({ csrf, email, current: password, code, password, password2: password });
export const twoFactorStartBody = z.object({ csrf, email, password, code });
