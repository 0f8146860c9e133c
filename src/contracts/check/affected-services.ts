import { escapePointer } from '../compatibility/schema-change.js';
import type { Contract } from '../contract.js';
import { pathsOverlap } from '../field-paths.js';

/**
 * The consumers of `contract` whose declared reads or writes touch `field`, sorted. The whole
 * document (`''`) touches every consumer. The owner is not listed: findings name it apart.
 */
export function affectedServices(contract: Contract, field: string): string[] {
  return Object.entries(contract.consumers)
    .filter(([, c]) => field === '' || [...c.reads, ...c.writes].some((f) => pathsOverlap(f, field)))
    .map(([service]) => service)
    .sort();
}

/** The consumers of `contract` that declare they read `field` (or a field inside it, or its parent). */
export function readersOf(contract: Contract, field: string): string[] {
  return Object.entries(contract.consumers)
    .filter(([, c]) => c.reads.some((f) => pathsOverlap(f, field)))
    .map(([service]) => service)
    .sort();
}

/**
 * The JSON pointer of a field path in a schema, the inverse of `pointerToFieldPath`:
 * `lead.officerId` is `/properties/lead/properties/officerId`, `lines[].sku` is
 * `/properties/lines/items/properties/sku`, and `''` is the root.
 */
export function fieldPathToPointer(field: string): string {
  if (field === '') return '';
  let pointer = '';
  for (const step of field.split('.')) {
    const name = step.replace(/(\[\])+$/, '');
    const arrays = (step.length - name.length) / 2;
    pointer += `/properties/${escapePointer(name)}${'/items'.repeat(arrays)}`;
  }
  return pointer;
}
