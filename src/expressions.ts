// The real expression checker for the config loader: filters from src/filter, key fields from
// src/monitor, IANA element names from src/decode. The loader takes it as a parameter so that
// config does not depend on the modules that depend on config.
import type { ExpressionChecker } from "./config/expressions.ts";
import type { FieldType } from "./config/types.ts";
import { DataType, element, elementByName } from "./decode/elements.ts";
import { checkFilter } from "./filter/index.ts";
import { checkKey, type IanaLookup } from "./monitor/keyspec.ts";

function fieldType(t: DataType): FieldType | null {
  switch (t) {
    case DataType.ipv4Address:
    case DataType.ipv6Address:
      return "address";
    case DataType.macAddress:
      return "mac";
    case DataType.string:
      return "string";
    case DataType.unsigned8:
    case DataType.unsigned16:
    case DataType.unsigned32:
    case DataType.unsigned64:
    case DataType.signed8:
    case DataType.signed16:
    case DataType.signed32:
    case DataType.signed64:
    case DataType.boolean:
      return "uint";
    default:
      return null;
  }
}

/** Any IANA element usable as a key by its registry name ("ingressVRFID"). */
export const ianaLookup: IanaLookup = (name) => {
  const ref = elementByName(name);
  if (!ref || ref.pen !== 0 || /^ie\d/.test(name)) return null;
  const type = fieldType(element(0, ref.id).type);
  return type ? { id: ref.id, type } : null;
};

export const expressionChecker: ExpressionChecker = {
  filter: checkFilter,
  key: (text, fields) => checkKey(text, fields, ianaLookup),
};
