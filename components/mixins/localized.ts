/**
 * Behavior: `data.labels` follows the `locale` property, from the component's label table
 * ('zh-CN' when the locale is unknown). The visible texts and the aria-labels both read `labels`.
 */
import { normalizeLocale } from '../../src/ui';
import type { Locale } from '../../src/ui';

export function localized<L extends object>(table: Record<Locale, L>): string {
  const labelsOf = (locale: unknown): L => table[normalizeLocale(locale)];
  return Behavior({
    data: { labels: table['zh-CN'] },
    observers: {
      locale(locale: string) {
        this.setData({ labels: labelsOf(locale) });
      },
    },
    lifetimes: {
      attached() {
        this.setData({ labels: labelsOf((this.data as { locale?: string }).locale) });
      },
    },
  });
}
