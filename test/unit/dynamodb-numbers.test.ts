/**
 * Numbers become DynamoDB's `N` strings without the SDK's converter (issue 17: it checked and
 * allocated per value), and must read exactly as the SDK's `convertToAttr` wrote them: the same
 * text for every finite number, the same refusal of NaN and Infinity.
 */
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { convertToAttr } from '@aws-sdk/util-dynamodb';
import { marshallDoc, marshallValue } from '../../src/stores/dynamodb/json-values.js';

const sdkOptions = { removeUndefinedValues: true, convertEmptyValues: false, allowImpreciseNumbers: true };

test('finite numbers are written as the SDK writes them', () => {
  const numbers = [
    0,
    -0,
    1,
    -1,
    0.1,
    1 / 3,
    12.5,
    -7.25,
    1e21,
    1e-7,
    2 ** 53,
    2 ** 53 + 2,
    -(2 ** 60),
    5e-324,
    Number.MAX_VALUE,
  ];
  for (const n of numbers) assert.deepEqual(marshallValue(n), convertToAttr(n, sdkOptions), String(n));
  assert.deepEqual(marshallDoc({ a: 1, b: [2.5, { c: -0 }] }), {
    a: { N: '1' },
    b: { L: [{ N: '2.5' }, { M: { c: { N: '0' } } }] },
  });
});

test('NaN and Infinity are still refused', () => {
  for (const n of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
    assert.throws(() => marshallValue(n), /Special numeric value/);
  }
});
