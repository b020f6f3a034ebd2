// The loaded Config is shared by every module and worker setup; freezing it deeply turns an
// accidental write into an immediate TypeError instead of a silent divergence.

export function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
