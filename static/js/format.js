// Number formatting shared by stats, tooltips and axis labels.

const SUPERSCRIPT = { '-': '⁻', 0: '⁰', 1: '¹', 2: '²', 3: '³', 4: '⁴', 5: '⁵', 6: '⁶', 7: '⁷', 8: '⁸', 9: '⁹' };

/** Short number with `digits` significant digits; exponent form for tiny or huge values. */
export function fmt(v, digits = 3) {
  if (v === null || v === undefined || Number.isNaN(v)) return '–';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '−∞';
  if (v === 0) return '0';
  const rounded = Number(v.toPrecision(digits)); // 99999 rounds to 1e5: judge the rounded value
  const a = Math.abs(rounded);
  if (a >= 1e-3 && a < 1e5) return String(rounded);
  const [mantissa, exponent] = v.toExponential(digits - 1).split('e');
  return `${Number(mantissa)}e${Number(exponent)}`;
}

/** "10⁻⁸" for a decade exponent. */
export function pow10Label(e) {
  return '10' + String(e).split('').map((c) => SUPERSCRIPT[c]).join('');
}

/** 0.1234 -> "12.3%"; a missing or non-finite value -> "–". */
export function percent(v) {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  const text = (v * 100).toFixed(1);
  return `${text === '-0.0' ? '0.0' : text}%`;
}

/** A round number >= v from the 1-2-5 series, to keep legends stable between frames. */
export function niceCeil(v) {
  if (!(v > 0) || !Number.isFinite(v)) return 1;
  const p = Math.pow(10, Math.floor(Math.log10(v)));
  for (const m of [1, 2, 5, 10]) if (m * p >= v * (1 - 1e-9)) return m * p;
  return 10 * p;
}
