/** The gas constant, J/(mol·K). */
const R = 8.314462618;
/** The activation energy USP <1079.2> and ICH use by default: 83.144 kJ/mol (ΔH/R ≈ 10,000 K). */
export const DEFAULT_ACTIVATION_ENERGY_KJ = 83.144;

/**
 * Mean kinetic temperature in °C of readings in °C, each weighted by the time it stands for:
 * the constant temperature that would degrade a product as much as the varying ones did
 * (Haynes' formula, Arrhenius kinetics). NaN for no readings.
 */
export function meanKineticTemperature(
  readings: readonly { value: number; seconds: number }[],
  activationEnergyKj: number = DEFAULT_ACTIVATION_ENERGY_KJ,
): number {
  const ratio = (activationEnergyKj * 1000) / R;
  let weight = 0;
  let sum = 0;
  for (const r of readings) {
    sum += r.seconds * Math.exp(-ratio / (r.value + 273.15));
    weight += r.seconds;
  }
  if (weight === 0) return Number.NaN;
  return ratio / -Math.log(sum / weight) - 273.15;
}
