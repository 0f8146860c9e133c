import { randomUUID } from 'node:crypto';
import { type TransactWriteItem, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import type { WriteResult } from '../store.js';
import { CallGate } from './concurrency.js';
import type { WriteTarget } from './conditional-write.js';
import type { DynamoClient } from './dynamodb-client.js';

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
  /** An insert: a failed condition means only that its key exists, which needs no second look. */
  readonly insert?: boolean;
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
 * every entry's result is `ok`. When DynamoDB cancels it only because inserts met existing keys,
 * those inserts get `exists` (the cancellation reasons name them, one per item in order) and the
 * rest is retried as a transaction. `false` when it was cancelled for another reason (a replace's
 * condition failed, or the transaction met another one); the caller then runs the entries still
 * without a result one operation at a time, which tells each its outcome (conflict, missing) and
 * writes the others. Other SDK errors are rethrown. Each call carries an idempotency token, so a
 * retry cannot apply it twice. A client's transactions take turns through one gate
 * (`DynamoClient.transactionsInFlight`: the store's setting, else one at a time on DynamoDB Local).
 */
export async function runTransaction(
  t: WriteTarget,
  group: readonly TransactEntry[],
  results: WriteResult[],
): Promise<boolean> {
  let left = group;
  while (left.length > 0) {
    // One token for every attempt, ours (throttling) and the SDK's: DynamoDB applies it once.
    const input = { TransactItems: left.map((e) => e.item), ClientRequestToken: randomUUID() };
    try {
      await gateOf(t.client).run(() =>
        t.client.send((sdk) => sdk.send(new TransactWriteItemsCommand(input))),
      );
    } catch (error) {
      if (!isCancelled(error)) throw error;
      const existing = existingInserts(left, error);
      if (!existing) return false;
      for (const e of existing) results[e.index] = { status: 'exists' };
      left = left.filter((e) => !existing.includes(e));
      continue;
    }
    for (const e of left) results[e.index] = { status: 'ok' };
    return true;
  }
  return true;
}

/** One gate per client: every `write` call of a store shares its transactions' turns. */
const gates = new WeakMap<DynamoClient, CallGate>();

function gateOf(client: DynamoClient): CallGate {
  let gate = gates.get(client);
  if (!gate) {
    gate = new CallGate(client.transactionsInFlight);
    gates.set(client, gate);
  }
  return gate;
}

/**
 * The inserts a cancellation blames on an existing key, when those are its only reasons;
 * undefined when anything else failed or the reasons cannot be read.
 */
function existingInserts(entries: readonly TransactEntry[], error: unknown): TransactEntry[] | undefined {
  const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons;
  if (!reasons || reasons.length !== entries.length) return undefined;
  const existing: TransactEntry[] = [];
  for (const [i, reason] of reasons.entries()) {
    const entry = entries[i] as TransactEntry;
    if (!reason.Code || reason.Code === 'None') continue;
    if (reason.Code !== 'ConditionalCheckFailed' || !entry.insert) return undefined;
    existing.push(entry);
  }
  return existing.length > 0 ? existing : undefined;
}

function isCancelled(error: unknown): boolean {
  const name = (error as { name?: string } | null)?.name;
  return name === 'TransactionCanceledException' || name === 'TransactionConflictException';
}
