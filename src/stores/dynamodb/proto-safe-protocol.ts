import { AwsJson1_0Protocol } from '@aws-sdk/core/protocols';
import { NormalizedSchema } from '@smithy/core/schema';

type Settings = ConstructorParameters<typeof AwsJson1_0Protocol>[0];
type Schema = Parameters<typeof NormalizedSchema.of>[0];
/** The methods of the SDK's JSON deserializer this file wraps: `read` parses a body, `_read` recurses. */
type ReadsShapes = {
  _read(schema: Schema, value: unknown): unknown;
  read(schema: Schema, data: unknown): Promise<unknown>;
};

/**
 * DynamoDB's wire protocol as the SDK implements it, except that an item's own `__proto__`
 * attribute keeps its value. The SDK's JSON deserializer (`JsonShapeDeserializer2` of
 * @smithy/core 3.41) rewrites maps in place and, to guard against prototype pollution, resets a
 * `__proto__` key to undefined before reading its value, so a document field of that name came back
 * undefined, and a write of the document read would have dropped it. Maps nested in attributes are
 * not affected; top-level item maps are. The client is given this class as its `protocol`; it
 * receives the SDK's own settings (codec, error registry, target), so nothing else changes.
 *
 * Only a response whose body holds `__proto__` (or a `\u` escape, which could spell it) is read
 * the careful way: checking every value of every response cost about 4% of the orphan scan's CPU
 * on DynamoDB, for a field name almost no item has (issue 17).
 */
export class ProtoSafeJsonProtocol extends AwsJson1_0Protocol {
  constructor(settings: Settings) {
    super(settings);
    keepProtoKeys(this.deserializer as unknown as Partial<ReadsShapes>);
  }
}

function keepProtoKeys(deserializer: Partial<ReadsShapes>): void {
  const plain = deserializer._read?.bind(deserializer);
  const readBody = deserializer.read?.bind(deserializer);
  // Another SDK version without these methods: the conformance test of __proto__ fields tells.
  if (!plain || !readBody) return;
  const careful: ReadsShapes['_read'] = (schema, value) => {
    if (!hasOwnProto(value)) return plain(schema, value);
    const ns = NormalizedSchema.of(schema);
    if (!ns.isMapSchema()) return plain(schema, value);
    const own = value.__proto__;
    delete value.__proto__;
    const out = plain(schema, value) as Record<string, unknown>;
    Object.defineProperty(out, '__proto__', {
      value: deserializer._read!(ns.getValueSchema(), own),
      writable: true,
      enumerable: true,
      configurable: true,
    });
    return out;
  };
  // Responses read carefully right now: a body may be parsed after an await, while others are read.
  let carefulReads = 0;
  deserializer.read = async (schema, data) => {
    if (!mayHoldProto(data)) return readBody(schema, data);
    carefulReads++;
    deserializer._read = careful;
    try {
      return await readBody(schema, data);
    } finally {
      // The prototype's own method again, with no wrapper between its recursive calls.
      if (--carefulReads === 0) delete deserializer._read;
    }
  };
}

/** False only for a body that surely has no `__proto__` key: bytes or text without it or an escape. */
function mayHoldProto(data: unknown): boolean {
  if (typeof data === 'string') return data.includes('__proto__') || data.includes('\\u');
  if (data instanceof Uint8Array) {
    const bytes = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    return bytes.includes('__proto__') || bytes.includes('\\u');
  }
  return true;
}

function hasOwnProto(value: unknown): value is { __proto__: unknown } {
  return (
    typeof value === 'object' && value !== null && !Array.isArray(value) && Object.hasOwn(value, '__proto__')
  );
}
