// Values produced by real Terraform (1.11.4), captured from the PlanResourceChange
// requests it sent to a provider built on this framework, for this configuration:
//
//   resource "capture_values" "v" {
//     s = "héllo"        n_int = 42      n_neg = -7        n_float = 3.5
//     n_tenth = 0.1      n_big = 12345678901234567890      b = true
//     l = ["a", "b"]     st = [3, 1, 2]  m = { k = "v", empty = "" }
//     unknown_s = timestamp()           # unknown while planning
//     one { x = "single" }
//     many { y = 1 }
//     many { y = 2 }
//   }
//
// plus the state Terraform stored afterwards (the JSON UpgradeResourceState receives).

/** Config during plan: unknown_s is a refined unknown (msgpack extension type 12). */
export const PLAN_CONFIG_HEX =
  '8fa162c3a163c0a16c92a161a162a16d82a5656d707479a0a16ba176a46d616e799281a1790181a17902a56e5f626967b43132333435363738393031323334353637383930a76e5f666c6f6174cb400c000000000000a56e5f696e742aa56e5f6e6567f9a76e5f74656e7468a3302e31a76e6f7468696e67c0a36f6e6581a178a673696e676c65a173a668c3a96c6c6fa2737493010203a9756e6b6e6f776e5f73c7030c8101c2';

/** Config during apply: unknown_s is now known. */
export const APPLY_CONFIG_HEX =
  '8fa162c3a163c0a16c92a161a162a16d82a5656d707479a0a16ba176a46d616e799281a1790181a17902a56e5f626967b43132333435363738393031323334353637383930a76e5f666c6f6174cb400c000000000000a56e5f696e742aa56e5f6e6567f9a76e5f74656e7468a3302e31a76e6f7468696e67c0a36f6e6581a178a673696e676c65a173a668c3a96c6c6fa2737493010203a9756e6b6e6f776e5f73b4323032362d31312d32325430303a31313a31315a';

export const STATE_JSON =
  '{"b": true, "c": "done", "l": ["a", "b"], "m": {"empty": "", "k": "v"}, "many": [{"y": 1}, {"y": 2}], "n_big": 12345678901234567890, "n_float": 3.5, "n_int": 42, "n_neg": -7, "n_tenth": 0.1, "nothing": null, "one": {"x": "single"}, "s": "héllo", "st": [1, 2, 3], "unknown_s": "2026-11-22T00:11:11Z"}';
