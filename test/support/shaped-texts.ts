/**
 * JSON texts of documents as writers other than steward store them, none of them what
 * `JSON.stringify` of its parse gives: pretty-printed (whitespace before the first brace too),
 * `\u00e9` escapes, `1.0` and `1E5`, fields in any order, integer-like field names (which a parse
 * moves first), spaces around every token. Each is an object with the key under `keyField`, the
 * version field `versionField` at `version`, and a string `name` of two words.
 */
export function shapedTexts(
  keyField: string,
  versionField: string,
  version: number,
): { readonly shape: string; text(key: string): string }[] {
  const k = JSON.stringify(keyField);
  const v = JSON.stringify(versionField);
  const id = (key: string) => JSON.stringify(key);
  return [
    {
      shape: 'pretty-printed',
      text: (key) =>
        `\n  {\n    ${k}: ${id(key)},\n    "name": "Pretty Printed",\n    "nested": {\n      "a": [1, 2]\n    },\n    ${v}: ${version}\n  }\n`,
    },
    {
      shape: 'escapes',
      text: (key) => `{${k}:${id(key)},"name":"Ren\\u00e9 D\\u00fcrr \\/",${v}:${version}}`,
    },
    {
      shape: 'numbers',
      text: (key) => `{${k}:${id(key)},"name":"Some Numbers","score":1.0,"big":1E5,${v}:${version}}`,
    },
    {
      shape: 'field order',
      text: (key) => `{${v}:${version},"name":"Reversed Order","b":1,"a":2,${k}:${id(key)}}`,
    },
    {
      shape: 'integer-like names',
      text: (key) => `{"2":1,"1":2,${k}:${id(key)},"name":"Integer Keys",${v}:${version}}`,
    },
    { shape: 'spaced', text: (key) => `{ ${k} : ${id(key)} , "name" : "Spaced Out" , ${v} : ${version} }` },
  ];
}
