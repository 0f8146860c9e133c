import { randomUUID } from 'node:crypto';
import { type TransactWriteItem, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import type { WriteResult } from '../store.js';
import type { WriteTarget } from './conditional-write.js';

/** TransactWriteItems' limit of items per call. */
export const maxTransactItems = 100;

/**
 * TransactWriteItems' limit is 4 MB a call; items are counted by their JSON length, which runs
 * above DynamoDB's own size of an item, and a margin is kept for names and conditions.
 */
const maxTransactBytes = 3_000_000;

/** One conditional write ready for a transaction: its index among the call's operations. */
export interface TransactEntry {
  readonly index: number;
  readonly item: TransactWriteItem;
  readonly bytes: number;
}

/**
 * Groups entries into transactions of at most {@link maxTransactItems} items and
 * {@link maxTransactBytes}, in order.
 */
export function transactGroups(entries: readonly TransactEntry[]): TransactEntry[][] {
  const groups: TransactEntry[][] = [];
  let current: TransactEntry[] = [];
  let bytes = 0;
  for (const entry of entries) {
    if (
      current.length > 0 &&
      (current.length === maxTransactItems || bytes + entry.bytes > maxTransactBytes)
    ) {
      groups.push(current);
      current = [];
      bytes = 0;
    }
    current.push(entry);
    bytes += entry.bytes;
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

/**
 * Runs one group as one transaction. All of it is written, or none: `true` when it was, and
 * every entry's result is `ok`. `false` when DynamoDB cancelled it (a condition failed, or the
 * transaction met another one); the caller then runs the group one operation at a time, which
 * tells each operation's outcome (conflict, missing) and writes the others. Other SDK errors are
 * rethrown. The call carries an idempotency token, so a retry cannot apply it twice.
 */
export async function runTransaction(
  t: WriteTarget,
  group: readonly TransactEntry[],
  results: WriteResult[],
): Promise<boolean> {
  // One token for every attempt, ours (throttling) and the SDK's: DynamoDB applies it once.
  const input = { TransactItems: group.map((e) => e.item), ClientRequestToken: randomUUID() };
  try {
    await t.client.send((sdk) => sdk.send(new TransactWriteItemsCommand(input)));
  } catch (error) {
    if (isCancelled(error)) return false;
    throw error;
  }
  for (const e of group) results[e.index] = { status: 'ok' };
  return true;
}

function isCancelled(error: unknown): boolean {
  const name = (error as { name?: string } | null)?.name;
  return name === 'TransactionCanceledException' || name === 'TransactionConflictException';
}
