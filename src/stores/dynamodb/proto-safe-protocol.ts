import { AwsJson1_0Protocol } from '@aws-sdk/core/protocols';
import { NormalizedSchema } from '@smithy/core/schema';

type Settings = ConstructorParameters<typeof AwsJson1_0Protocol>[0];
type Schema = Parameters<typeof NormalizedSchema.of>[0];
/** The one method of the SDK's JSON deserializer this file wraps; it recurses through it. */
type ReadsShapes = { _read(schema: Schema, value: unknown): unknown };

/**
 * DynamoDB's wire protocol as the SDK implements it, except that an item's own `__proto__`
 * attribute keeps its value. The SDK's JSON deserializer (`JsonShapeDeserializer2` of
 * @smithy/core 3.41) rewrites maps in place and, to guard against prototype pollution, resets a
 * `__proto__` key to undefined before reading its value, so a document field of that name came back
 * undefined, and a write of the document read would have dropped it. Maps nested in attributes are
 * not affected; top-level item maps are. The client is given this class as its `protocol`; it
 * receives the SDK's own settings (codec, error registry, target), so nothing else changes.
 */
export class ProtoSafeJsonProtocol extends AwsJson1_0Protocol {
  constructor(settings: Settings) {
    super(settings);
    keepProtoKeys(this.deserializer as unknown as Partial<ReadsShapes>);
  }
}

function keepProtoKeys(deserializer: Partial<ReadsShapes>): void {
  const read = deserializer._read?.bind(deserializer);
  // Another SDK version without this method: the conformance test of __proto__ fields tells.
  if (!read) return;
  deserializer._read = (schema, value) => {
    if (!hasOwnProto(value)) return read(schema, value);
    const ns = NormalizedSchema.of(schema);
    if (!ns.isMapSchema()) return read(schema, value);
    const own = value.__proto__;
    delete value.__proto__;
    const out = read(schema, value) as Record<string, unknown>;
    Object.defineProperty(out, '__proto__', {
      value: deserializer._read!(ns.getValueSchema(), own),
      writable: true,
      enumerable: true,
      configurable: true,
    });
    return out;
  };
}

function hasOwnProto(value: unknown): value is { __proto__: unknown } {
  return (
    typeof value === 'object' && value !== null && !Array.isArray(value) && Object.hasOwn(value, '__proto__')
  );
}
