/**
 * Makes the prototype members of `Class` enumerable, as Web IDL attributes and operations are
 * (a `for…in` copy of an instance sees them), and gives it a `Symbol.toStringTag` when `tag` is
 * given. Returns `Class`. Called in a static field marked pure, so that a bundler that drops the
 * class drops this too (esbuild keeps every module-level statement that touches a prototype).
 *
 * @example
 * class Point { static #idl = idlMembers(this, 'Point'); get x() { return 0; } }
 * for (const key in new Point()) console.log(key); // x
 */
export function idlMembers<T extends abstract new (...args: never) => unknown>(Class: T, tag?: string): T {
  for (const name of Object.getOwnPropertyNames(Class.prototype)) {
    if (name !== 'constructor') Object.defineProperty(Class.prototype, name, { enumerable: true });
  }
  if (tag !== undefined) Object.defineProperty(Class.prototype, Symbol.toStringTag, { value: tag, configurable: true });
  return Class;
}
