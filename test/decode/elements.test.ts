import { describe, expect, test } from "bun:test";
import { DataType, element, elementByName, PEN_REVERSE } from "../../src/decode/elements.ts";

describe("element registry", () => {
  test("IANA elements by id, with their abstract data types", () => {
    expect(element(0, 1)).toEqual({ name: "octetDeltaCount", type: DataType.unsigned64 });
    expect(element(0, 8)).toEqual({ name: "sourceIPv4Address", type: DataType.ipv4Address });
    expect(element(0, 152)).toEqual({ name: "flowStartMilliseconds", type: DataType.dateTimeMilliseconds });
    expect(element(0, 34)).toEqual({ name: "samplingInterval", type: DataType.unsigned32 });
  });

  test("NetFlow v9 vendor types map to one name each; NSEL XLATE fields are the IANA NAT names", () => {
    expect(element(0, 40001).name).toBe("postNATSourceIPv4Address");
    expect(element(0, 33002).name).toBe("fwExtEvent");
    expect(element(0, 56701).name).toBe("panAppId");
    expect(element(0, 57590).name).toBe(element(35632, 118).name);
  });

  test("unknown elements are ie<ID> / ie<PEN>_<ID> as hex; enterprise ids never take IANA names", () => {
    expect(element(0, 8192)).toEqual({ name: "ie8192", type: DataType.octetArray });
    expect(element(9, 1)).toEqual({ name: "ie9_1", type: DataType.octetArray });
    expect(element(PEN_REVERSE, 1).name).toBe("reverseOctetDeltaCount");
  });

  test("names back to (pen, id)", () => {
    expect(elementByName("ingressVRFID")).toEqual({ pen: 0, id: 234 });
    expect(elementByName("ie3054_111")).toEqual({ pen: 3054, id: 111 });
    expect(elementByName("reverseOctetDeltaCount")).toEqual({ pen: PEN_REVERSE, id: 1 });
    expect(elementByName("noSuchThing")).toBeNull();
  });
});
