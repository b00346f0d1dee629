import t from 'tap';
import { canonicalJson } from '../../src/lib/canonical-json.js';

t.test('RFC 8785 canonical form', async (t) => {
  t.equal(canonicalJson({ b: 1, a: [true, null, 'x'], c: { z: 1, y: 2 } }), '{"a":[true,null,"x"],"b":1,"c":{"y":2,"z":1}}');
  // Numbers as ECMAScript prints them (RFC 8785 §3.2.2.3).
  t.equal(canonicalJson([1e21, 1e-7, -0, 0.1, 100, 4.5]), '[1e+21,1e-7,0,0.1,100,4.5]');
  // Member names sorted by UTF-16 code units, not by code points or locale (RFC 8785 §3.2.3).
  t.equal(canonicalJson({ '\u20ac': 1, '\r': 2, '\ud83d\ude00': 3, '\ufb33': 4, '1': 5, 数据: 6 }), '{"\\r":2,"1":5,"\u20ac":1,"数据":6,"\ud83d\ude00":3,"\ufb33":4}');
  t.equal(canonicalJson({ s: 'line\nbreak "quoted" \u0001' }), '{"s":"line\\nbreak \\"quoted\\" \\u0001"}');
  t.equal(canonicalJson({ skip: undefined, keep: 1 }), '{"keep":1}');
  t.equal(canonicalJson(new Date('2026-01-02T03:04:05.006Z')), '"2026-01-02T03:04:05.006Z"');
  t.throws(() => canonicalJson(Number.NaN), TypeError);
  t.throws(() => canonicalJson(() => 1), TypeError);
});
