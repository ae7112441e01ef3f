import { InvalidArgumentError } from 'commander';

/** Commander argument parsers: a bad flag is one clear line naming the flag and the value. */
export function integerOption(flag: string, min: number, max: number) {
  return (raw: string): number => {
    if (!/^\d+$/.test(raw.trim()))
      throw new InvalidArgumentError(`${flag} must be a whole number between ${min} and ${max} (got '${raw}')`);
    const value = Number(raw);
    if (value < min || value > max)
      throw new InvalidArgumentError(`${flag} must be between ${min} and ${max} (got ${value})`);
    return value;
  };
}
