import { resolve } from 'node:path';
import { checkReceipt } from '../core/evidence/scan-receipt.ts';
import { readCheckpointPublicKey, type CheckpointPublicKey } from '../keys/checkpoint-key.ts';
import type { Services } from '../app/open-services.ts';
import { command, DATA_DIR_OPTION, dataDirOf, openCommandServices, parseCommandArgs, printJson, serialOption, usageError, type CommandIo } from './command-io.ts';

const USAGE = `qrlog verify [--serial S] --data-dir DIR [--checkpoints CPDIR --public-key FILE] [--receipt R …]
  Recomputes each logger's evidence hash chain, re-opens every stored link with its key and
  derives the readings again from the evidence, comparing them with the stored ones.
  --checkpoints CPDIR --public-key FILE: also checks every signed checkpoint in CPDIR with the
  public key in FILE (from qrlog checkpoints public-key, kept apart from the database; repeat
  --public-key after a key change) and the
  database against them: links cut off, loggers removed, chains rewritten and recomputed.
  --receipt R --public-key FILE: checks a scan page's receipt; with a database also that the
  link it names is still there, unchanged. Without --data-dir only the signature is checked.
  A change made after the newest checkpoint is found only by the next one (docs/evidence.md).
  Exits 1 on any finding.`;

const OPTIONS = {
  ...DATA_DIR_OPTION,
  serial: { type: 'string' },
  checkpoints: { type: 'string' },
  'public-key': { type: 'string', multiple: true },
  receipt: { type: 'string', multiple: true },
} as const;

export const verify = command('verify', USAGE, async (argv, io) => {
  const v = parseCommandArgs(argv, OPTIONS);
  const serial = serialOption(v.serial, false);
  const receipts = v.receipt ?? [];
  if ((v.checkpoints !== undefined || receipts.length > 0) !== (v['public-key'] !== undefined)) {
    throw usageError(v['public-key'] === undefined ? '--checkpoints and --receipt need --public-key FILE' : '--public-key goes with --checkpoints CPDIR or --receipt R');
  }
  // Several --public-key after a key change: each checkpoint names the key id that signed it.
  const key = v['public-key'] === undefined ? undefined : v['public-key'].map((f) => readCheckpointPublicKey(resolve(f)));
  const hasDataDir = v['data-dir'] !== undefined || (io.env.QRLOG_DATA_DIR ?? '') !== '';
  if (key !== undefined && receipts.length > 0 && v.checkpoints === undefined && !hasDataDir) {
    return checkReceiptsOnly(io, receipts, key);
  }
  const services = await openCommandServices(dataDirOf(v, io), io);
  try {
    return await verifyDatabase(io, services, { serial, checkpoints: v.checkpoints === undefined ? undefined : resolve(v.checkpoints), key, receipts });
  } finally {
    await services.close();
  }
});

async function verifyDatabase(
  io: CommandIo,
  services: Services,
  o: { serial: string | undefined; checkpoints: string | undefined; key: CheckpointPublicKey[] | undefined; receipts: string[] },
): Promise<number> {
  const reports = await services.verifier.verify(o.serial);
  if (o.serial !== undefined && reports.length === 0 && o.checkpoints === undefined) {
    io.err(`qrlog verify: unknown serial ${o.serial}\n`);
    return 1;
  }
  const broken = reports.filter((r) => !r.ok);
  const readings = (await services.readingsChecker.check(o.serial)).filter((r) => !r.ok);
  const audit = o.checkpoints === undefined || o.key === undefined ? undefined : await services.checkpointAuditor.audit(o.checkpoints, o.key, o.serial);
  const receipts = o.key === undefined ? [] : await Promise.all(o.receipts.map(async (r) => receiptResult(r, await checkReceipt(r, o.key as CheckpointPublicKey[], services.database.db))));
  const badReceipts = receipts.filter((r) => !r.ok);
  const findings = audit?.findings ?? [];
  const ok = broken.length === 0 && readings.length === 0 && findings.length === 0 && badReceipts.length === 0;
  printJson(io, {
    ok,
    loggers: reports.length,
    links: reports.reduce((n, r) => n + r.links, 0),
    broken: broken.map((r) => ({ serial: r.serial, problems: r.problems })),
    readings: { ok: readings.length === 0, changed: readings.map((r) => ({ serial: r.serial, differences: r.differences, more: r.more })) },
    ...(audit === undefined
      ? {}
      : {
          checkpoints: {
            ok: findings.length === 0,
            files: audit.files,
            verified: audit.verified,
            newestIssuedAt: audit.newestIssuedAt,
            findings,
            // What no checkpoint can show: changes after the newest one (docs/evidence.md).
            uncovered: audit.newestIssuedAt === null ? 'everything: no verified checkpoint' : `links received after ${audit.newestIssuedAt}`,
          },
        }),
    ...(receipts.length === 0 ? {} : { receipts }),
  });
  if (broken.length > 0) io.err(`qrlog verify: ${String(broken.length)} logger chain(s) broken\n`);
  if (readings.length > 0) io.err(`qrlog verify: the stored readings of ${String(readings.length)} logger(s) differ from what their evidence gives\n`);
  if (findings.length > 0) io.err(`qrlog verify: ${String(findings.length)} finding(s) against the signed checkpoints\n`);
  if (badReceipts.length > 0) io.err(`qrlog verify: ${String(badReceipts.length)} receipt(s) do not hold\n`);
  return ok ? 0 : 1;
}

async function checkReceiptsOnly(io: CommandIo, tokens: string[], key: CheckpointPublicKey[]): Promise<number> {
  const receipts = await Promise.all(tokens.map(async (r) => receiptResult(r, await checkReceipt(r, key, null))));
  const ok = receipts.every((r) => r.ok);
  printJson(io, { ok, receipts });
  if (!ok) io.err('qrlog verify: a receipt does not hold\n');
  return ok ? 0 : 1;
}

function receiptResult(token: string, check: Awaited<ReturnType<typeof checkReceipt>>) {
  const r = check.receipt;
  const about = r === undefined ? {} : { serial: r.serial, chainIndex: r.chainIndex, receivedAt: new Date(r.receivedAt).toISOString(), linkHash: r.linkHash.toString('hex') };
  return check.ok
    ? { ok: true, ...about, inDatabase: check.inDatabase }
    : { ok: false, ...about, problem: check.problem, receipt: token.length > 40 ? `${token.slice(0, 40)}…` : token };
}
