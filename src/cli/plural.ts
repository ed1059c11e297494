// "1 entry", "2 entries": counts in the command's output read as English.
export function count(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}
