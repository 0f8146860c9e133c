import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { JsonValue } from '../../core/json.js';
import { type Item, marshallValue } from './json-values.js';

/**
 * Collects the placeholders of one DynamoDB request's expressions. Every attribute name goes
 * through `#n` placeholders (so reserved words such as `status` or `name`, and any character,
 * are safe) and every value through `:v` placeholders. DynamoDB rejects unused placeholders, so
 * only ask for one when its text goes into an expression.
 */
export class ExpressionBuilder {
  private readonly names = new Map<string, string>();
  private readonly values: Item = {};
  private valueCount = 0;

  /** A placeholder for one attribute name (not split on dots). */
  name(attribute: string): string {
    let placeholder = this.names.get(attribute);
    if (!placeholder) {
      placeholder = `#n${this.names.size}`;
      this.names.set(attribute, placeholder);
    }
    return placeholder;
  }

  /** A document path for a dotted field, such as `#n0.#n1` for `owner.team`. */
  path(dotted: string): string {
    return dotted
      .split('.')
      .map((step) => this.name(step))
      .join('.');
  }

  /** A placeholder for a JSON value. */
  value(value: JsonValue): string {
    return this.raw(marshallValue(value));
  }

  /** A placeholder for a value already in wire form. */
  raw(value: AttributeValue): string {
    const placeholder = `:v${this.valueCount++}`;
    this.values[placeholder] = value;
    return placeholder;
  }

  /** The placeholder of the value given out last, or undefined before any. */
  lastValue(): string | undefined {
    return this.valueCount > 0 ? `:v${this.valueCount - 1}` : undefined;
  }

  /** The request parameters carrying the placeholders, omitted when empty (DynamoDB refuses `{}`). */
  params(): { ExpressionAttributeNames?: Record<string, string>; ExpressionAttributeValues?: Item } {
    const out: { ExpressionAttributeNames?: Record<string, string>; ExpressionAttributeValues?: Item } = {};
    if (this.names.size > 0)
      out.ExpressionAttributeNames = Object.fromEntries([...this.names].map(([n, p]) => [p, n]));
    if (this.valueCount > 0) out.ExpressionAttributeValues = this.values;
    return out;
  }
}

/**
 * Joins conditions with AND; undefined when there are none. A part is parenthesised only when it
 * has an OR at its top level: DynamoDB refuses redundant parentheses, and AND binds tighter.
 */
export function allOf(parts: readonly (string | undefined)[]): string | undefined {
  const present = parts.filter((p): p is string => p !== undefined && p !== '');
  if (present.length <= 1) return present[0];
  return present.map((p) => (hasTopLevelOr(p) ? `(${p})` : p)).join(' AND ');
}

function hasTopLevelOr(expression: string): boolean {
  let depth = 0;
  for (let i = 0; i < expression.length; i++) {
    const c = expression[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (depth === 0 && expression.startsWith(' OR ', i)) return true;
  }
  return false;
}
